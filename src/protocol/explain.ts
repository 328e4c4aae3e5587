/**
 * The fairness and explanation part of the training worker's API (TrainWorkerApi extends it). Every call
 * names a model version and the data it is evaluated on: datasetVersionId null means the model's own
 * dataset version, test split; another version is used whole.
 */
import type { FairnessReport } from '../core/evaluate/fairness';

export type WhatIfValue = string | number | boolean | null;

export interface ExplainTarget {
  modelId: string;
  datasetVersionId: string | null;
}

/** One feature column of the model, as the What-If form edits it. */
export interface ExplainFeature {
  column: string;
  /** How the model encodes it (standardize, boolean, onehot, bagOfWords, tokens, image). */
  encoding: string;
  /** The column's type in the dataset the model was trained on. */
  sourceType: string;
  /** The categories a one-hot feature knows (What-If offers them). */
  categories: string[] | null;
}

/** A row of the evaluation set for the row picker. */
export interface ExplainRowItem {
  /** The row number in the dataset version. */
  row: number;
  actual: string | null;
  predicted: string;
  /** Probability of the predicted class (classification). */
  confidence: number | null;
}

export interface ExplainSetup {
  task: 'classification' | 'regression';
  classes: string[] | null;
  inputKind: 'tabular' | 'image' | 'tokens';
  features: ExplainFeature[];
  /** Columns of the evaluated version that can be a sensitive attribute (categorical or boolean, 2-50 values). */
  sensitiveColumns: { column: string; groups: number }[];
  /** The part of the data evaluated ('test', or 'all' for another version) and how many rows it has. */
  part: string;
  evaluationRows: number;
  /** The first rows of the evaluation set, for picking one to explain. */
  rows: ExplainRowItem[];
}

export interface FairnessRequest extends ExplainTarget {
  sensitiveColumn: string;
  /** The class counted as positive (one-vs-rest; its probability is the score). */
  positiveClass: string;
}

export interface FairnessResult {
  report: FairnessReport;
  positiveClass: string;
  evaluationRows: number;
}

export interface ImportanceRequest extends ExplainTarget {
  jobId: string;
  /** Permutations per feature (default 5). */
  repeats?: number;
}

export interface ImportanceResult {
  /** 'accuracy' (classification, higher is better) or 'mse' (regression, in label units squared). */
  metric: 'accuracy' | 'mse';
  baseline: number;
  rows: number;
  /** By original column, most important first. */
  features: { name: string; importance: number; std: number }[];
}

/** The row to explain: a row number of the evaluated version, or edited values (What-If). */
export interface RowRequest extends ExplainTarget {
  row: number;
  /** Edited feature values; absent: the row as stored. */
  values?: Record<string, WhatIfValue> | null;
  /** Output explained (a class index); default the predicted class. */
  output?: number | null;
}

export interface RowPrediction {
  predicted: string;
  /** Class index (classification) or null. */
  predictedIndex: number | null;
  /** Class probabilities in the order of setup.classes, or null for regression. */
  probabilities: number[] | null;
  value: number | null;
}

export interface RowDetail {
  row: number;
  actual: string | null;
  /** The row's feature values as the What-If form shows them (text in full, images as null). */
  values: Record<string, WhatIfValue>;
  prediction: RowPrediction;
  /** The encoded pixels (height x width x channels in [0, 1]) of an image model, for drawing. */
  image: { height: number; width: number; channels: number; pixels: Float32Array } | null;
}

export interface AttributionByColumn {
  column: string;
  value: number;
}

export interface IntegratedGradientsResult {
  output: number;
  outputLabel: string;
  /** Attributions summed per original column (tabular / text), largest |value| first. */
  columns: AttributionByColumn[];
  sum: number;
  fx: number;
  fBaseline: number;
  relativeError: number;
  steps: number;
  /** Image models: |IG| summed over channels, normalized to [0, 1], height x width. */
  heatmap: Float32Array | null;
  /** Image models: the saliency map |d score / d pixel|, normalized to [0, 1]. */
  saliency: Float32Array | null;
}

export interface ShapRequest extends RowRequest {
  jobId: string;
}

export interface ShapResult {
  output: number;
  outputLabel: string;
  /** One value per original column, in the model's feature order. */
  values: AttributionByColumn[];
  sum: number;
  fx: number;
  expected: number;
  exact: boolean;
  coalitions: number;
  backgroundRows: number;
  /** Where the background rows came from: the model's training rows, or (a model without its own, e.g. imported) the evaluation rows. */
  background: 'train' | 'evaluation';
}

export interface CounterfactualResult {
  /** Null when every evaluation row has the same prediction as the query. */
  row: number | null;
  prediction: RowPrediction | null;
  /** Feature columns whose values differ, query value first. */
  changes: { column: string; from: WhatIfValue; to: WhatIfValue }[];
}

export interface ExplainProgress {
  done: number;
  total: number;
}

export interface ExplainWorkerApi {
  /** What the Fairness and Explain tabs can offer for a model on its evaluation data. */
  explainSetup(target: ExplainTarget): Promise<ExplainSetup>;
  fairness(req: FairnessRequest): Promise<FairnessResult>;
  /** Permutation feature importance by original column; cancel(req.jobId) stops it. */
  featureImportance(req: ImportanceRequest, onProgress: (p: ExplainProgress) => void): Promise<ImportanceResult>;
  rowDetail(req: RowRequest): Promise<RowDetail>;
  /** The model's prediction for a row, with the edited values when given (What-If). */
  whatIf(req: RowRequest): Promise<RowPrediction>;
  integratedGradients(req: RowRequest): Promise<IntegratedGradientsResult>;
  /** KernelSHAP values (tabular and text models) against the training rows; cancel(req.jobId) stops it. */
  kernelShap(req: ShapRequest, onProgress: (p: ExplainProgress) => void): Promise<ShapResult>;
  /** The nearest evaluation row (standardized L1 over the encoded features) predicted differently. */
  nearestCounterfactual(req: RowRequest): Promise<CounterfactualResult>;
}
