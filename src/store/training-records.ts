/**
 * Records of the Train stage and the model registry (issue 3). Plain structured-clone data: typed arrays
 * for weights, JSON for the rest. Types only come from core (erased at build), so the page can import
 * these without loading TF.js or Arrow.
 */
import type { BundleMetadata } from '../core/model/bundle';
import type { AnySerializedCodedError } from '../core/errors';
import type { ClassificationReport, RegressionReport, WorstPrediction } from '../core/model/metrics';
import type { ModelSpec } from '../core/model/model-spec';
import type { FeatureChoice, PreprocessStats } from '../core/model/preprocess';
import type { Task } from '../core/train/presets';
import type { SplitFractions, SplitRecord } from '../core/model/split';
import type { Checkpoint, EpochLog, FitStatus, OptimizerName } from '../core/train/trainer';
import type { BackendName } from '../protocol/train';
import type { BackendUnavailable } from '../core/train/backend-types';

export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** Statuses of a run whose worker may still be working on it (the sweep checks their writer lock). */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused'];

export interface Hyperparameters {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Early-stopping patience in epochs; 0 = train every epoch. */
  patience: number;
  classWeights: 'none' | 'balanced';
}

/**
 * Where a run's targets come from: the label column (the default, and what runs before label sets read
 * as), or a label-set version of the run's dataset version (soft labels: its probabilities). With a label
 * set, `label` names the gold column the test split is scored against ('' = none: then the covered test
 * rows are scored against the set's own labels).
 */
export type LabelSource = { kind: 'column' } | { kind: 'labelSet'; labelSetId: string; goldColumn: string | null };

/** Everything a person chose for a run: with the dataset version it reproduces the run. */
export interface RunConfig {
  name: string;
  task: Task;
  presetId: string | null;
  features: FeatureChoice[];
  label: string;
  /** The model as trained (input and head follow from the data); null when it comes from baseModelId. */
  spec: ModelSpec | null;
  /** Train further from this model version's weights (fine-tuning) instead of a fresh model. */
  baseModelId: string | null;
  split: { seed: number; fractions: SplitFractions };
  hyper: Hyperparameters;
  backend: 'auto' | BackendName;
  /** Absent = { kind: 'column' }. */
  labelSource?: LabelSource;
  /**
   * The transform version whose outputs are the features (lineage; `features` is then empty): the run
   * splits as the transform's analysis did. Absent: features from `features`.
   */
  transformId?: string;
  /**
   * Of the transform's output steps, the ones the model reads (the run's preprocessing, its model version
   * and an exported transform.json keep the transform with only these as outputs). Absent: all of them.
   */
  transformOutputs?: string[];
  /**
   * Continue from another run's checkpoint at this epoch (weights, optimizer state, history up to it)
   * instead of a fresh model: a Hyperband trial promoted from its parent (the Tune stage). The parent's
   * model and training settings must be this run's; `hyper.epochs` is the total, counted from epoch 0.
   */
  continueFrom?: { runId: string; epoch: number };
}

/** One epoch of the history, with the worker's tensor count after it (flat across epochs = no leak). */
export interface EpochRecord extends EpochLog {
  numTensors: number;
}

export interface BackendCandidate {
  name: BackendName;
  /** Median ms of this model's train step (forward, backward, optimizer update, loss readback). */
  msPerStep?: number;
  /** The fixed parity check against cpu (cpu itself has none). */
  parityOk?: boolean;
  maxAbsDiff?: number;
  /** Why it was not timed (the page words it): see BackendRefusal. */
  why?: BackendRefusal;
  /** The engine's own words for an unavailable or failing backend (a detail, in English). */
  error?: string;
}

/**
 * Why a backend was not timed for a run: not available in this browser, failed the parity check against
 * cpu, cannot train this model's layers (wasm has no convolution gradients in TF.js 4.22), or failed
 * while timing.
 */
export type BackendRefusal = 'unavailable' | 'parity' | 'no-conv' | 'failed';

/** The backend a run trained on and why. */
export interface BackendChoice {
  requested: 'auto' | BackendName;
  name: BackendName;
  msPerStep: number;
  candidates: BackendCandidate[];
  /** wasm: the threads it trained on (all cores when the page is cross-origin isolated, else 1). */
  threads?: number;
  /** wasm: 2 when a second training worker took half of every batch (core/train/data-parallel.ts), each on `threads`. */
  workers?: number;
  /**
   * A resume could not activate the backend the run had trained on (`from`), so it chose again: why by code
   * (absent in runs recorded before it was kept), and the error's own words.
   */
  fallback?: { from: BackendName; why?: BackendUnavailable; reason: string };
  /** 'auto' took the candidates' times from an earlier run of the same model, timed then (services/train-backend.ts). */
  timedAt?: number;
}

/** Cells of a dataset row as the page shows them (images as their encoded bytes). */
export type DisplayCell = number | string | boolean | null | Uint8Array;

export interface WorstRow extends WorstPrediction {
  actualLabel: string;
  predictedLabel: string;
  /** The row's feature values (and label), for a person to look at. */
  cells: Record<string, DisplayCell>;
}

export type Evaluation =
  | { task: 'classification'; split: 'test' | 'validation'; report: ClassificationReport; worst: WorstRow[] }
  | { task: 'regression'; split: 'test' | 'validation'; report: RegressionReport; worst: WorstRow[] };

export interface RunMetrics {
  /** Headline numbers: accuracy, macroF1, logLoss (and auc for two classes); or mae, rmse, r2. */
  summary: Record<string, number>;
  evaluation: Evaluation | null;
}

/** What training is doing now (for the page; the history and status are the durable part). */
export type RunPhase = 'loading' | 'encoding' | 'backend' | 'training' | 'evaluating' | 'finished';

/**
 * Majority vote, the label model and the end model, scored against the gold column on the same test rows
 * (every test row with a gold label, covered by a labeling function or not). Where every function
 * abstained, majority vote and the label model give the deterministic random tie-break of the Label page.
 */
export interface WeakSupervisionReport {
  labelSetId: string;
  labelSetVersion: number;
  labelSetKind: 'manual' | 'majority-vote' | 'label-model';
  goldColumn: string;
  /** Test rows with a gold label (all of them are scored by all three). */
  rows: number;
  /** Of those, rows where at least one function voted (in the label set). */
  coveredRows: number;
  /** null when the set cannot give it (a manual set; a set saved before votes were stored). */
  majorityVote: number | null;
  labelModel: number | null;
  endModel: number;
  /**
   * The three accuracies on the covered rows alone, where no one flips a coin for all-abstain rows (null:
   * the set cannot give it, or no covered row). Absent in runs recorded before it was kept.
   */
  covered?: WeakScores;
}

export interface WeakScores {
  majorityVote: number | null;
  labelModel: number | null;
  endModel: number | null;
}

/** One training run: an experiment record. */
export interface RunRecord {
  id: string;
  projectId: string;
  datasetVersionId: string;
  status: RunStatus;
  config: RunConfig;
  phase?: RunPhase;
  /** Row counts of the split (the rows themselves follow from the seed, fractions and labels). */
  split?: SplitRecord;
  /** Fitted on the training rows; the same statistics go into a saved model's metadata. */
  preprocessing?: PreprocessStats;
  backend?: BackendChoice;
  history: EpochRecord[];
  metrics: RunMetrics | null;
  fit?: { status: FitStatus; bestEpoch: number | null; restoredBest: boolean };
  /** Wall time spent working on the run (loading, training, evaluating), summed over resumes; pauses excluded. */
  durationMs: number;
  /** How often it was continued from a checkpoint after an interruption. */
  resumes?: number;
  error?: AnySerializedCodedError | { message: string };
  /** The model version saved from this run. */
  modelId?: string;
  /** Runs trained on a label set with a gold column: the three accuracies on the same test rows. */
  weakSupervision?: WeakSupervisionReport;
  createdAt: number;
  updatedAt: number;
}

/**
 * The latest checkpoint of a run: weights, optimizer state, epoch. Replaced after every epoch ('epoch');
 * when the run finishes it becomes the final weights the registry saves from ('final').
 */
export interface CheckpointRecord {
  runId: string;
  kind: 'epoch' | 'final';
  epoch: number;
  data: Checkpoint;
  savedAt: number;
}

/** An immutable model version with its lineage. */
export interface ModelVersionRecord {
  id: string;
  projectId: string;
  name: string;
  /** 1, 2, 3 ... within the project. */
  version: number;
  /** 'optimize': a variant made from parentModelId by quantization, pruning or distillation (metadata.optimization says how). */
  source: 'run' | 'import' | 'optimize';
  runId: string | null;
  datasetVersionId: string | null;
  /** Trained further from (fine-tuning) or imported as this version. */
  parentModelId: string | null;
  /** What metadata.json of an exported bundle holds. */
  metadata: BundleMetadata;
  /** Bytes of weights. */
  weightBytes: number;
  createdAt: number;
}

/** The TF.js Layers artifacts of a model version: what tf.io.fromMemory takes. */
export interface ModelArtifacts {
  modelTopology: object;
  /** `quantization` as the TF.js manifest has it: such weights are stored small and dequantized on load. */
  weightSpecs: { name: string; shape: number[]; dtype: string; quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number } }[];
  weightData: ArrayBuffer;
}

/** The TF.js artifacts of a model version (model.json + weights), kept apart from the small metadata row. */
export interface ModelArtifactsRecord {
  modelId: string;
  artifacts: ModelArtifacts;
}

/** An alias such as "staging" or "production" pointing at a model version. */
export interface AliasRecord {
  projectId: string;
  alias: string;
  modelId: string;
  updatedAt: number;
  /** A promotion to production without a blessing, with the person's written reason. */
  override?: { reason: string; evaluationId: string | null };
}
