/**
 * The editor's operations on a draft pipeline, each returning a new spec (the draft is never changed in
 * place): add a component of a type with the settings its stage page starts with, remove one (the wires of
 * what read it stay, so inspectPipeline names each as reading a component that is not there), rename one
 * (every wire and `after` follows), wire an input port to another component's output and unwire it, and
 * replace a component's settings. A wire of the wrong kind or one that closes a cycle is refused with the
 * PipelineError check.ts gives, naming the component and port.
 */
import { checkWire, inspectPipeline } from './check';
import { CONTRACTS, type ArtifactKind } from './components';
import { PipelineError } from './errors';
import type { SearchSpace } from '../tune/types';
import { PIPELINE_FORMAT, PIPELINE_VERSION, type ComponentSpec, type ComponentType, type InputRef, type PipelineSpec, type SettingsOf } from './spec';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function emptyPipeline(name: string): PipelineSpec {
  return { format: PIPELINE_FORMAT, version: PIPELINE_VERSION, name, components: [] };
}

const FINE_TUNE = { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 4 } as const;

/** A new Trainer's settings: the Train stage's MLP classifier preset. */
function trainerDefaults(): SettingsOf['Trainer'] {
  return {
    name: 'model',
    task: 'tabular-classification',
    presetId: 'mlp-classifier',
    features: [],
    layers: [
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dropout', rate: 0.1 },
      { type: 'dense', units: 32, activation: 'relu' },
    ],
    modelSeed: 42,
    hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 60, patience: 10, classWeights: 'none' },
    backend: 'auto',
  };
}

/** A new Tuner's space: the Tune page's suggestion for these layers (app/tune-form.ts defaultSpace: the first Dense layer's units, the learning rate on a log scale). */
function tunerSpace(): SearchSpace {
  return {
    version: 1,
    hps: [
      { name: 'units', kind: 'int', min: 16, max: 128, step: 16, sampling: 'linear' },
      { name: 'learning_rate', kind: 'float', min: 1e-4, max: 1e-1, sampling: 'log' },
    ],
    bindings: [
      { hp: 'units', target: { kind: 'layer', index: 0, field: 'units' } },
      { hp: 'learning_rate', target: { kind: 'hyper', field: 'learningRate' } },
    ],
    blocks: [],
  };
}

/** What a new component of each type starts with: the defaults of its stage's page (Train's MLP classifier preset, Optimize's forms). */
export function defaultSettings<T extends ComponentType>(type: T): SettingsOf[T] {
  const defaults: { [K in ComponentType]: () => SettingsOf[K] } = {
    ExampleGen: () => ({ dataset: { name: '' }, version: 'latest', label: null, split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } }),
    StatisticsGen: () => ({}),
    SchemaGen: () => ({}),
    ImportSchemaGen: () => ({ schemaVersionId: '' }),
    ExampleValidator: () => ({ acceptAnomalies: false }),
    Transform: () => ({ name: 'transform', spec: { steps: [] } }),
    Trainer: () => trainerDefaults(),
    Tuner: () => ({
      ...trainerDefaults(),
      name: 'search',
      hyper: { optimizer: 'adam', learningRate: 0.005, batchSize: 32, epochs: 20, patience: 5, classWeights: 'none' },
      space: tunerSpace(),
      search: { algorithm: 'random', objective: { metric: 'val_acc', direction: 'max' }, maxTrials: 5, hyperband: { maxEpochs: 10, factor: 3, iterations: 1 }, bayesian: { alpha: 1e-4, beta: 2.6 }, seed: 42 },
    }),
    Evaluator: () => ({ thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.9 }] }),
    Pusher: () => ({ alias: 'production' }),
    Quantizer: () => ({ dtype: 'float16' }),
    Pruner: () => ({ schedule: { initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 40, frequency: 10 }, training: { ...FINE_TUNE } }),
    Distiller: () => ({ student: { kind: 'narrower', factor: 0.25 }, temperature: 5, alpha: 0.5, training: { ...FINE_TUNE, learningRate: 0.005, epochs: 10 } }),
  };
  return defaults[type]() as SettingsOf[T];
}

/** TFX's own id for a component of a type (StatisticsGen -> statistics_gen), numbered when taken. */
export function freshId(spec: PipelineSpec, type: ComponentType): string {
  const base = type.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const taken = new Set(spec.components.map((c) => c.id));
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}

/** The spec with a new component of `type` at the end, nothing wired yet. */
export function addComponent(spec: PipelineSpec, type: ComponentType): { spec: PipelineSpec; id: string } {
  const id = freshId(spec, type);
  const component = { id, type, settings: defaultSettings(type), inputs: {} } as ComponentSpec;
  return { spec: { ...spec, components: [...spec.components, component] }, id };
}

/** The spec without component `id`; what read it or ran after it keeps the reference, which inspectPipeline names. */
export function removeComponent(spec: PipelineSpec, id: string): PipelineSpec {
  return { ...spec, components: spec.components.filter((c) => c.id !== id) };
}

/** Component `id` renamed to `to`; every wire and `after` naming it follows. Refused when `to` is not an identifier or is taken. */
export function renameComponent(spec: PipelineSpec, id: string, to: string): PipelineSpec {
  if (to === id) return spec;
  const index = componentIndex(spec, id);
  if (!IDENTIFIER.test(to)) throw new PipelineError('bad-field', { component: id, field: `components[${index}].id`, params: { expected: 'identifier' } }, `"${to}" is not a name of letters, digits and _`);
  if (spec.components.some((c) => c.id === to)) throw new PipelineError('duplicate-id', { component: to }, `two components are named ${to}`);
  const renamed = (name: string) => (name === id ? to : name);
  return {
    ...spec,
    components: spec.components.map((c) => {
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([port, ref]) => [port, { from: renamed(ref.from), port: ref.port }]));
      const next: ComponentSpec = { ...c, id: renamed(c.id), inputs };
      if (c.after) next.after = c.after.map(renamed);
      return next;
    }),
  };
}

/**
 * Input port `input` of component `to` wired to `ref`: refused as check.ts refuses it (a port its type does
 * not have, a source or output that is not there, the wrong artifact kind), or as a cycle when `ref`'s
 * component already depends on `to`; each refusal names `to` and `input`.
 */
export function wireInput(spec: PipelineSpec, to: string, input: string, ref: InputRef): PipelineSpec {
  const component = spec.components[componentIndex(spec, to)]!;
  checkWire(component, input, ref, new Map(spec.components.map((c) => [c.id, c])));
  const next = withComponent(spec, to, (c) => ({ ...c, inputs: { ...c.inputs, [input]: { from: ref.from, port: ref.port } } }));
  const hadCycle = inspectPipeline(spec).problems.some((p) => p.code === 'cycle');
  const cycle = inspectPipeline(next).problems.find((p) => p.code === 'cycle');
  if (cycle && !hadCycle) {
    throw new PipelineError('cycle', { component: to, port: input, params: cycle.details.params ?? {} }, `wiring ${to}.${input} to ${ref.from}.${ref.port} closes a cycle`);
  }
  return next;
}

/** Input port `input` of `to` no longer wired (a required one becomes a missing input). */
export function unwireInput(spec: PipelineSpec, to: string, input: string): PipelineSpec {
  return withComponent(spec, to, (c) => ({ ...c, inputs: Object.fromEntries(Object.entries(c.inputs).filter(([port]) => port !== input)) }));
}

export function setSettings(spec: PipelineSpec, id: string, settings: ComponentSpec['settings']): PipelineSpec {
  return withComponent(spec, id, (c) => ({ ...c, settings }) as ComponentSpec);
}

/** An output another component gives that an input port could read. */
export interface OutputChoice {
  from: string;
  port: string;
  kind: ArtifactKind;
}

/** The outputs of the other components whose artifact kind is what input port `input` of `to` reads. */
export function fittingOutputs(spec: PipelineSpec, to: string, input: string): OutputChoice[] {
  const component = spec.components[componentIndex(spec, to)]!;
  const kind = CONTRACTS[component.type]?.inputs[input]?.kind;
  if (!kind) return [];
  return spec.components
    .filter((c) => c.id !== to && CONTRACTS[c.type])
    .flatMap((c) => Object.entries(CONTRACTS[c.type].outputs).map(([port, given]) => ({ from: c.id, port, kind: given })))
    .filter((o) => o.kind === kind);
}

function componentIndex(spec: PipelineSpec, id: string): number {
  const index = spec.components.findIndex((c) => c.id === id);
  if (index < 0) throw new PipelineError('unknown-source', { component: id, params: { from: id } }, `${id} is not a component of the pipeline`);
  return index;
}

function withComponent(spec: PipelineSpec, id: string, change: (c: ComponentSpec) => ComponentSpec): PipelineSpec {
  const index = componentIndex(spec, id);
  return { ...spec, components: spec.components.map((c, i) => (i === index ? change(c) : c)) };
}

/**
 * A copy of `settings` with the value at `path` (split.fractions.train, thresholds[1].value) replaced, or
 * removed when `value` is undefined; the objects and lists on the way are copied, the rest shared.
 */
export function withSetting<S>(settings: S, path: string, value: unknown): S {
  const keys = path.match(/[^.[\]]+/g) ?? [];
  const put = (node: unknown, i: number): unknown => {
    const key = keys[i]!;
    const list = Array.isArray(node);
    const copy: Record<string, unknown> | unknown[] = list ? [...(node as unknown[])] : { ...(node as Record<string, unknown>) };
    const slot = list ? Number(key) : key;
    const next = i === keys.length - 1 ? value : put((copy as Record<string | number, unknown>)[slot] ?? {}, i + 1);
    if (next === undefined && !list) delete (copy as Record<string, unknown>)[key];
    else (copy as Record<string | number, unknown>)[slot] = next;
    return copy;
  };
  return (keys.length === 0 ? value : put(settings, 0)) as S;
}
