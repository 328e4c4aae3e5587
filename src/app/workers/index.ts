/** The app's workers. Each starts on first use, from a blob: URL so that it inherits the page's CSP. */
import type { TrainWorkerApi } from '../../protocol/train';
import type { DataWorkerApi } from '../../protocol/data';
import { startInheritingWorker } from '../../protocol/inheriting-worker';
import { WorkerBridge } from './bridge';
import { WorkerThreads } from './train-threads';
import dataWorkerUrl from '../../../workers/data.worker.ts?worker&url';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

// Idle workers stop (restarting costs the data worker little; the training worker reloads TF.js and
// probes its backends again, a few seconds, so it waits longer).
export const dataWorker = new WorkerBridge<DataWorkerApi>(() => startInheritingWorker(dataWorkerUrl, 'data'), { idleMs: 60_000 });

/** The training worker's wasm thread count, chosen per run (train-threads.ts). */
export const trainThreads = new WorkerThreads(Math.max(1, navigator.hardwareConcurrency || 1), globalThis.crossOriginIsolated === true);

export const trainWorker = new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, trainThreads.name('train')), { idleMs: 300_000 });
