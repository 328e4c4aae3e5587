/**
 * How many threads the wasm backend trains a model on (issue 16: all cores, where they pay). XNNPACK
 * splits every matrix product over its thread pool and waits for the pool at the end of each one; on a
 * small product the waiting costs more than the second core gives. Measured in Chromium on a 2-core
 * machine, batch 64, `npm run bench -- threads`: every core over one thread for the MNIST MLP on pixels
 * (14.5 M multiply-adds a step) 0.74-0.87x, the same MLP widened to 256-128 (32 M) 0.88-0.98x, to 512-256
 * (77 M) 1.05-1.23x, 512-512 (103 M) 1.15-1.21x, 1024-512 (204 M) 1.16-1.23x, the Small CNN (129 M)
 * 1.08-1.14x. So a step of at least WASM_THREADS_MIN_MACS multiply-adds gets every core.
 */
import { trainingMultiplyAdds, type ModelSpec } from '../model/model-spec';

export const WASM_THREADS_MIN_MACS = 50_000_000;

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
