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
}

export interface SelectProgress {
  /** read: the version's batches; method: a method's own steps; compare: the table; series: score against count. */
  phase: 'read' | 'method' | 'compare' | 'series';
  method?: SelectMethodId;
  done: number;
  total: number;
}

/** A candidate column the matrix leaves out, and why. */
export interface LeftOutColumn {
  column: string;
  why: 'text' | 'image' | 'too-many-categories' | 'no-values';
}

export interface SelectRow {
  /** 'all': every candidate feature, the row the others are measured against. */
  method: SelectMethodId | 'all';
  /** The chosen source columns, in the version's column order. */
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
  split: { seed: number; stratified: boolean; train: number; validation: number; excluded: number };
  table: SelectRow[];
  series: SelectSeries[];
  seconds: number;
}

export interface SelectApi {
  /** Run the chosen methods on a version's Train-stage split and compare their subsets. */
  selectFeatures(req: SelectRequest, onProgress?: (p: SelectProgress) => void): Promise<SelectResult>;
}
