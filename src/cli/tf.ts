/**
 * TF.js for the components that train and predict, loaded on first use (a pipeline of data components
 * starts without it) on the backend --backend names: cpu (pure JS, always there) or wasm, whose binaries
 * are read from node_modules/@tensorflow/tfjs-backend-wasm/dist/.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TF } from '../core/model/model-spec';

export type BackendName = 'cpu' | 'wasm';

let loaded: Promise<TF> | null = null;

async function load(backend: BackendName): Promise<TF> {
  const tf = (await import('@tensorflow/tfjs')) as unknown as TF;
  // production mode: no debug checks, and no banner on stderr suggesting tfjs-node (CI reads stderr for failures)
  tf.enableProdMode();
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${join(dist, '/')}`);
    // TF.js 4.22's wasm backend cannot train convolutions without these
    const { registerWasmTrainingKernels } = await import('../core/train/wasm-kernels');
    registerWasmTrainingKernels();
  }
  if (!(await tf.setBackend(backend))) throw new Error(`the TF.js ${backend} backend could not start`);
  await tf.ready();
  return tf;
}

/** The one TF.js of this process, on its backend. */
export function loadTf(backend: BackendName): Promise<TF> {
  loaded ??= load(backend);
  return loaded;
}
