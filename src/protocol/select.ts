/**
 * Feature selection's part of the data worker API (services/select.ts does the work). Type-only
 * imports: the page gets plain JSON and never loads Arrow.
 *
 * A long call takes a job id (the page passes it to `cancel(jobId)`) and an optional progress callback
 * (a Comlink.proxy). A cancelled call rejects with an Error named 'AbortError'. Nothing is stored.
 */
import type { SplitFractions } from '../core/model/split';
import type { SubsetScores, Task } from '../core/select';

/**
 * The methods the page offers, by scikit-learn's names where there is one. `f_test` is f_classif or
 * f_regression and `mutual_info` mutual_info_classif or mutual_info_regression, by the target's task.
 */
export const SELECT_METHODS = ['variance_threshold', 'drop_correlated', 'r_regression', 'f_test', 'chi2', 'mutual_info', 'rfe', 'sfs', 'l1', 'permutation'] as const;
export type SelectMethodId = (typeof SELECT_METHODS)[number];

/** What a method is given: k (the features to keep) or a threshold, where it takes one. */
export type MethodParam = 'k' | 'threshold' | 'none';

export function methodParam(method: SelectMethodId): MethodParam {
  if (method === 'variance_threshold' || method === 'drop_correlated') return 'threshold';
  return method === 'l1' ? 'none' : 'k';
}

/** The task a method is only for (r_regression needs a numeric target, chi2 classes); the others fit both. */
export const METHOD_TASK: Partial<Record<SelectMethodId, Task>> = { r_regression: 'regression', chi2: 'classification' };

export interface SelectMethodChoice {
  method: SelectMethodId;
  /** Features to keep (the ranking and wrapper methods); more than there are keeps them all. */
  k?: number;
  /** variance_threshold: the variance a feature must exceed; drop_correlated: the |r| above which one of a pair goes. */
  threshold?: number;
}

export interface SelectRequest {
  jobId: string;
  projectId: string;
  datasetVersionId: string;
  /** The target column (the Train stage's label). */
  target: string;
  /** Candidate feature columns; default every column but the target. */
  features?: string[];
  methods: SelectMethodChoice[];
  /** The Train stage's split: default seed 42 and 0.7 / 0.15 / 0.15. */
  seed?: number;
  fractions?: SplitFractions;
  /**
   * Select among this transform version's outputs instead of the version's columns: each output step is
   * one feature (its slots kept or dropped together), the target is the transform's label column, and the
   * split is the transform's own (its dataset version, seed and fractions: `datasetVersionId`, `target`,
   * `features`, `seed` and `fractions` are then taken from it), so the training rows are those its
   * analyzers read.
   */
  transformId?: string;
}

export interface SelectProgress {
  /**
   * labels: the label column read for a transform's split (rows); read: the version's batches; method: a
   * method's own steps; compare: the table; series: score against count.
   */
  phase: 'labels' | 'read' | 'method' | 'compare' | 'series';
  method?: SelectMethodId;
  done: number;
  total: number;
}

/**
 * A candidate column (or a transform's step) the matrix leaves out, and why. A transform's: not-numeric is
 * a step giving strings or tokens, not-output an intermediate step (read by other steps, not a model
 * feature), too-wide an output of more than MAX_STEP_SLOTS slots.
 */
export interface LeftOutColumn {
  column: string;
  why: 'text' | 'image' | 'too-many-categories' | 'no-values' | 'not-numeric' | 'not-output' | 'too-wide';
}

/** A transform output wider than this is left out (a large vocabulary's one-hot would make the matrix huge). */
export const MAX_STEP_SLOTS = 256;

export interface SelectRow {
  /** 'all': every candidate feature, the row the others are measured against. */
  method: SelectMethodId | 'all';
  /** The chosen source columns (a transform's output steps), in the version's column (the transform's step) order. */
  columns: string[];
  count: number;
  /** The small model's scores on the validation rows. */
  scores: SubsetScores;
}

export interface SelectSeries {
  method: SelectMethodId;
  /** The validation scores of the model on the best 1, 2, ... features by the method's ranking. */
  points: { count: number; scores: SubsetScores }[];
}

export interface SelectResult {
  projectId: string;
  datasetVersionId: string;
  target: string;
  task: Task;
  /** The target's classes (classification). */
  classes: string[];
  /** The candidate columns in the matrix. */
  features: string[];
  leftOut: LeftOutColumn[];
  /** Width of the encoded matrix (a categorical is one column per category). */
  matrixColumns: number;
  /** The split's parts (all their rows) ... */
  split: { seed: number; stratified: boolean; train: number; validation: number; excluded: number };
  /** ... and the rows of each that were encoded: all of them, or MAX_SELECT_ROWS drawn with the seed. */
  used: { train: number; validation: number };
  /** The transform version whose outputs were the features; absent: the version's columns. */
  transform?: { id: string; name: string; version: number };
  table: SelectRow[];
  series: SelectSeries[];
  seconds: number;
}

export interface SelectApi {
  /** Run the chosen methods on a version's Train-stage split and compare their subsets. */
  selectFeatures(req: SelectRequest, onProgress?: (p: SelectProgress) => void): Promise<SelectResult>;
}
