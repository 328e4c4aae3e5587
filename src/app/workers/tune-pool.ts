/**
 * The Tune stage's pool of training workers: slot 0 is the app's training worker, each further slot a
 * training worker of its own, started on first use (it loads TF.js and probes its backends once) and
 * stopped when idle like the first. Each trial is one startRun on one slot's worker.
 */
import type { TrainWorkerApi } from '../../protocol/train';
import { startInheritingWorker } from '../../protocol/inheriting-worker';
import { WorkerBridge } from './bridge';
import { trainWorker } from './index';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

export { DEFAULT_TUNE_WORKERS } from '../tune-form';
export const MAX_TUNE_WORKERS = 2;

const extra: WorkerBridge<TrainWorkerApi>[] = [];

export function poolWorker(slot: number): WorkerBridge<TrainWorkerApi>['api'] {
  if (slot === 0) return trainWorker.api;
  const bridge = (extra[slot - 1] ??= new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, `train-${slot + 1}`), { idleMs: 300_000 }));
  return bridge.api;
}
