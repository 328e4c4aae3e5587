/**
 * How many threads the wasm backend trains a model on (issue 16: all cores, where they pay). XNNPACK
 * splits every matrix product and convolution over its thread pool and waits for the pool at the end of
 * each one; on a small one the waiting costs more than the second core gives, and Pipette's own kernels
 * (the single-threaded gemm that skips XNNPACK's packing, the convolution gradients) use one thread
 * anyway. Measured in Chromium on a 2-core machine, batch 64, `npm run bench -- threads`, two runs
 * (2026-12-04 05:37 and 05:49): every core over one thread for the MNIST MLP on pixels (14.5 M
 * multiply-adds a step) 0.76-0.84x, the same MLP widened to 256-128 (32 M) 0.78-0.83x, to 512-256 (77 M)
 * 0.98-0.99x, 512-512 (103 M) 0.91-1.00x, 1024-512 (204 M) 1.33-1.39x, the Small CNN (129 M)
 * 1.11-1.19x. So a step of at least WASM_THREADS_MIN_MACS multiply-adds gets every core. (Before the
 * gemm, one thread was slower: the rule was 50 M, with 512-256 at 1.05-1.23x.)
 */
import { trainingMultiplyAdds, type ModelSpec } from '../model/model-spec';

export const WASM_THREADS_MIN_MACS = 120_000_000;

/** What the person chose in Settings: by the model's size, or always every core, or always one. */
export type WasmThreadsChoice = 'auto' | 'all' | 'one';
export const WASM_THREADS_CHOICES: readonly WasmThreadsChoice[] = ['auto', 'all', 'one'];

/**
 * The thread count to train `spec` on wasm with `cores` cores; null when it cannot be told (no spec: a
 * fine-tuned model's layers come from its version), so the worker keeps the count it has.
 */
export function wasmThreadsFor(choice: WasmThreadsChoice, spec: ModelSpec | null, batchSize: number, cores: number): number | null {
  if (choice === 'all') return cores;
  if (choice === 'one') return 1;
  const perExample = spec ? trainingMultiplyAdds(spec) : null;
  if (perExample === null) return null;
  return perExample * batchSize >= WASM_THREADS_MIN_MACS ? cores : 1;
}
