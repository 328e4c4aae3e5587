/**
 * The Tune stage's pool of training workers: slot 0 is the app's training worker, each further slot a
 * training worker of its own, started on first use (it loads TF.js and probes its backends once) and
 * stopped when idle like the first. Each trial is one startRun on one slot's worker. The trials' workers
 * are watched (worker-watch.ts): a slot whose worker crashed, ran out of memory or was terminated starts a
 * fresh one, and the trial it was training is resumed there from its last checkpoint.
 */
import type { TrainWorkerApi } from '../../protocol/train';
import { startInheritingWorker } from '../../protocol/inheriting-worker';
import type { TrialWorker } from '../../services/tune';
import { WorkerBridge } from './bridge';
import { trainWorker } from './index';
import { watchedTrialWorker, WorkerWatch } from './worker-watch';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

export { DEFAULT_TUNE_WORKERS } from '../tune-form';
export const MAX_TUNE_WORKERS = 2;

const extra: WorkerBridge<TrainWorkerApi>[] = [];

function bridgeOf(slot: number): WorkerBridge<TrainWorkerApi> {
  if (slot === 0) return trainWorker;
  return (extra[slot - 1] ??= new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, `train-${slot + 1}`), { idleMs: 300_000 }));
}

export function poolWorker(slot: number): WorkerBridge<TrainWorkerApi>['api'] {
  return bridgeOf(slot).api;
}

const watch = new WorkerWatch<WorkerBridge<TrainWorkerApi>['api']>();

/** The slot's worker for a trial: its runs reject with TrialWorkerLost when the worker is lost (the slot then starts a fresh one). */
export function trialWorker(slot: number): TrialWorker {
  return watchedTrialWorker(watch, bridgeOf(slot));
}
