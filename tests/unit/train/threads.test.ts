/**
 * The wasm thread count per model (core/train/threads.ts) and the multiply-adds it is decided by
 * (core/model/model-spec/macs.ts), against counts done by hand.
 */
import { describe, expect, it } from 'vitest';
import { trainingMultiplyAdds, type ModelSpec } from '../../../src/core/model/model-spec';
import { WASM_THREADS_MIN_MACS, wasmThreadsFor } from '../../../src/core/train/threads';
import { ALL_PRESETS } from '../../../src/app/train-presets';

const MNIST = { input: { kind: 'image' as const, height: 28, width: 28, channels: 1 }, classes: 10 };
const preset = (id: string): ModelSpec => ALL_PRESETS.find((p) => p.id === id)!.make(MNIST);

describe('trainingMultiplyAdds', () => {
  it('counts the MNIST presets as done by hand (tests/bench/mnist-train.ts)', () => {
    // MLP 784-128-64-10: forward 784*128 + 128*64 + 64*10 = 109,184; weight gradients the same; input
    // gradients of all but the first layer 128*64 + 64*10 = 8,832
    expect(trainingMultiplyAdds(preset('mlp-pixels'))).toBe(2 * 109_184 + 8_832);
    // Small CNN: conv 26*26*16*9 = 97,344; conv 11*11*32*144 = 557,568; dense 800*64 = 51,200; 64*10 = 640
    expect(trainingMultiplyAdds(preset('small-cnn'))).toBe(2 * 706_752 + 557_568 + 51_200 + 640);
  });

  it('gives the first dense layer after a trainable embedding its input gradient', () => {
    const spec: ModelSpec = {
      version: 1,
      input: { kind: 'tokens', length: 20, vocabSize: 1000 },
      layers: [{ type: 'embedding', outputDim: 8 }, { type: 'globalAveragePooling1d' }, { type: 'dense', units: 4 }],
      head: { kind: 'classification', classes: 3 },
    };
    // dense 8 -> 4: 32 forward, x3 (the embedding before it needs the input gradient); head 4 -> 3: 12, x3
    expect(trainingMultiplyAdds(spec)).toBe(3 * 32 + 3 * 12);
  });

  it('is null for a spec whose shapes cannot be inferred', () => {
    const spec: ModelSpec = { version: 1, input: { kind: 'tabular', features: 0 }, layers: [], head: { kind: 'regression' } };
    expect(trainingMultiplyAdds(spec)).toBeNull();
  });
});

describe('wasmThreadsFor', () => {
  it('trains the MLP (14.5 M multiply-adds a step) on one thread and the Small CNN (129 M) on every core', () => {
    expect(wasmThreadsFor('auto', preset('mlp-pixels'), 64, 8)).toBe(1);
    expect(wasmThreadsFor('auto', preset('small-cnn'), 64, 8)).toBe(8);
  });

  it('counts the whole batch: the threshold falls between batch sizes of the same model', () => {
    const mlp = preset('mlp-pixels');
    const perExample = trainingMultiplyAdds(mlp)!;
    const atLeast = Math.ceil(WASM_THREADS_MIN_MACS / perExample);
    expect(wasmThreadsFor('auto', mlp, atLeast - 1, 4)).toBe(1);
    expect(wasmThreadsFor('auto', mlp, atLeast, 4)).toBe(4);
  });

  it('follows a fixed choice, and leaves the count alone when the model is unknown', () => {
    expect(wasmThreadsFor('all', preset('mlp-pixels'), 64, 2)).toBe(2);
    expect(wasmThreadsFor('one', preset('small-cnn'), 64, 2)).toBe(1);
    expect(wasmThreadsFor('auto', null, 64, 2)).toBeNull();
    expect(wasmThreadsFor('all', null, 64, 2)).toBe(2);
  });
});
