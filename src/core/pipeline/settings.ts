/**
 * The settings of each component type checked for shape and range before anything runs: a refusal names
 * the component and the field's path under its settings (split.fractions.train, hyper.learningRate).
 * What needs the data (a transform step's columns, a layer stack's shapes, a pruning schedule's order) is
 * checked by the stage's own code when the component runs, with that stage's errors.
 */
import { ACTIVATIONS, LAYER_TYPES } from '../model/model-spec/types';
import type { ColumnEncoding } from '../model/preprocess/types';
import type { Task } from '../train/presets';
import { BACKEND_NAMES } from '../train/backend-types';
import { OPTIMIZERS } from '../train/optimizers';
import { PipelineError } from './errors';
import { at, Fields, type Refusals } from './fields';
import type { ComponentSpec, ComponentType, TunerSettings } from './spec';
import { checkTunerSearch, TUNE_METRICS } from './tuner';

const UINT32_MAX = 4_294_967_295;

/** The registry's alias names (services/registry.ts isValidAlias; a test keeps the two alike). */
export const ALIAS_PATTERN = /^[a-z0-9][a-z0-9._-]{0,39}$/;

// every member of each union, so a new task or encoding cannot be forgotten here
const TASKS = Object.keys({ 'tabular-classification': 1, 'tabular-regression': 1, 'image-classification': 1, 'text-classification': 1 } satisfies Record<Task, 1>) as Task[];
const ENCODINGS = Object.keys({ standardize: 1, boolean: 1, onehot: 1, bagOfWords: 1, tokens: 1, image: 1 } satisfies Record<ColumnEncoding, 1>) as ColumnEncoding[];

function refusalsFor(component: string): Refusals {
  return {
    bad: (field, expected, params = {}) => {
      throw new PipelineError('bad-settings', { component, field, params: { ...params, expected } }, `${component}: setting ${field} must be ${expected}`);
    },
    unknown: (field) => {
      throw new PipelineError('unknown-setting', { component, field }, `${component} has no setting ${field}`);
    },
    missing: (field) => {
      throw new PipelineError('missing-setting', { component, field }, `${component} lacks the setting ${field}`);
    },
  };
}

/** Throws a PipelineError naming the component and the field when its settings are not of its type's shape. */
export function checkSettings(component: ComponentSpec): void {
  const f = new Fields(refusalsFor(component.id));
  CHECKS[component.type](f, component.settings, component.id);
}

const CHECKS: Record<ComponentType, (f: Fields, settings: unknown, component: string) => void> = {
  ExampleGen: (f, s) => {
    const o = f.record(s, '', ['dataset', 'version', 'label', 'split']);
    oneOf(f, o.dataset, 'dataset', { id: (v, p) => f.text(v, p), name: (v, p) => f.text(v, p) });
    if (o.version !== 'latest') {
      if (typeof o.version === 'string') f.refuse.bad('version', 'choice', { choices: 'latest' });
      oneOf(f, o.version, 'version', { id: (v, p) => f.text(v, p), number: (v, p) => f.number(v, p, { whole: true, min: 1 }) });
    }
    if (o.label !== null) f.text(o.label, 'label');
    const split = f.record(o.split, 'split', ['seed', 'fractions']);
    f.number(split.seed, 'split.seed', { whole: true, min: 0, max: UINT32_MAX });
    checkFractions(f, split.fractions, 'split.fractions');
  },
  StatisticsGen: (f, s) => void f.record(s, '', []),
  SchemaGen: (f, s) => {
    const o = f.record(s, '', [], ['maxDomainSize', 'inferRanges']);
    f.optional(o.maxDomainSize, (v) => f.number(v, 'maxDomainSize', { whole: true, min: 1 }));
    f.optional(o.inferRanges, (v) => f.boolean(v, 'inferRanges'));
  },
  ImportSchemaGen: (f, s) => oneOf(f, s, '', { schemaVersionId: (v, p) => f.text(v, p), schema: (v, p) => f.object(v, p) }),
  ExampleValidator: (f, s) => f.boolean(f.record(s, '', ['acceptAnomalies']).acceptAnomalies, 'acceptAnomalies'),
  Transform: (f, s) => {
    const o = f.record(s, '', ['name', 'spec']);
    f.text(o.name, 'name');
    const steps = f.list(f.record(o.spec, 'spec', ['steps']).steps, 'spec.steps');
    steps.forEach((step, i) => f.object(step, at('spec.steps', i)));
  },
  Trainer: (f, s) => void checkTrainer(f, s),
  Tuner: checkTuner,
  Evaluator: (f, s) => {
    const o = f.record(s, '', ['thresholds'], ['slices', 'bootstrap', 'minCount', 'decisionThreshold']);
    f.list(o.thresholds, 'thresholds').forEach((t, i) => checkThreshold(f, t, at('thresholds', i)));
    f.optional(o.slices, (v) => f.list(v, 'slices').forEach((slice, i) => f.object(slice, at('slices', i))));
    f.optional(o.bootstrap, (v) => f.number(v, 'bootstrap', { whole: true, min: 0, max: 10_000 }));
    f.optional(o.minCount, (v) => f.number(v, 'minCount', { whole: true, min: 0 }));
    f.optional(o.decisionThreshold, (v) => f.number(v, 'decisionThreshold', { min: 0, max: 1 }));
  },
  Pusher: (f, s) => {
    const alias = f.record(s, '', ['alias']).alias;
    if (typeof alias !== 'string' || !ALIAS_PATTERN.test(alias)) f.refuse.bad('alias', 'alias');
  },
  Quantizer: (f, s) => f.choice(f.record(s, '', ['dtype']).dtype, 'dtype', ['float16', 'uint8'] as const),
  Pruner: (f, s) => {
    const o = f.record(s, '', ['schedule', 'training']);
    const sch = f.record(o.schedule, 'schedule', ['initialSparsity', 'finalSparsity', 'beginStep', 'endStep', 'frequency'], ['power']);
    for (const key of ['initialSparsity', 'finalSparsity'] as const) f.number(sch[key], at('schedule', key), { min: 0, max: 0.999_999 });
    for (const key of ['beginStep', 'endStep', 'frequency'] as const) f.number(sch[key], at('schedule', key), { whole: true, min: key === 'frequency' ? 1 : 0 });
    f.optional(sch.power, (v) => f.number(v, 'schedule.power', { above: 0 }));
    checkFineTune(f, o.training, 'training');
  },
  Distiller: (f, s) => {
    const o = f.record(s, '', ['student', 'temperature', 'alpha', 'training'], ['labeledShare']);
    const student = f.record(o.student, 'student', ['kind'], ['factor', 'sizes']);
    const kind = f.choice(student.kind, 'student.kind', ['narrower', 'hidden'] as const);
    if (kind === 'narrower') f.number(student.factor, 'student.factor', { above: 0, max: 1 });
    else f.list(student.sizes, 'student.sizes').forEach((n, i) => f.number(n, at('student.sizes', i), { whole: true, min: 1, max: 1_000_000 }));
    f.number(o.temperature, 'temperature', { above: 0 });
    f.number(o.alpha, 'alpha', { min: 0, max: 1 });
    checkFineTune(f, o.training, 'training');
    f.optional(o.labeledShare, (v) => f.number(v, 'labeledShare', { above: 0, max: 1 }));
  },
};

/** A Trainer's settings; a Tuner's have `also` besides (its space and search). */
function checkTrainer(f: Fields, s: unknown, also: readonly string[] = []): Record<string, unknown> {
  const o = f.record(s, '', ['name', 'task', 'presetId', 'features', 'layers', 'modelSeed', 'hyper', 'backend', ...also]);
  f.text(o.name, 'name');
  f.choice(o.task, 'task', TASKS);
  if (o.presetId !== null) f.text(o.presetId, 'presetId');
  f.list(o.features, 'features').forEach((c, i) => {
    const path = at('features', i);
    const choice = f.record(c, path, ['column'], ['encoding']);
    f.text(choice.column, at(path, 'column'));
    f.optional(choice.encoding, (v) => f.choice(v, at(path, 'encoding'), ENCODINGS));
  });
  f.list(o.layers, 'layers').forEach((layer, i) => {
    const path = at('layers', i);
    const l = f.object(layer, path);
    f.choice(l.type, at(path, 'type'), LAYER_TYPES);
    f.optional(l.activation, (v) => f.choice(v, at(path, 'activation'), ACTIVATIONS));
  });
  f.number(o.modelSeed, 'modelSeed', { whole: true, min: 0, max: UINT32_MAX });
  const hyper = f.record(o.hyper, 'hyper', ['optimizer', 'learningRate', 'batchSize', 'epochs', 'patience', 'classWeights']);
  checkFineTune(f, hyper, 'hyper');
  f.number(hyper.patience, 'hyper.patience', { whole: true, min: 0 });
  f.choice(hyper.classWeights, 'hyper.classWeights', ['none', 'balanced'] as const);
  if (o.backend !== 'auto') f.choice(o.backend, 'backend', ['auto', ...BACKEND_NAMES]);
  return o;
}

/** A Tuner: a Trainer's settings, the search's shape here, then the Tune page's own checks of the space and search (tuner.ts). */
function checkTuner(f: Fields, s: unknown, component: string): void {
  const o = checkTrainer(f, s, ['space', 'search']);
  f.object(o.space, 'space');
  const search = f.record(o.search, 'search', ['algorithm', 'objective', 'maxTrials', 'hyperband', 'bayesian', 'seed'], ['pruner']);
  f.choice(search.algorithm, 'search.algorithm', ['random', 'hyperband', 'bayesian'] as const);
  const objective = f.record(search.objective, 'search.objective', ['metric', 'direction']);
  f.choice(objective.metric, 'search.objective.metric', Object.keys(TUNE_METRICS));
  f.choice(objective.direction, 'search.objective.direction', ['min', 'max'] as const);
  f.number(search.maxTrials, 'search.maxTrials', { whole: true, min: 1 });
  const hb = f.record(search.hyperband, 'search.hyperband', ['maxEpochs', 'factor', 'iterations']);
  f.number(hb.maxEpochs, 'search.hyperband.maxEpochs', { whole: true, min: 1 });
  f.number(hb.factor, 'search.hyperband.factor', { whole: true, min: 2 });
  f.number(hb.iterations, 'search.hyperband.iterations', { whole: true, min: 1 });
  const bo = f.record(search.bayesian, 'search.bayesian', ['alpha', 'beta'], ['numInitialPoints']);
  f.number(bo.alpha, 'search.bayesian.alpha', { above: 0 });
  f.number(bo.beta, 'search.bayesian.beta', { min: 0 });
  f.optional(bo.numInitialPoints, (v) => f.number(v, 'search.bayesian.numInitialPoints', { whole: true, min: 1 }));
  f.optional(search.pruner, (v) => {
    const p = f.record(v, 'search.pruner', ['kind', 'startupTrials', 'warmupEpochs']);
    f.choice(p.kind, 'search.pruner.kind', ['median'] as const);
    f.number(p.startupTrials, 'search.pruner.startupTrials', { whole: true, min: 0 });
    f.number(p.warmupEpochs, 'search.pruner.warmupEpochs', { whole: true, min: 0 });
  });
  f.number(search.seed, 'search.seed', { whole: true, min: 0, max: UINT32_MAX });
  checkTunerSearch(component, s as TunerSettings);
}

/** optimizer, learningRate, batchSize and epochs (a trainer's hyper has two more fields, checked by its caller). */
function checkFineTune(f: Fields, value: unknown, path: string): void {
  const o = path === 'hyper' ? f.object(value, path) : f.record(value, path, ['optimizer', 'learningRate', 'batchSize', 'epochs']);
  f.choice(o.optimizer, at(path, 'optimizer'), OPTIMIZERS);
  f.number(o.learningRate, at(path, 'learningRate'), { above: 0 });
  f.number(o.batchSize, at(path, 'batchSize'), { whole: true, min: 1, max: 1_000_000 });
  f.number(o.epochs, at(path, 'epochs'), { whole: true, min: 1, max: 1_000_000 });
}

function checkFractions(f: Fields, value: unknown, path: string): void {
  const o = f.record(value, path, ['train', 'validation', 'test']);
  const parts = (['train', 'validation', 'test'] as const).map((p) => f.number(o[p], at(path, p), { min: 0, max: 1 }));
  // the split's own rule (core/model/split.ts): they add up to 1 and some rows train
  if (Math.abs(parts[0]! + parts[1]! + parts[2]! - 1) > 1e-6 || !(parts[0]! > 0)) f.refuse.bad(path, 'fractions');
}

function checkThreshold(f: Fields, value: unknown, path: string): void {
  const kind = f.choice(f.object(value, path).kind, at(path, 'kind'), ['absolute', 'relative'] as const);
  if (kind === 'absolute') {
    const t = f.record(value, path, ['kind', 'metric', 'op', 'value'], ['slice']);
    f.text(t.metric, at(path, 'metric'));
    f.choice(t.op, at(path, 'op'), ['>=', '<='] as const);
    f.number(t.value, at(path, 'value'));
    f.optional(t.slice, (v) => f.text(v, at(path, 'slice')));
    return;
  }
  const t = f.record(value, path, ['kind', 'metric', 'tolerance'], ['slice', 'direction', 'toleranceKind']);
  f.text(t.metric, at(path, 'metric'));
  f.number(t.tolerance, at(path, 'tolerance'), { min: 0 });
  f.optional(t.slice, (v) => f.text(v, at(path, 'slice')));
  f.optional(t.direction, (v) => f.choice(v, at(path, 'direction'), ['higher', 'lower'] as const));
  f.optional(t.toleranceKind, (v) => f.choice(v, at(path, 'toleranceKind'), ['absolute', 'relative'] as const));
}

/** An object with exactly one of the given fields, each checked by its own rule. */
function oneOf(f: Fields, value: unknown, path: string, rules: Record<string, (v: unknown, path: string) => unknown>): void {
  const o = f.object(value, path);
  const names = Object.keys(rules);
  for (const key of Object.keys(o)) if (!names.includes(key)) f.refuse.unknown(at(path, key));
  const present = names.filter((n) => o[n] !== undefined);
  if (present.length !== 1) f.refuse.bad(path, 'one-of-fields', { choices: names.join(', ') });
  rules[present[0]!]!(o[present[0]!], at(path, present[0]!));
}
