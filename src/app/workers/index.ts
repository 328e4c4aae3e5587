/** The app's workers. Each starts on first use, from a blob: URL so that it inherits the page's CSP. */
import type { StartRunRequest, TrainEvent, TrainWorkerApi } from '../../protocol/train';
import { settings } from '../settings.svelte';
import { db } from '../../store/db';
import type { RunConfig } from '../../store/training-records';
import type { DataWorkerApi } from '../../protocol/data';
import { startInheritingWorker } from '../../protocol/inheriting-worker';
import { Comlink, WorkerBridge } from './bridge';
import { pageWorkerThreads } from './train-threads';
import type { WasmPlan } from '../../core/train/threads';
import dataWorkerUrl from '../../../workers/data.worker.ts?worker&url';
import trainWorkerUrl from '../../../workers/train.worker.ts?worker&url';

// Idle workers stop (restarting costs the data worker little; the training worker reloads TF.js and
// probes its backends again, a few seconds, so it waits longer).
export const dataWorker = new WorkerBridge<DataWorkerApi>(() => startInheritingWorker(dataWorkerUrl, 'data'), { idleMs: 60_000 });

/** The training worker's wasm thread count, chosen per run (train-threads.ts). */
export const trainThreads = pageWorkerThreads();

export const trainWorker = new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, trainThreads.name('train')), { idleMs: 300_000 });

/**
 * A second training worker that takes half of every batch of a run on wasm (core/train/data-parallel.ts),
 * started for the first run that splits (core/train/threads.ts) and stopped when idle like the first.
 */
const partnerThreads = pageWorkerThreads();
const partnerWorker = new WorkerBridge<TrainWorkerApi>(() => startInheritingWorker(trainWorkerUrl, partnerThreads.name('train-partner')), { idleMs: 300_000 });

/** The partner worker serving one run: the port the run's worker takes, and the call that ends the service. */
async function partnerFor(plan: WasmPlan | null | undefined): Promise<{ port: MessagePort; end: () => void } | null> {
  if (!plan?.split) return null;
  await partnerThreads.fitCount(partnerWorker, plan.threads);
  const { port1, port2 } = new MessageChannel();
  // a partner that fails tells the run over the port, and the run trains alone
  partnerWorker.api.servePartner(Comlink.transfer(port2, [port2])).catch(() => {});
  return { port: port1, end: () => void partnerWorker.api.endPartner().catch(() => {}) };
}

/**
 * The training worker's API whose startRun and resumeRun first give the worker the run's wasm threads
 * (train-threads.ts) and, where the run splits its batches, a partner worker: for the places that start
 * runs (the Train page, a pipeline's Trainer; Tune's pool gives each slot its threads and no partner).
 * Called when needed: reading trainWorker.api starts the worker.
 */
export function trainRuns(): Comlink.Remote<TrainWorkerApi> {
  const api = trainWorker.api;
  const fit = (config: RunConfig | undefined) => (config ? trainThreads.fit(trainWorker, config, settings.wasmThreads) : undefined);
  const startRun = async (req: StartRunRequest, onEvent: (e: TrainEvent) => void) => {
    const partner = await partnerFor(await fit(req.config));
    try {
      return await api.startRun(partner ? Comlink.transfer({ ...req, partner: partner.port }, [partner.port]) : req, onEvent);
    } finally {
      partner?.end();
    }
  };
  const resumeRun = async (runId: string, onEvent: (e: TrainEvent) => void) => {
    const partner = await partnerFor(await fit((await db().runs.get(runId))?.config));
    try {
      return await (partner ? api.resumeRun(runId, onEvent, Comlink.transfer(partner.port, [partner.port])) : api.resumeRun(runId, onEvent));
    } finally {
      partner?.end();
    }
  };
  return new Proxy(api, { get: (target, prop) => (prop === 'startRun' ? startRun : prop === 'resumeRun' ? resumeRun : Reflect.get(target, prop)) });
}
