/**
 * "Make a pipeline from this model": the pipeline that repeats what a person did by hand to make a model
 * version, read from the stages' records (issue 14: a component can be created from what a person did by
 * hand). Every setting comes from a record:
 *  - ExampleGen: the training run's dataset version (fixed, by its number, or "latest" as the person picks),
 *    its label and split (seed and fractions);
 *  - StatisticsGen; ImportSchemaGen of the schema version the Validate stage validated against when the run
 *    started (the project's newest one by then), or SchemaGen when there was none (said in the notes);
 *  - ExampleValidator (anomalies fail the run);
 *  - Transform: the run's transform version's steps (only the outputs the run trained on marked as outputs);
 *  - Trainer: the run's model layers and seed, features, hyperparameters and backend; named as the model, so
 *    the pipeline's models are new versions of it;
 *  - Evaluator: the thresholds, slices, bootstrap and minimum count of the model's latest evaluation, or the
 *    Evaluate stage's default thresholds when it was never evaluated (said in the notes);
 *  - Pusher to production.
 * What a pipeline cannot repeat is refused with a PipelineError naming the model and what is missing: a model
 * not trained here (imported, or made by an optimizer), its run, dataset version or transform gone, training
 * further from another model, or a label set as the targets.
 *
 * The records are plain shapes (the store's rows satisfy them), so core stays free of the DB.
 */
import { defaultThresholds, type Threshold } from '../evaluate/blessing';
import type { SliceSpec } from '../evaluate/slice-assign';
import type { FeatureChoice } from '../model/preprocess/types';
import type { ModelSpec } from '../model/model-spec/types';
import type { SplitFractions } from '../model/split';
import type { TransformSpec } from '../transform/spec';
import { PipelineError } from './errors';
import { PIPELINE_FORMAT, PIPELINE_VERSION, type AnyComponentSpec, type EvaluatorSettings, type PipelineSpec, type TrainerSettings, type TrainHyperparameters } from './spec';

export interface HandModel {
  id: string;
  name: string;
  version: number;
  source: 'run' | 'import' | 'optimize';
  runId: string | null;
  /** The label's task (which default thresholds fit) and the dataset trained on (named when its version is gone). */
  metadata: { preprocessing: { label: { task: 'classification' | 'regression' } }; lineage: { datasetId?: string } };
}

export interface HandRun {
  id: string;
  datasetVersionId: string;
  createdAt: number;
  config: {
    task: TrainerSettings['task'];
    presetId: string | null;
    features: readonly FeatureChoice[];
    label: string;
    spec: Pick<ModelSpec, 'layers' | 'seed'> | null;
    baseModelId: string | null;
    split: { seed: number; fractions: SplitFractions };
    hyper: TrainHyperparameters;
    backend: TrainerSettings['backend'];
    labelSource?: { kind: string };
    transformId?: string;
    transformOutputs?: string[];
  };
}

export interface HandTransform {
  id: string;
  name: string;
  fitted: { spec: TransformSpec; features: { layout: readonly { name: string }[] } };
}

export interface HandEvaluation {
  modelId: string;
  createdAt: number;
  thresholds: Threshold[];
  specs: SliceSpec[];
  minCount: number;
  sliced: { bootstrap: { samples: number } | null };
}

/** A project's records, each list in any order (ready dataset versions only). */
export interface FromLineageRecords {
  models: HandModel[];
  runs: HandRun[];
  datasets: { id: string; name: string }[];
  versions: { id: string; datasetId: string; version: number }[];
  schemas: { id: string; version: number; createdAt: number }[];
  transforms: HandTransform[];
  evaluations: HandEvaluation[];
}

export interface FromLineageChoice {
  /** Read the run's dataset version ('fixed') or whatever is newest when the pipeline runs ('latest'). */
  version: 'fixed' | 'latest';
  description?: string;
}

/** What the page tells the person about a setting that did not come from a record. */
export type FromLineageNote =
  | 'default-thresholds' // never evaluated: the Evaluator has the Evaluate stage's default thresholds
  | 'no-schema' // no schema version when the run started: SchemaGen infers one from the statistics
  | 'unseeded-model'; // the run's model had no weight seed: the Trainer seeds with 42

export interface FromLineage {
  spec: PipelineSpec;
  notes: FromLineageNote[];
}

/** The Train stage's weight seed, for a run recorded before the seed was kept. */
const DEFAULT_MODEL_SEED = 42;

function refuse(code: 'lineage-imported' | 'lineage-optimized' | 'lineage-run-missing' | 'lineage-version-missing' | 'lineage-transform-missing' | 'lineage-fine-tuned' | 'lineage-label-set', model: HandModel, params: Record<string, string | number> = {}): never {
  const named = `${model.name} v${model.version}`;
  throw new PipelineError(code, { params: { model: named, ...params } }, `${named}: ${code} ${JSON.stringify(params)}`);
}

/** The pipeline that repeats how the model version `modelId` was made by hand, and notes on its defaults. */
export function pipelineFromModel(records: FromLineageRecords, modelId: string, choice: FromLineageChoice): FromLineage {
  const model = records.models.find((m) => m.id === modelId);
  if (!model) throw new PipelineError('lineage-no-model', { params: { id: modelId } }, `no model version ${modelId}`);
  if (model.source !== 'run' || !model.runId) refuse(model.source === 'optimize' ? 'lineage-optimized' : 'lineage-imported', model);
  const run = records.runs.find((r) => r.id === model.runId);
  if (!run) refuse('lineage-run-missing', model, { id: model.runId });
  const { config } = run;
  if (config.baseModelId !== null || !config.spec) refuse('lineage-fine-tuned', model);
  if (config.labelSource && config.labelSource.kind !== 'column') refuse('lineage-label-set', model);
  const version = records.versions.find((v) => v.id === run.datasetVersionId);
  const dataset = records.datasets.find((d) => d.id === (version?.datasetId ?? model.metadata.lineage.datasetId));
  // named by its dataset when that is still there (a deleted version's number is not kept anywhere)
  if (!version || !dataset) refuse('lineage-version-missing', model, { version: dataset ? `${dataset.name} (${run.datasetVersionId})` : run.datasetVersionId });
  const transform = config.transformId === undefined ? null : records.transforms.find((t) => t.id === config.transformId);
  if (transform === undefined) refuse('lineage-transform-missing', model, { id: config.transformId! });

  const notes: FromLineageNote[] = [];
  // the schema the Validate stage validated against when the run started: the newest by then
  const schema = records.schemas.filter((s) => s.createdAt <= run.createdAt).sort((a, b) => b.version - a.version)[0];
  if (!schema) notes.push('no-schema');
  const modelSeed = config.spec.seed ?? DEFAULT_MODEL_SEED;
  if (config.spec.seed === undefined) notes.push('unseeded-model');
  const evaluation = [...records.evaluations].filter((e) => e.modelId === model.id).sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!evaluation) notes.push('default-thresholds');

  // by name when it names one dataset (what the command-line runner and exports read), else by id
  const byName = records.datasets.filter((d) => d.name === dataset.name).length === 1;
  const examples = { from: 'example_gen', port: 'examples' };
  const statistics = { from: 'statistics_gen', port: 'statistics' };
  const schemaRef = { from: 'schema_gen', port: 'schema' };
  const components: AnyComponentSpec[] = [
    {
      id: 'example_gen',
      type: 'ExampleGen',
      settings: {
        dataset: byName ? { name: dataset.name } : { id: dataset.id },
        version: choice.version === 'latest' ? 'latest' : { number: version.version },
        label: config.label,
        split: { seed: config.split.seed, fractions: { ...config.split.fractions } },
      },
      inputs: {},
    },
    { id: 'statistics_gen', type: 'StatisticsGen', settings: {}, inputs: { examples } },
    schema
      ? { id: 'schema_gen', type: 'ImportSchemaGen', settings: { schemaVersionId: schema.id }, inputs: {} }
      : { id: 'schema_gen', type: 'SchemaGen', settings: {}, inputs: { statistics } },
    { id: 'example_validator', type: 'ExampleValidator', settings: { acceptAnomalies: false }, inputs: { statistics, schema: schemaRef } },
  ];
  if (transform) {
    components.push({ id: 'transform', type: 'Transform', settings: { name: transform.name, spec: transformSpecOf(transform, config.transformOutputs) }, inputs: { examples, schema: schemaRef } });
  }
  components.push(
    {
      id: 'trainer',
      type: 'Trainer',
      settings: {
        name: model.name,
        task: config.task,
        presetId: config.presetId,
        features: transform ? [] : columnFeatures(config.features),
        layers: structuredClone(config.spec.layers),
        modelSeed,
        hyper: { ...config.hyper },
        backend: config.backend,
      },
      inputs: transform ? { examples, transform_graph: { from: 'transform', port: 'transform_graph' } } : { examples },
      after: ['example_validator'],
    },
    { id: 'evaluator', type: 'Evaluator', settings: evaluatorSettings(evaluation, model.metadata.preprocessing.label.task), inputs: { examples, model: { from: 'trainer', port: 'model' } } },
    { id: 'pusher', type: 'Pusher', settings: { alias: 'production' }, inputs: { model: { from: 'trainer', port: 'model' }, model_blessing: { from: 'evaluator', port: 'blessing' } } },
  );
  const spec: PipelineSpec = { format: PIPELINE_FORMAT, version: PIPELINE_VERSION, name: model.name, components };
  if (choice.description) spec.description = choice.description;
  return { spec, notes };
}

/** The run's column features (a transform run has none: its features come from the transform_graph). */
function columnFeatures(features: readonly FeatureChoice[]): TrainerSettings['features'] {
  return features.flatMap((f) => (f.encoding === 'transform' ? [] : [f.encoding === undefined ? { column: f.column } : { column: f.column, encoding: f.encoding }]));
}

/**
 * The transform's spec; when the run trained on some of its outputs only, those are marked outputs and the
 * others not, so the pipeline's fitted transform gives the model the same inputs.
 */
function transformSpecOf(transform: HandTransform, outputs: readonly string[] | undefined): TransformSpec {
  const spec = structuredClone(transform.fitted.spec);
  if (!outputs) return spec;
  const fittedOutputs = new Set(transform.fitted.features.layout.map((o) => o.name));
  for (const step of spec.steps) {
    if (outputs.includes(step.name)) step.output = true;
    else if (fittedOutputs.has(step.name)) step.output = false;
  }
  return spec;
}

function evaluatorSettings(evaluation: HandEvaluation | undefined, task: 'classification' | 'regression'): EvaluatorSettings {
  if (!evaluation) return { thresholds: defaultThresholds(task) };
  const settings: EvaluatorSettings = { thresholds: structuredClone(evaluation.thresholds), minCount: evaluation.minCount };
  if (evaluation.specs.length > 0) settings.slices = structuredClone(evaluation.specs);
  if (evaluation.sliced.bootstrap) settings.bootstrap = evaluation.sliced.bootstrap.samples;
  return settings;
}
