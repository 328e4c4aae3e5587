/**
 * The Evaluator's settings as TFMA's EvalConfig (tensorflow_model_analysis/proto/config.proto), in the
 * proto's JSON form: pipeline.py parses it with json_format.ParseDict and kfp.yaml carries it as the
 * Evaluator's eval_config parameter, as TFX's Kubeflow V2 runner writes it.
 *
 *  - model_specs: the serving signature, the label as the `transform_features` signature gives it.
 *  - slicing_specs: the whole set, each categorical slicing (feature_keys) and each slice a threshold names.
 *  - metrics_specs: one MetricConfig per metric with its MetricThreshold. Pipette's absolute thresholds are
 *    value_threshold bounds (>= lower_bound, <= upper_bound); relative ones a change_threshold: the
 *    candidate may be worse than the baseline by at most the tolerance, i.e. HIGHER_IS_BETTER with
 *    absolute (or relative) = -tolerance, LOWER_IS_BETTER with +tolerance (config.proto's "limit regression").
 *    Macro metrics are aggregated (macro_average, each class weighted 1: config.proto requires class_weights
 *    to name the classes) over top-1 predictions, as Pipette's argmax; binary
 *    AUC, precision and recall are of the class with index 1 (binarize class_ids), as Pipette's positive class.
 */
import type { Threshold } from '../../evaluate/blessing';
import type { FeatureSlicing } from '../../evaluate/slice-assign';
import { METRIC_DIRECTIONS } from '../../evaluate/slice-metrics';
import { OVERALL } from '../../evaluate/slices';
import type { EvaluatorSettings } from '../spec';
import { note, type ExportNote } from './python';

type Json = Record<string, unknown>;

/** Which TFMA metric a Pipette metric is, and the metrics spec it belongs in. */
interface TfmaMetric {
  className: string;
  config?: string;
  group: 'plain' | 'macro' | 'binary';
}

function tfmaMetric(metric: string, decisionThreshold: number): TfmaMetric | null {
  switch (metric) {
    case 'accuracy':
      return { className: 'SparseCategoricalAccuracy', group: 'plain' };
    case 'logLoss':
      return { className: 'SparseCategoricalCrossentropy', group: 'plain' };
    case 'mae':
      return { className: 'MeanAbsoluteError', group: 'plain' };
    case 'rmse':
      return { className: 'RootMeanSquaredError', group: 'plain' };
    case 'r2':
      return { className: 'R2Score', group: 'plain' };
    case 'macroPrecision':
      return { className: 'Precision', config: '"top_k": 1', group: 'macro' };
    case 'macroRecall':
      return { className: 'Recall', config: '"top_k": 1', group: 'macro' };
    case 'macroF1':
      return { className: 'F1Score', config: '"top_k": 1', group: 'macro' };
    case 'auc':
      return { className: 'AUC', group: 'binary' };
    case 'precision':
      return { className: 'Precision', config: `"thresholds": [${decisionThreshold}]`, group: 'binary' };
    case 'recall':
      return { className: 'Recall', config: `"thresholds": [${decisionThreshold}]`, group: 'binary' };
    default:
      return null;
  }
}

/** A slice id of value conditions (`Island="Dream" & Sex="MALE"`) as TFMA feature_values, else null. */
export function sliceFeatureValues(slice: string): Record<string, string> | null {
  const values: Record<string, string> = {};
  for (const part of slice.split(' & ')) {
    const m = /^(.+?)=("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false)$/.exec(part);
    if (!m) return null;
    values[m[1]!] = String(JSON.parse(m[2]!));
  }
  return values;
}

function mergeThreshold(into: Json, t: Threshold, notes: ExportNote[], component: string): void {
  if (t.kind === 'absolute') {
    const value = (into.value_threshold ?? {}) as Json;
    const key = t.op === '>=' ? 'lower_bound' : 'upper_bound';
    const stricter = t.op === '>=' ? Math.max : Math.min;
    value[key] = typeof value[key] === 'number' ? stricter(value[key] as number, t.value) : t.value;
    into.value_threshold = value;
    return;
  }
  const direction = t.direction ?? METRIC_DIRECTIONS[t.metric];
  if (!direction) {
    notes.push(note('metric-not-exported', `A relative threshold on "${t.metric}" has no direction`, { metric: t.metric }, component));
    return;
  }
  const sign = direction === 'higher' ? -1 : 1;
  into.change_threshold = {
    direction: direction === 'higher' ? 'HIGHER_IS_BETTER' : 'LOWER_IS_BETTER',
    [t.toleranceKind === 'relative' ? 'relative' : 'absolute']: sign * t.tolerance,
  };
}

function slicingSpec(s: FeatureSlicing): Json | null {
  return s.kind === 'categorical' ? { feature_keys: [s.column] } : null;
}

export interface EvalConfigExport {
  /** EvalConfig as proto JSON (snake_case field names, enums by name). */
  config: Json;
  notes: ExportNote[];
}

/** The EvalConfig of an Evaluator whose label is `labelKey` among the transform_features outputs. */
export function evalConfig(settings: EvaluatorSettings, labelKey: string, component: string, classes: number): EvalConfigExport {
  const notes: ExportNote[] = [];
  const slicing: Json[] = [{}];
  const addSlicing = (spec: Json) => {
    if (!slicing.some((s) => JSON.stringify(s) === JSON.stringify(spec))) slicing.push(spec);
  };
  for (const s of settings.slices ?? []) {
    const spec = 'cross' in s ? (s.cross.every((c) => c.kind === 'categorical') ? { feature_keys: s.cross.map((c) => c.column) } : null) : slicingSpec(s);
    if (spec) addSlicing(spec);
  }
  if (settings.bootstrap || settings.minCount !== undefined) {
    notes.push(note('evaluator-options', 'Bootstrap intervals and the small-slice count are Evaluate-page options with no EvalConfig field here', {}, component));
  }

  const groups: Record<TfmaMetric['group'], Map<string, Json>> = { plain: new Map(), macro: new Map(), binary: new Map() };
  for (const t of settings.thresholds) {
    const m = tfmaMetric(t.metric, settings.decisionThreshold ?? 0.5);
    if (!m) {
      notes.push(note('metric-not-exported', `No TFMA metric for "${t.metric}": its threshold is left out`, { metric: t.metric }, component));
      continue;
    }
    const key = `${m.className}|${m.config ?? ''}`;
    const config: Json = groups[m.group].get(key) ?? { class_name: m.className, ...(m.config ? { config: m.config } : {}) };
    groups[m.group].set(key, config);
    const slice = t.slice ?? OVERALL;
    if (slice === OVERALL) {
      const threshold = (config.threshold ?? {}) as Json;
      mergeThreshold(threshold, t, notes, component);
      config.threshold = threshold;
      continue;
    }
    const values = sliceFeatureValues(slice);
    if (!values) {
      notes.push(note('slice-not-exported', `The slice "${slice}" is not a set of column values TFMA can name: its threshold is left out`, { slice, metric: t.metric }, component));
      continue;
    }
    addSlicing({ feature_keys: Object.keys(values) });
    const perSlice = (config.per_slice_thresholds ?? []) as Json[];
    const threshold: Json = {};
    mergeThreshold(threshold, t, notes, component);
    perSlice.push({ slicing_specs: [{ feature_values: values }], threshold });
    config.per_slice_thresholds = perSlice;
  }

  const metricsSpecs: Json[] = [];
  if (groups.plain.size) metricsSpecs.push({ metrics: [...groups.plain.values()] });
  if (groups.macro.size) {
    const classWeights = Object.fromEntries(Array.from({ length: classes }, (_, c) => [String(c), 1]));
    metricsSpecs.push({ metrics: [...groups.macro.values()], aggregate: { macro_average: true, class_weights: classWeights } });
  }
  if (groups.binary.size) metricsSpecs.push({ metrics: [...groups.binary.values()], binarize: { class_ids: { values: [1] } } });
  if (!metricsSpecs.length) metricsSpecs.push({ metrics: [{ class_name: 'ExampleCount' }] });

  return {
    config: {
      model_specs: [{ signature_name: 'serving_default', label_key: labelKey, preprocessing_function_names: ['transform_features'] }],
      slicing_specs: slicing,
      metrics_specs: metricsSpecs,
    },
    notes,
  };
}
