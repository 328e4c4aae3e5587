/** The app's workers. Each starts on first use. */
import type { TrainWorkerApi } from '../../protocol/train';
import type { DataWorkerApi } from '../../protocol/data';
import { WorkerBridge } from './bridge';

export const dataWorker = new WorkerBridge<DataWorkerApi>(
  () => new Worker(new URL('../../../workers/data.worker.ts', import.meta.url), { type: 'module', name: 'data' }),
);

export const trainWorker = new WorkerBridge<TrainWorkerApi>(
  () => new Worker(new URL('../../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'train' }),
);
