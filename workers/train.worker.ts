/**
 * The training worker: the only place TF.js runs. A thin Comlink facade over src/core/train.
 */
import * as Comlink from 'comlink';
import '@tensorflow/tfjs'; // layers, converter, and the webgl and cpu backends
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite serves (and the PWA precaches) the binaries under hashed names; TF.js picks one of the three
// by the browser's SIMD and thread support, so all three are mapped.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmThreadedScript from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { unbundledPthreadScript, withUncappedThreads } from './wasm-pthreads';
import { installErrorTransfer } from '../src/protocol/errors';
import { cancellable, cancelJob, runJob, runningJobs } from '../src/protocol/jobs';
import { BACKEND_NAMES, threadsOfWorkerName, type BackendName, type TrainWorkerApi } from '../src/protocol/train';
import * as tf from '@tensorflow/tfjs';
import { db } from '../src/store/db';
import { TrainService } from '../src/services/train';
import { TrainError } from '../src/core/model/errors';
import { TableCache } from '../src/services/train-data';
import type { BackendControl } from '../src/services/train-backend';
import { browserImageDecoder } from '../src/services/train-images';
import { ModelService } from '../src/services/registry-model';
import { TabServing } from '../src/services/tab-serving';
import { ExplainService } from '../src/services/explain';
import { OptimizeService } from '../src/services/optimize';
import { EvaluateService } from '../src/services/evaluate';
import { activateBackend, recordInitErrors } from '../src/core/train/activate';
import { BackendSelector, checkCacheKey } from '../src/core/train/backends';
import { indexedDbCheckCache, indexedDbTimingCache } from '../src/services/backend-check-cache';
import { registerWebGPUWithRetry } from '../src/core/train/webgpu';
import { registerWasmTrainingKernels } from '../src/core/train/wasm-kernels';
import { servePartner } from '../src/core/train/data-parallel';

installErrorTransfer();

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});
// XNNPACK's pool on every core, or on the count this worker's name asks for (app/workers/train-threads.ts);
// TF.js loads the threaded build only when this worker is cross-origin isolated (the service worker's
// COOP/COEP, protocol/isolation.ts), else the single-threaded SIMD one
const wasmThreads = threadsOfWorkerName(self.name) ?? Math.max(1, navigator.hardwareConcurrency || 1);
setThreadsCount(wasmThreads);
unbundledPthreadScript(wasmThreadedScript);
registerWebGPUWithRetry();
// convolution gradients and faster matrix products for wasm, which TF.js 4.22 lacks (issue 16)
registerWasmTrainingKernels();
recordInitErrors(BACKEND_NAMES);

const checkKey = checkCacheKey(navigator.userAgent, self.crossOriginIsolated);
const selector = new BackendSelector((name) => (name === 'wasm' ? withUncappedThreads(() => activateBackend(name)) : activateBackend(name)), {
  // the check is saved per browser and TF.js version: a new worker, or Settings, reuses it
  cache: { store: indexedDbCheckCache(), key: checkKey },
});
// a model's step times on the backends, saved by its first 'auto' run; wasm's depend on this worker's threads
const timings = indexedDbTimingCache(JSON.stringify([checkKey, wasmThreads]));

// Training runs and the registry. Backend probes reuse the Settings page's results when there are any.
let probed: Promise<unknown> | null = null;
const backends: BackendControl = {
  async reports() {
    if (!selector.info.backends.length) await (probed ??= selector.probe().finally(() => (probed = null)));
    return selector.info.backends;
  },
  async use(name) {
    await selector.use(name);
  },
  timings,
  wasmThreads() {
    try {
      return getThreadsCount();
    } catch {
      return undefined; // wasm not initialized
    }
  },
};
const models = new ModelService({ tf, db: db() });
const serving = new TabServing({ tf, db: db(), models });
// one cache of dataset tables for every stage: a version trained on, then optimized, evaluated and explained, is read once
const tables = new TableCache(db(), 4);
const decode = browserImageDecoder();
const loadModel = (id: string) => models.load(id);
const training = new TrainService({ tf, db: db(), backends, loadModel, decode, tables });
const explain = new ExplainService({ tf, db: db(), loadModel, decode, tables });
const optimizing = new OptimizeService({ tf, db: db(), models, decode, tables });
const evaluation = new EvaluateService({ tf, db: db(), loadModel, decode, tables });

/** Switching TF.js's one global backend under a running fit would move its tensors mid-epoch. */
function refuseWhileTraining(): void {
  if (training.activeRuns.length) throw new TrainError('busy-training', {}, 'A training run is in progress; change the backend when it has finished');
}

/** A backend the person chose in Settings is this worker's state: keep the worker while it holds one. */
let chosenByHand = false;

/** Runs this worker was asked to be the partner of (servePartner), and how many of them are over (endPartner). */
let partnered = 0;
let partnersEnded = 0;

const api: TrainWorkerApi = {
  idle: async () => runningJobs() === 0 && training.activeRuns.length === 0 && !chosenByHand && partnersEnded === partnered,

  probeBackends: async (options) => {
    refuseWhileTraining();
    // checking again measures afresh: the models' saved step times go with the saved check
    if (options?.recheck) await timings.clear().catch(() => undefined);
    return selector.probe(options);
  },
  setBackend: async (name: BackendName) => {
    refuseWhileTraining();
    const info = await selector.use(name);
    chosenByHand = true;
    return info;
  },
  cancel: async (jobId: string) => cancelJob(jobId),
  // held while this worker lives: released only when its thread ends
  holdLifeLock: (name) => new Promise<void>((held) => void navigator.locks.request(name, () => (held(), new Promise<never>(() => {})))),

  prepareRun: (req) => training.prepare(req),
  startRun: ({ partner, ...req }, onEvent) => runJob(req.runId, (signal) => training.start(req, signal, (e) => void onEvent(e), partner ?? null)),
  resumeRun: (runId, onEvent, partner) => runJob(runId, (signal) => training.resume(runId, signal, (e) => void onEvent(e), partner ?? null)),
  async servePartner(port) {
    const session = ++partnered;
    try {
      return await servePartner(tf, port, () => partnersEnded >= session, async () => {
        refuseWhileTraining();
        await selector.use('wasm');
      });
    } finally {
      partnersEnded = Math.max(partnersEnded, session);
    }
  },
  endPartner: async () => {
    partnersEnded = partnered;
  },
  pauseRun: (runId) => training.pause(runId),
  continueRun: (runId) => training.continue(runId),
  activeRuns: async () => training.activeRuns,
  saveModel: (runId, name) => models.saveRun(runId, name),
  async exportModel(modelId) {
    const file = await models.exportZip(modelId);
    return Comlink.transfer(file, [file.bytes.buffer]);
  },
  async importModel(projectId, file) {
    return models.importZip(projectId, new Uint8Array(await file.arrayBuffer()));
  },
  predict: (req) => models.predict(req),
  serve: (req) => serving.serve(req),

  // Fairness and explanations (issue 7)
  explainSetup: (target) => explain.explainSetup(target),
  fairness: (req) => explain.fairness(req),
  featureImportance: cancellable((req, signal, onProgress) => explain.featureImportance(req, signal, onProgress)),
  rowDetail: (req) => explain.rowDetail(req),
  whatIf: (req) => explain.whatIf(req),
  integratedGradients: (req) => explain.integratedGradients(req),
  kernelShap: cancellable((req, signal, onProgress) => explain.kernelShap(req, signal, onProgress)),
  nearestCounterfactual: (req) => explain.nearestCounterfactual(req),

  // Optimization (issue 6): each variant is a new model version.
  quantizeModel: (req) => optimizing.quantize(req),
  pruneModel: cancellable((req, signal, onProgress) => optimizing.prune(req, signal, onProgress)),
  distillModel: cancellable((req, signal, onProgress) => optimizing.distill(req, signal, onProgress)),
  compareVariants: cancellable((req, signal, onProgress) => optimizing.compare(req, signal, onProgress)),

  // Evaluation (issue 7): sliced metrics, blessing, curves
  evaluate: cancellable((req, signal, onProgress) => evaluation.evaluate(req, signal, onProgress)),
  curves: (req) => evaluation.curves(req),
};

Comlink.expose(api);
