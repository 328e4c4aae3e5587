/**
 * The Evaluate stage's part of the training worker's API (TrainWorkerApi extends it): sliced metrics with
 * bootstrap intervals, thresholds and blessing (recorded in `evaluations`), and curves.
 */
import type { Threshold } from '../core/evaluate/blessing';
import type { CalibrationCurve, ThresholdMetrics } from '../core/evaluate/curves';
import type { SliceSpec } from '../core/evaluate/slice-assign';
import type { EvaluationPart, EvaluationRecord } from '../store/evaluation-records';

export interface EvaluateRequest {
  /** Job id: cancel(jobId) stops the evaluation. */
  jobId: string;
  modelId: string;
  /** null: the model's own test split; otherwise this dataset version, whole. */
  datasetVersionId: string | null;
  specs: SliceSpec[];
  /** Bootstrap replicates for the intervals (0: none). */
  bootstrap: number;
  /** Slices with fewer examples are flagged. */
  minCount: number;
  /** Binary classification: the decision threshold of precision and recall (default 0.5). */
  threshold?: number;
  thresholds: Threshold[];
  /**
   * Relative thresholds compare with this model version (a pipeline Evaluator's wired baseline_model, as
   * TFX's) instead of the version aliased production (the Evaluate stage's rule). Absent: production.
   */
  baselineModelId?: string;
}

export type EvaluatePhase = 'loading' | 'predicting' | 'slicing' | 'baseline' | 'saving';

export interface EvaluateProgress {
  phase: EvaluatePhase;
  /** Work done in this phase, 0..1. */
  fraction: number;
}

export interface CurvesRequest {
  modelId: string;
  datasetVersionId: string | null;
  /** The class scored one-vs-rest (binary: the positive class, default 1). */
  positiveClass: number;
}

export interface CurvePoint {
  x: number;
  y: number;
}

export interface CurvesResult {
  classes: string[];
  positiveClass: number;
  part: EvaluationPart;
  datasetVersionId: string;
  count: number;
  positives: number;
  /** At most a few hundred points each (thinned evenly; the end points kept). */
  roc: { points: CurvePoint[]; auc: number };
  pr: { points: CurvePoint[]; averagePrecision: number };
  calibration: CalibrationCurve;
  /** Metrics at thresholds 0, 0.01, ..., 1 (the threshold slider's steps). */
  atThresholds: ThresholdMetrics[];
}

export interface EvaluateWorkerApi {
  /** Evaluate a model version by slice, judge it by the thresholds and record the evaluation. */
  evaluate(req: EvaluateRequest, onProgress: (p: EvaluateProgress) => void): Promise<EvaluationRecord>;
  /** ROC, precision-recall and calibration curves of one class against the rest, and metrics per threshold. */
  curves(req: CurvesRequest): Promise<CurvesResult>;
}
