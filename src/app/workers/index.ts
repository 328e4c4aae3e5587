/** The app's workers. Each starts on first use, from a blob: URL so that it inherits the page's CSP. */
import type { StartRunRequest, TrainEvent, TrainWorkerApi } from '../../protocol/train';
import { settings } from '../settings.svelte';
import { db } from '../../store/db';
import type { RunConfig } from '../../store/training-records';
import type { DataWorkerApi } from '../../protocol/data';
import { startInheritingWorker } from '../../protocol/inheriting-worker';
import { Comlink, WorkerBridge } from './bridge';
import { pageWorkerThreads } from './train-threads';
import dataWorkerUrl from '../../../workers/data.worker.ts?worker&url';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

// Idle workers stop (restarting costs the data worker little; the training worker reloads TF.js and
// probes its backends again, a few seconds, so it waits longer).
export const dataWorker = new WorkerBridge<DataWorkerApi>(() => startInheritingWorker(dataWorkerUrl, 'data'), { idleMs: 60_000 });

/** The training worker's wasm thread count, chosen per run (train-threads.ts). */
export const trainThreads = pageWorkerThreads();

export const trainWorker = new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, trainThreads.name('train')), { idleMs: 300_000 });

/**
 * The training worker's API whose startRun and resumeRun first give the worker the run's wasm threads
 * (train-threads.ts): for the places that start runs (the Train page, a pipeline's Trainer; Tune's pool
 * does the same per slot). Called when needed: reading trainWorker.api starts the worker.
 */
export function trainRuns(): Comlink.Remote<TrainWorkerApi> {
  const api = trainWorker.api;
  const fit = (config: RunConfig | undefined) => (config ? trainThreads.fit(trainWorker, config, settings.wasmThreads) : undefined);
  const startRun = async (req: StartRunRequest, onEvent: (e: TrainEvent) => void) => {
    await fit(req.config);
    return api.startRun(req, onEvent);
  };
  const resumeRun = async (runId: string, onEvent: (e: TrainEvent) => void) => {
    await fit((await db().runs.get(runId))?.config);
    return api.resumeRun(runId, onEvent);
  };
  return new Proxy(api, { get: (target, prop) => (prop === 'startRun' ? startRun : prop === 'resumeRun' ? resumeRun : Reflect.get(target, prop)) });
}
