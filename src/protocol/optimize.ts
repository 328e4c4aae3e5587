/**
 * The optimization part of the training worker's API (issue 6): quantize, prune and distill a model
 * version into new immutable versions, and compare a model with its variants. TrainWorkerApi extends it.
 * Long calls take a job id (cancel(jobId) stops them) and a progress callback.
 */
import type { ComparisonRow } from '../core/optimize/compare';
import type { BundleSizes } from '../core/optimize/artifacts';
import type { PruningSchedule, SparsityReport } from '../core/optimize/prune';
import type { StudentChoice } from '../core/optimize/student';
import type { DistillWarning } from '../core/optimize/distill';
import type { EpochLog, OptimizerName } from '../core/train/trainer';

export type QuantizeChoice = 'float16' | 'uint8';

export interface QuantizeRequest {
  modelId: string;
  dtype: QuantizeChoice;
  /** The new version's name (default: the parent's name and the dtype). */
  name?: string;
}

export interface QuantizeOutcome {
  modelId: string;
  dtype: QuantizeChoice;
  quantized: number;
  kept: number;
  before: BundleSizes;
  after: BundleSizes;
  /** Test-split accuracy of the new version (classification), else null. */
  accuracy: number | null;
  notes: string[];
}

/** Fine-tuning settings shared by pruning and distillation. */
export interface FineTuneSettings {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
}

export interface PruneRequest {
  jobId: string;
  modelId: string;
  schedule: PruningSchedule;
  training: FineTuneSettings;
  /** Also save the pruned model quantized to 8 bits (the zeros then shrink the download twice over). */
  thenQuantize: boolean;
  name?: string;
}

export interface PruneOutcome {
  status: 'done' | 'cancelled';
  modelId: string | null;
  /** The pruned-then-quantized version, when asked for. */
  quantizedModelId: string | null;
  report: SparsityReport | null;
  accuracy: number | null;
}

export interface DistillRequest {
  jobId: string;
  /** The teacher. */
  modelId: string;
  student: StudentChoice;
  temperature: number;
  alpha: number;
  training: FineTuneSettings;
  /** Train on another dataset version of the project (whole) instead of the teacher's training split. */
  datasetVersionId?: string | null;
  /**
   * The share (0 < share <= 1, default 1) of the teacher's training rows both students learn from: a
   * seeded, class-stratified pick. Distillation pays most when the student has fewer labels than the
   * teacher saw. Ignored with another dataset version (all its rows are used).
   */
  labeledShare?: number;
  name?: string;
}

export interface StudentSummary {
  modelId: string;
  params: number;
  /** Test-split accuracy (the teacher's test split), null when the data was another version. */
  accuracy: number | null;
  history: EpochLog[];
}

export interface DistillOutcome {
  status: 'done' | 'cancelled';
  distilled: StudentSummary | null;
  scratch: StudentSummary | null;
  teacherParams: number;
  teacherAccuracy: number | null;
  /** The labeled rows each student learned from (0 when cancelled). */
  labeledRows: number;
  /** E.g. a student larger than its teacher (allowed). */
  warnings: DistillWarning[];
}

export type OptimizePhase = 'loading' | 'training' | 'scratch' | 'saving' | 'measuring';

export interface OptimizeProgress {
  jobId: string;
  phase: OptimizePhase;
  /** 0..1 within the phase. */
  fraction: number;
  epoch?: number;
  epochs?: number;
}

export interface CompareRequest {
  jobId: string;
  /** The original; its descendants (through parentModelId) are the variants. */
  rootId: string;
}

export interface CompareResult {
  rootId: string;
  rows: ComparisonRow[];
  /** The backend the latencies were measured on. */
  backend: string;
  /** Rows per latency batch. */
  latencyBatch: number;
}

export interface OptimizeWorkerApi {
  quantizeModel(req: QuantizeRequest): Promise<QuantizeOutcome>;
  pruneModel(req: PruneRequest, onProgress: (p: OptimizeProgress) => void): Promise<PruneOutcome>;
  distillModel(req: DistillRequest, onProgress: (p: OptimizeProgress) => void): Promise<DistillOutcome>;
  compareVariants(req: CompareRequest, onProgress: (p: OptimizeProgress) => void): Promise<CompareResult>;
}
