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
import { trainThreads, trainWorker } from './index';
import { pageWorkerThreads, type WorkerThreads } from './train-threads';
import { settings } from '../settings.svelte';
import { watchedTrialWorker, WorkerWatch } from './worker-watch';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

export { DEFAULT_TUNE_WORKERS } from '../tune-form';
export const MAX_TUNE_WORKERS = 2;

const extra: WorkerBridge<TrainWorkerApi>[] = [];
const extraThreads: WorkerThreads[] = [];

function threadsOf(slot: number): WorkerThreads {
  if (slot === 0) return trainThreads;
  return (extraThreads[slot - 1] ??= pageWorkerThreads());
}

function bridgeOf(slot: number): WorkerBridge<TrainWorkerApi> {
  if (slot === 0) return trainWorker;
  return (extra[slot - 1] ??= new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, threadsOf(slot).name(`train-${slot + 1}`)), { idleMs: 300_000 }));
}

export function poolWorker(slot: number): WorkerBridge<TrainWorkerApi>['api'] {
  return bridgeOf(slot).api;
}

const watch = new WorkerWatch<WorkerBridge<TrainWorkerApi>['api']>();

/**
 * The trial workers of a pool of `workers`: a slot's runs reject with TrialWorkerLost when its worker is
 * lost (the slot then starts a fresh one). Before a trial the slot's worker gets the model's wasm threads
 * (train-threads.ts), at most its share of the cores, as the pool's workers train at the same time.
 */
export function trialWorkers(workers: number): (slot: number) => TrialWorker {
  return (slot) => {
    const bridge = bridgeOf(slot);
    let watched: TrialWorker | undefined;
    return {
      async startRun(req, onEvent) {
        await threadsOf(slot).fit(bridge, req.config, settings.wasmThreads, workers);
        watched = watchedTrialWorker(watch, bridge);
        return watched.startRun(req, onEvent);
      },
      resumeRun: (runId, onEvent) => (watched = watchedTrialWorker(watch, bridge)).resumeRun(runId, onEvent),
      cancel: (jobId) => (watched ??= watchedTrialWorker(watch, bridge)).cancel(jobId),
    };
  };
}
