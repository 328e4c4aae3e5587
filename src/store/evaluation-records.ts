/**
 * Records of the Evaluate stage (issue 7): one row per evaluation of a model version, with its sliced
 * metrics, the thresholds it was judged by and the blessing. Types only come from core, so the page can
 * import these without loading TF.js or Arrow.
 */
import type { SerializedCoded } from '../core/coded-errors';
import type { Blessing, Threshold } from '../core/evaluate/blessing';
import type { SliceSpec } from '../core/evaluate/slice-assign';
import type { SlicedEvaluation } from '../core/evaluate/slices';

/** Which rows of the dataset version were evaluated. */
export type EvaluationPart = 'train' | 'validation' | 'test' | 'all';

/** A promotion to production without a blessing: who decided it is the person, why is written down. */
export interface PromotionOverride {
  reason: string;
  at: number;
}

export interface EvaluationRecord {
  id: string;
  projectId: string;
  modelId: string;
  /** The dataset version evaluated and the part of it (the model's own test split, or another version whole). */
  datasetVersionId: string;
  part: EvaluationPart;
  task: 'classification' | 'regression';
  /** Classification: the class names in the model's output order. */
  classes: string[] | null;
  specs: SliceSpec[];
  minCount: number;
  sliced: SlicedEvaluation;
  thresholds: Threshold[];
  blessing: Blessing;
  /**
   * What relative thresholds compared with: the model version aliased "production" when the evaluation ran,
   * or the baseline a pipeline's Evaluator was given (its baseline_model input).
   */
  baselineModelId: string | null;
  /**
   * Why the baseline could not be evaluated on the same rows (its relative thresholds then fail): the coded
   * error, or the words of a fault (and of any error in records written before errors were kept coded).
   */
  baselineError?: SerializedCoded | string;
  /** Set when this model was promoted to production although this evaluation did not bless it. */
  override?: PromotionOverride;
  /** Wall time of the whole evaluation in the worker, and of its parts: reading, encoding and predicting the rows (0 when they were still in memory), the metrics per slice with their intervals, and the baseline. */
  durationMs: number;
  timings: { dataMs: number; sliceMs: number; baselineMs: number };
  createdAt: number;
}
