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

/**
 * A step of at least SPLIT_MIN_MACS multiply-adds, of a model the tapeless step trains, is split between
 * two training workers, half a batch each (data-parallel.ts), where the page has two cores or more.
 */
export const SPLIT_MIN_MACS = 120_000_000;

/** What the person chose in Settings: by the model, or always every core in one worker, or one thread, or two workers. */
export type WasmThreadsChoice = 'auto' | 'all' | 'one' | 'split';
export const WASM_THREADS_CHOICES: readonly WasmThreadsChoice[] = ['auto', 'all', 'one', 'split'];

/** How a run trains on wasm: each worker's thread count, and whether a second worker takes half of every batch. */
export interface WasmPlan {
  threads: number;
  split: boolean;
}

/** Layers the tapeless step trains (tapeless-step.ts), so a partner can take half of every batch. */
export function splitsBatches(spec: ModelSpec): boolean {
  return spec.layers.every((l) => {
    switch (l.type) {
      case 'dense':
      case 'conv2d':
        return l.activation === undefined || l.activation === 'relu' || l.activation === 'linear';
      case 'maxPooling2d':
      case 'flatten':
      case 'dropout':
        return true;
      default:
        return false;
    }
  });
}

/**
 * How to train `spec` on wasm with `cores` cores; null when it cannot be told (no spec: a fine-tuned
 * model's layers come from its version), so the worker keeps the count it has. `splitting` false: the
 * caller has no partner to give (Tune's pool), so no plan splits.
 */
export function wasmPlanFor(choice: WasmThreadsChoice, spec: ModelSpec | null, batchSize: number, cores: number, splitting = true): WasmPlan | null {
  const canSplit = splitting && cores >= 2 && batchSize >= 2 && spec !== null && splitsBatches(spec);
  if (choice === 'all') return { threads: cores, split: false };
  if (choice === 'one') return { threads: 1, split: false };
  if (choice === 'split') return canSplit ? { threads: Math.floor(cores / 2), split: true } : { threads: cores, split: false };
  const perExample = spec ? trainingMultiplyAdds(spec) : null;
  if (perExample === null) return null;
  const macs = perExample * batchSize;
  // the two workers share the cores
  if (canSplit && macs >= SPLIT_MIN_MACS) return { threads: Math.floor(cores / 2), split: true };
  return { threads: macs >= WASM_THREADS_MIN_MACS ? cores : 1, split: false };
}
