/**
 * The Label stage's part of the data worker API (services/label.ts does the work). Type-only imports:
 * the page gets plain results and never loads Arrow or runs labeling functions itself.
 */
import type { SerializedLabelError } from '../core/label/errors';
import type { LfStats, LfStatus, UncertaintyStrategy } from '../core/label';
import type { Cell } from './data';
import type { LabelSetRecord } from '../store/label-records';

/** What the functions are scored against: the manual labels, a column of the dataset, or nothing. */
export type GoldSource = { kind: 'none' } | { kind: 'manual' } | { kind: 'column'; column: string };

export interface LfRunRequest {
  jobId: string;
  projectId: string;
  versionId: string;
  gold: GoldSource;
  /** Wall-clock limit per code function, ms. */
  timeoutMs?: number;
}

/** One function's row of the analysis table. */
export interface LfResultRow {
  id: string;
  name: string;
  status: LfStatus;
  /** Compile, crash, spec or time-limit message of the runner (English; the page words timeouts itself). */
  message: string | null;
  /** A spec-error's coded error (the page says it in the person's language). */
  specError: SerializedLabelError | null;
  /** Rows it threw on (those abstain), and the first. */
  errors: number;
  firstError: { row: number; message: string } | null;
  /** Rows it returned a non-class on (those abstain), and the first. */
  invalid: number;
  firstInvalid: { row: number; value: string } | null;
  /** The time limit it ran under, ms. */
  timeoutMs: number;
  stats: LfStats;
  /** The label model's estimate of how often its vote is right (NaN when it never votes). */
  estimatedAccuracy: number;
  ms: number;
}

export interface CombinedScore {
  /** Rows with a label / all rows. */
  coverage: number;
  /** Right / scored, over labeled rows that have a gold label; null without gold. */
  accuracy: number | null;
  /** Rows with a label and a gold label. */
  scored: number;
}

export interface LfRunOutcome {
  runId: string;
  versionId: string;
  rowCount: number;
  classes: string[];
  gold: GoldSource;
  /** Rows with a gold label. */
  goldRows: number;
  /** Gold column values that are not class names (those rows are not scored). */
  goldUnmatched: number;
  lfs: LfResultRow[];
  /** Snorkel's totals: rows with any label, with two or more, with conflicting labels (fractions). */
  coverage: number;
  overlap: number;
  conflict: number;
  majorityVote: CombinedScore;
  labelModel: CombinedScore & { iterations: number; converged: boolean };
  seconds: number;
}

/** Progress of a run: functions done of all. */
export type OnLfProgress = (done: number, total: number) => void;

export interface QueueOrderRequest {
  versionId: string;
  labelSetId: string;
  strategy: UncertaintyStrategy;
}

export interface LabelApi {
  /** Apply the project's labeling functions to a version; analysis, majority vote and label model. */
  runLabelingFunctions(req: LfRunRequest, onProgress?: OnLfProgress): Promise<LfRunOutcome>;
  /** Store the result of a run as a new label-set version (kind majority-vote or label-model). */
  saveWeakLabels(runId: string, kind: 'majority-vote' | 'label-model', note?: string): Promise<LabelSetRecord>;
  /** Store the current manual labels of a version (all labelers, or one) as a new label-set version. */
  saveManualLabels(projectId: string, versionId: string, labeler?: string, note?: string): Promise<LabelSetRecord>;
  /** Rows of a version most uncertain first under a probabilistic label set (labeled rows excluded by the page). */
  uncertaintyQueue(req: QueueOrderRequest): Promise<Int32Array>;
  /** The cells of the given rows, in the given order (the labeling queue's prefetch). */
  rowsAt(versionId: string, rows: number[]): Promise<Cell[][]>;
}
