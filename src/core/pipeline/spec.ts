/**
 * A pipeline as a versioned JSON document: the stages as TFX components wired into a DAG.
 *
 *   { "format": "pipette-pipeline", "version": 1, "name": "penguins",
 *     "components": [
 *       { "id": "example_gen", "type": "ExampleGen", "settings": { ... }, "inputs": {} },
 *       { "id": "statistics_gen", "type": "StatisticsGen", "settings": {},
 *         "inputs": { "examples": { "from": "example_gen", "port": "examples" } } } ] }
 *
 * Each component has an id (unique, a name such as "trainer"), a type with TFX's contract (components.ts:
 * its input and output ports and the artifact kind of each), its settings (the ones its stage page has,
 * typed per type below) and its inputs: for each input port, the component and output port it reads.
 * `after` orders a component after others without reading their outputs (TFX's add_upstream_node, Kubeflow's
 * .after()), e.g. a Trainer after the ExampleValidator that may fail the run. `cache: false` opts a component
 * out of caching (cache.ts). parsePipeline checks the document's shape and names the field that is wrong;
 * check.ts checks the wiring.
 */
import type { Threshold } from '../evaluate/blessing';
import type { SliceSpec } from '../evaluate/slice-assign';
import type { ColumnEncoding } from '../model/preprocess/types';
import type { LayerSpec } from '../model/model-spec/types';
import type { SplitFractions } from '../model/split';
import type { PruningSchedule } from '../optimize/prune';
import type { StudentChoice } from '../optimize/student';
import type { BackendName } from '../train/backend-types';
import type { Task } from '../train/presets';
import type { TrainConfig } from '../train/trainer';
import type { TransformSpec } from '../transform/spec';
import type { SearchConfig, SearchSpace } from '../tune/types';
import type { Schema } from '../validate/schema';
import { PipelineError } from './errors';
import { at, Fields, type Refusals } from './fields';

export const PIPELINE_FORMAT = 'pipette-pipeline';
export const PIPELINE_VERSION = 1;

/** TFX's standard components, and Pipette's optimizers (each takes a model and gives a model). */
export const COMPONENT_TYPES = [
  'ExampleGen',
  'StatisticsGen',
  'SchemaGen',
  'ImportSchemaGen',
  'ExampleValidator',
  'Transform',
  'Trainer',
  'Tuner',
  'Evaluator',
  'Pusher',
  'Quantizer',
  'Pruner',
  'Distiller',
] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export function isComponentType(type: string): type is ComponentType {
  return (COMPONENT_TYPES as readonly string[]).includes(type);
}

/** Where an input port reads from: an output port of another component. */
export interface InputRef {
  from: string;
  port: string;
}

export interface ComponentSpec<T extends ComponentType = ComponentType> {
  /** Unique in the pipeline: letters, digits and _ (a Python identifier, so exports can use it). */
  id: string;
  type: T;
  settings: SettingsOf[T];
  /** Input port -> the output it reads. */
  inputs: Record<string, InputRef>;
  /** Components this one runs after without reading their outputs. */
  after?: string[];
  /** false: never reuse an earlier execution's outputs (default true). */
  cache?: boolean;
}

export interface PipelineSpec {
  format: typeof PIPELINE_FORMAT;
  version: typeof PIPELINE_VERSION;
  name: string;
  description?: string;
  components: ComponentSpec[];
}

// ---- settings per type: what each stage's page asks for ----

/** A dataset of the project: by id (the tab), or by name (the demo, an exported pipeline, the CLI's --data). */
export type DatasetRef = { id: string } | { name: string };

/** Which version: the newest ready one when the run starts, or a fixed one (by id, or number within its dataset). */
export type VersionRef = 'latest' | { id: string } | { number: number };

/** ExampleGen: a dataset version and its split, as the Train and Transform stages split it. */
export interface ExampleGenSettings {
  dataset: DatasetRef;
  version: VersionRef;
  /** The label column: the split is stratified by it when it holds classes; null: no label. */
  label: string | null;
  split: { seed: number; fractions: SplitFractions };
}

/** StatisticsGen: the Validate stage's statistics (broken down by the examples' label). */
export type StatisticsGenSettings = Record<string, never>;

/** SchemaGen: the Validate stage's inferSchema options (core/validate/schema.ts InferOptions). */
export interface SchemaGenSettings {
  /** A categorical column gets a value domain up to this many distinct values (default 100, as TFDV). */
  maxDomainSize?: number;
  /** Give numbers a [min, max] domain from the observed range (default false, as TFDV). */
  inferRanges?: boolean;
}

/** ImportSchemaGen: a schema version of the project, or a schema written in the pipeline. */
export type ImportSchemaGenSettings = { schemaVersionId: string } | { schema: Schema };

/** ExampleValidator: anomalies fail the run unless accepted. */
export interface ExampleValidatorSettings {
  acceptAnomalies: boolean;
}

/** Transform: a transform spec (core/transform/spec.ts), analyzed on the examples' training rows. */
export interface TransformSettings {
  /** The transform's name; each run's fitted transform is a new version of it. */
  name: string;
  spec: TransformSpec;
}

/** The Train stage's hyperparameters: the trainer's own settings plus early stopping and class weights. */
export type TrainHyperparameters = Pick<TrainConfig, 'optimizer' | 'learningRate' | 'batchSize' | 'epochs'> & {
  /** Early-stopping patience in epochs; 0 = train every epoch. */
  patience: number;
  classWeights: 'none' | 'balanced';
};

/**
 * Trainer: the Train stage's new-run form. The label and split come from the examples; the model's input
 * and head follow from the data (as on the page); features from a transform_graph input when one is wired
 * (then `features` is empty), else the columns listed.
 */
export interface TrainerSettings {
  /** The run's name (and the model version's). */
  name: string;
  task: Task;
  presetId: string | null;
  features: { column: string; encoding?: ColumnEncoding }[];
  layers: LayerSpec[];
  /** Seeds the weight initializers (the Train stage's 42). */
  modelSeed: number;
  hyper: TrainHyperparameters;
  backend: 'auto' | BackendName;
}

/**
 * Tuner: a Tune stage search (core/tune/types.ts) over the model and training settings it starts from,
 * which are a Trainer's (its layers, hyperparameters, features, seed and backend; the label and split are
 * the examples'). The space's bindings name places of these layers and settings; a Trainer reading the
 * Tuner's best_hyperparameters gets the best trial's values at the same places of its own (core/pipeline/tuner.ts).
 */
export interface TunerSettings extends TrainerSettings {
  space: SearchSpace;
  search: SearchConfig;
}

/**
 * Evaluator: the Evaluate stage's request. Relative thresholds compare with the baseline_model input when
 * one is wired, else with the version aliased production (the Evaluate stage's rule).
 */
export interface EvaluatorSettings {
  thresholds: Threshold[];
  /** Slicings besides the whole set (default none). */
  slices?: SliceSpec[];
  /** Bootstrap replicates for the intervals (default 0: none). */
  bootstrap?: number;
  /** Slices with fewer examples are flagged (default 30). */
  minCount?: number;
  /** Binary classification: the decision threshold (default 0.5). */
  decisionThreshold?: number;
}

/** Pusher: point an alias of the registry at the model, only when it is blessed. */
export interface PusherSettings {
  alias: string;
}

/** Fine-tuning settings of pruning and distillation (the Optimize stage's). */
export type FineTuneSettings = Pick<TrainConfig, 'optimizer' | 'learningRate' | 'batchSize' | 'epochs'>;

export interface QuantizerSettings {
  dtype: 'float16' | 'uint8';
}

/** Pruner: the Optimize stage's schedule and fine-tuning (quantize after it with a Quantizer). */
export interface PrunerSettings {
  schedule: PruningSchedule;
  training: FineTuneSettings;
}

export interface DistillerSettings {
  student: StudentChoice;
  temperature: number;
  alpha: number;
  training: FineTuneSettings;
  /** The share (0 < share <= 1, default 1) of the teacher's training rows the student learns from. */
  labeledShare?: number;
}

export interface SettingsOf {
  ExampleGen: ExampleGenSettings;
  StatisticsGen: StatisticsGenSettings;
  SchemaGen: SchemaGenSettings;
  ImportSchemaGen: ImportSchemaGenSettings;
  ExampleValidator: ExampleValidatorSettings;
  Transform: TransformSettings;
  Trainer: TrainerSettings;
  Tuner: TunerSettings;
  Evaluator: EvaluatorSettings;
  Pusher: PusherSettings;
  Quantizer: QuantizerSettings;
  Pruner: PrunerSettings;
  Distiller: DistillerSettings;
}

/** A component of a known type, narrowed by `type` (switch (c.type) gives typed settings). */
export type AnyComponentSpec = { [T in ComponentType]: ComponentSpec<T> }[ComponentType];

// ---- the parser: the document's shape (check.ts checks types, wiring and settings) ----

const refuseDocument: Refusals = {
  bad: (field, expected, params = {}) => {
    throw new PipelineError('bad-field', { field, params: { ...params, expected } }, `${field} must be ${expected}`);
  },
  unknown: (field) => {
    throw new PipelineError('unknown-field', { field }, `${field} is not a field of a pipeline`);
  },
  missing: (field) => {
    throw new PipelineError('missing-field', { field }, `${field} is missing`);
  },
};

/**
 * The pipeline a JSON text holds, its shape checked: refused with a PipelineError naming the field
 * (components[2].inputs.schema) when it is not a pipeline. Types, wiring and settings are checkPipeline's.
 */
export function parsePipeline(text: string): PipelineSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PipelineError('bad-json', { params: { detail: e instanceof Error ? e.message : String(e) } }, `not JSON: ${String(e)}`);
  }
  return pipelineFromJson(doc);
}

/** The same check on an already parsed value (a pipeline inside another document, an import). */
export function pipelineFromJson(doc: unknown): PipelineSpec {
  const f = new Fields(refuseDocument);
  const format = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>).format : undefined;
  if (format !== PIPELINE_FORMAT) throw new PipelineError('bad-format', { params: { format: typeof format === 'string' ? format : '' } }, `not a ${PIPELINE_FORMAT} document`);
  const root = f.record(doc, '', ['format', 'version', 'name', 'components'], ['description']);
  if (root.version !== PIPELINE_VERSION) {
    throw new PipelineError('bad-version', { field: 'version', params: { version: String(root.version), supported: PIPELINE_VERSION } }, `version ${String(root.version)} is not ${PIPELINE_VERSION}`);
  }
  const spec: PipelineSpec = { format: PIPELINE_FORMAT, version: PIPELINE_VERSION, name: f.text(root.name, 'name'), components: [] };
  if (root.description !== undefined) {
    if (typeof root.description !== 'string') refuseDocument.bad('description', 'text');
    spec.description = root.description;
  }
  spec.components = f.list(root.components, 'components').map((c, i) => componentFromJson(f, c, at('components', i)));
  return spec;
}

function componentFromJson(f: Fields, value: unknown, path: string): ComponentSpec {
  const c = f.record(value, path, ['id', 'type', 'settings'], ['inputs', 'after', 'cache']);
  const inputs: Record<string, InputRef> = {};
  const inputsPath = at(path, 'inputs');
  for (const [port, ref] of Object.entries(c.inputs === undefined ? {} : f.object(c.inputs, inputsPath))) {
    const r = f.record(ref, at(inputsPath, port), ['from', 'port']);
    inputs[port] = { from: f.text(r.from, at(at(inputsPath, port), 'from')), port: f.text(r.port, at(at(inputsPath, port), 'port')) };
  }
  const component: ComponentSpec = {
    id: f.text(c.id, at(path, 'id')),
    type: f.text(c.type, at(path, 'type')) as ComponentType,
    settings: f.object(c.settings, at(path, 'settings')) as SettingsOf[ComponentType],
    inputs,
  };
  if (c.after !== undefined) component.after = f.list(c.after, at(path, 'after')).map((a, i) => f.text(a, at(at(path, 'after'), i)));
  if (c.cache !== undefined) component.cache = f.boolean(c.cache, at(path, 'cache'));
  return component;
}
