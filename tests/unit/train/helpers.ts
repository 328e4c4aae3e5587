/** Shared by the train tests: a cpu TF.js, wasm with the app's kernels, the PNG decoder, and small synthetic datasets. */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { decodePlainPng } from '../../../src/core/data/png';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmTrainingKernels } from '../../../src/core/train/wasm-kernels';
import type { DecodedImage } from '../../../src/core/model/preprocess';

export async function useCpu(): Promise<typeof tf> {
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
}

/**
 * Make the wasm backend available with the app's training kernels (as the training worker does), check
 * that it starts, and leave cpu active.
 */
export async function startWasmWithKernels(): Promise<void> {
  const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(join(dist, '/'));
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.setBackend('cpu');
}

/** Decode an 8-bit PNG without a palette as the training worker does (fast-png, core/data/png.ts). */
export function decodePng(bytes: Uint8Array): DecodedImage {
  const img = decodePlainPng(bytes);
  if (!img) throw new Error('not an 8-bit PNG without a palette');
  return img;
}

/** Deterministic two-blob classification data: n rows of d features, labels 0/1. */
export function blobs(n: number, d: number, seed = 1): { x: Float32Array; y: Int32Array } {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < d; j++) x[i * d + j] = (rand() - 0.5) + (y[i] ? 1 : -1) * (j === 0 ? 1 : 0.3);
  }
  return { x, y };
}
