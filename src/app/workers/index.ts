/** The app's workers. Each starts on first use, from a blob: URL so that it inherits the page's CSP. */
import type { StartRunRequest, TrainEvent, TrainWorkerApi } from '../../protocol/train';
import { settings } from '../settings.svelte';
import type { DataWorkerApi } from '../../protocol/data';
import { startInheritingWorker } from '../../protocol/inheriting-worker';
import { Comlink, WorkerBridge } from './bridge';
import { WorkerThreads } from './train-threads';
import dataWorkerUrl from '../../../workers/data.worker.ts?worker&url';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

// Idle workers stop (restarting costs the data worker little; the training worker reloads TF.js and
// probes its backends again, a few seconds, so it waits longer).
export const dataWorker = new WorkerBridge<DataWorkerApi>(() => startInheritingWorker(dataWorkerUrl, 'data'), { idleMs: 60_000 });

/** The training worker's wasm thread count, chosen per run (train-threads.ts). */
export const trainThreads = new WorkerThreads(Math.max(1, navigator.hardwareConcurrency || 1), globalThis.crossOriginIsolated === true);

export const trainWorker = new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, trainThreads.name('train')), { idleMs: 300_000 });

/**
 * The training worker's API whose startRun first gives the worker the run's wasm threads (train-threads.ts):
 * for the places that start runs (the Train page, a pipeline's Trainer; Tune's pool does the same per slot).
 * Called when needed: reading trainWorker.api starts the worker.
 */
export function trainRuns(): Comlink.Remote<TrainWorkerApi> {
  const api = trainWorker.api;
  const startRun = async (req: StartRunRequest, onEvent: (e: TrainEvent) => void) => {
    await trainThreads.fit(trainWorker, req.config, settings.wasmThreads);
    return api.startRun(req, onEvent);
  };
  return new Proxy(api, { get: (target, prop) => (prop === 'startRun' ? startRun : Reflect.get(target, prop)) });
}
