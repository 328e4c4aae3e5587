/** The training worker's API, as the page sees it. The worker (workers/train.worker.ts) implements it. */
import type { ModelSpec, InputSpec } from '../core/model/model-spec';
import type { FeatureChoice } from '../core/model/preprocess';
import type { SplitRecord } from '../core/model/split';
import type { BatchProgress } from '../core/train/trainer';
import type { EpochRecord, LabelSource, RunConfig, RunPhase } from '../store/training-records';
import type { ExplainWorkerApi } from './explain';
import type { OptimizeWorkerApi } from './optimize';
import type { EvaluateWorkerApi } from './evaluate';
import type { TabServeRequest, TabServeResult } from './tab-serving';

export { BACKEND_NAMES, type BackendName, type BackendReport, type BackendsInfo, type ParityResult } from '../core/train/backend-types';
import type { BackendName, BackendsInfo } from '../core/train/backend-types';

export interface TrainWorkerApi extends EvaluateWorkerApi, ExplainWorkerApi, OptimizeWorkerApi {
  /** Nothing runs, no run is active or paused, and no backend was chosen by hand: the page may stop this worker. */
  idle(): Promise<boolean>;
  /**
   * Initialize every backend this browser offers, run the parity check on each, and report; or read the
   * check saved for this browser and TF.js version, unless `recheck`.
   */
  probeBackends(options?: { recheck?: boolean }): Promise<BackendsInfo>;
  /** Make a backend the active one (an override of the automatic choice). */
  setBackend(name: BackendName): Promise<BackendsInfo>;
  cancel(jobId: string): Promise<boolean>;
  /**
   * Hold a Web Lock of this name until the worker ends (resolves once it is held). The page then asks for the
   * same lock: it is granted when the worker's thread is gone, however it went (a crash, out of memory, terminated).
   */
  holdLifeLock(name: string): Promise<void>;

  // --- Training runs (issue 3). A run's id is its job id: cancel(runId) stops it. ---
  /** Load a dataset version, split it and fit the preprocessing: what input and classes a model gets. */
  prepareRun(req: PrepareRequest): Promise<PrepareResult>;
  /** Train a new run to its end (or a cancel); the run record in IndexedDB follows every epoch. */
  startRun(req: StartRunRequest, onEvent: (e: TrainEvent) => void): Promise<RunOutcome>;
  /** Continue an interrupted run from its last checkpoint (with a partner as startRun's `partner`). */
  resumeRun(runId: string, onEvent: (e: TrainEvent) => void, partner?: MessagePort): Promise<RunOutcome>;
  /**
   * Be a run's partner: take half of each of its batches, for the training worker at the other end of
   * `port` (core/train/data-parallel.ts). Resolves when that run's fit ends, or trains alone, or
   * endPartner() says the run is over.
   */
  servePartner(port: MessagePort): Promise<'served' | 'alone' | 'failed'>;
  /** The run served last is over, however it ended (its worker may have gone without a word). */
  endPartner(): Promise<void>;
  /** Park a running run at the next batch boundary / let it go on. False when it is not running here. */
  pauseRun(runId: string): Promise<boolean>;
  continueRun(runId: string): Promise<boolean>;
  /** The run ids this worker is training now. */
  activeRuns(): Promise<string[]>;
  /** Save a finished run as a new immutable model version; returns its id. */
  saveModel(runId: string, name: string): Promise<string>;
  /** A model version as a zip: model.json + weight shards + metadata.json + README.md. */
  exportModel(modelId: string): Promise<ExportedModel>;
  /** Validate a bundle zip and add it as a new model version (nothing is written for a bad one). */
  importModel(projectId: string, file: Blob, fileName: string): Promise<string>;
  /** A prediction of a model version, computed here; the request is logged for skew checks. */
  predict(req: PredictRequest): Promise<PredictResult>;
  /** A TF Serving REST request on the project's registry models (the tab's routes, issue 15); never rejects. */
  serve(req: TabServeRequest): Promise<TabServeResult>;
}

/** What the model builder needs to know about the data before a model can be built. */
export interface PrepareRequest {
  datasetVersionId: string;
  features: FeatureChoice[];
  label: string;
  labelTask: 'classification' | 'regression';
  split: RunConfig['split'];
  /** Use this model version's preprocessing (fine-tuning): the input must stay what it was. */
  baseModelId?: string | null;
  /** Targets from a label set instead of the label column (then `label` is the gold column or ''). */
  labelSource?: LabelSource;
  /**
   * The features are this transform version's outputs (`features` is then ignored): the split must be the
   * transform's (its dataset version, label, seed and fractions), else a TrainError 'bad-split' says what differs.
   */
  transformId?: string | null;
  /** Of the transform's output steps, train on these only (their slots in the fitted layout's order); absent: on all. */
  transformOutputs?: string[] | null;
}

export interface PrepareResult {
  input: InputSpec;
  /** Class names in output order (classification). */
  classes: string[] | null;
  counts: SplitRecord['counts'];
  /** Vector slots of a tabular input (e.g. "Island=Biscoe"). */
  slots: number;
  warnings: string[];
  /** For fine-tuning: the base model's layers (null when its bundle had no spec). */
  baseSpec?: ModelSpec | null;
}

export interface StartRunRequest {
  runId: string;
  projectId: string;
  datasetVersionId: string;
  config: RunConfig;
  /** A partner training worker's port (transferred): on wasm, it takes half of every batch. */
  partner?: MessagePort;
}

/** `elapsedMs`: the run's training time so far, over every execution of it, pauses left out. */
export type TrainEvent =
  | { kind: 'phase'; runId: string; phase: RunPhase; elapsedMs: number }
  /** In the 'backend' phase of an Automatic run: the backend being timed now, `index` of the `count` it times. */
  | { kind: 'timing'; runId: string; backend: BackendName; index: number; count: number; elapsedMs: number }
  /** Every part of an epoch (batches, validation, metrics, checkpoint) with its measured times (core/train/progress.ts). */
  | { kind: 'batch'; runId: string; progress: BatchProgress; elapsedMs: number }
  /** An epoch ended and its checkpoint is written (the Tune stage's per-epoch objective, its pruner). */
  | { kind: 'epoch'; runId: string; epoch: EpochRecord; elapsedMs: number }
  /** A pause has taken effect: the training loop is parked at a batch boundary. */
  | { kind: 'parked'; runId: string };

export interface RunOutcome {
  runId: string;
  status: 'done' | 'cancelled' | 'failed';
}

export interface ExportedModel {
  fileName: string;
  bytes: Uint8Array;
}

/** A decoded image (RGBA as canvas ImageData gives, or gray), for a drawn digit. */
export interface PredictImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
  channels: 1 | 4;
}

export type PredictRequest = {
  projectId: string;
  modelId: string;
} & (
  /** A row of feature values (tabular and text models): strings are parsed as the column's type. */
  | { kind: 'row'; values: Record<string, string | number | boolean | null> }
  | { kind: 'image'; image: PredictImage }
);

export interface PredictResult {
  task: 'classification' | 'regression';
  /** The predicted class, or the predicted value as text. */
  predicted: string;
  /** Class probabilities in the order of `labels` (classification). */
  labels: string[] | null;
  probabilities: number[] | null;
  value: number | null;
}

/**
 * A training worker's name carries its wasm thread count when it is not every core (issue 16): TF.js fixes
 * the count when wasm starts, and the name is there synchronously, before any message. null: every core.
 */
export function trainWorkerName(base: string, threads: number | null): string {
  return threads === null ? base : `${base} (${threads} ${threads === 1 ? 'thread' : 'threads'})`;
}

/** The thread count a training worker's name asks for; null: every core. */
export function threadsOfWorkerName(name: string): number | null {
  const m = / \((\d+) threads?\)$/.exec(name);
  return m ? Number(m[1]) : null;
}
