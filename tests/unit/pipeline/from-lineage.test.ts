/**
 * "Make a pipeline from this model" on hand-built records: a model trained by hand on a transform (two of
 * its three outputs), validated against an edited schema and evaluated twice, and one trained on columns
 * without any schema or evaluation. Each expected value is the record's own, written out again here.
 */
import { describe, expect, it } from 'vitest';
import { checkPipeline } from '../../../src/core/pipeline/check';
import { pipelineFromModel, type FromLineageRecords, type HandRun } from '../../../src/core/pipeline/from-lineage';
import type { ComponentSpec } from '../../../src/core/pipeline/spec';
import type { TransformSpec } from '../../../src/core/transform/spec';
import { refusal } from './helpers';

const transformSpec: TransformSpec = {
  steps: [
    { name: 'beak', op: 'z_score', inputs: ['Beak Length (mm)'] },
    { name: 'island', op: 'vocabulary', inputs: ['Island'] },
    { name: 'mass', op: 'scale_0_1', inputs: ['Body Mass (g)'] },
  ],
};

const layers = [
  { type: 'dense' as const, units: 16, activation: 'relu' as const },
  { type: 'dense' as const, units: 8, activation: 'tanh' as const },
];
const hyper = { optimizer: 'sgd' as const, learningRate: 0.02, batchSize: 16, epochs: 25, patience: 3, classWeights: 'balanced' as const };

function run(id: string, extra: Partial<HandRun['config']> = {}, datasetVersionId = 'v1', createdAt = 100): HandRun {
  return {
    id,
    datasetVersionId,
    createdAt,
    config: {
      task: 'tabular-classification',
      presetId: null,
      features: [],
      label: 'Species',
      spec: { layers, seed: 1234 },
      baseModelId: null,
      split: { seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 } },
      hyper,
      backend: 'cpu',
      ...extra,
    },
  };
}

const model = (id: string, runId: string | null, source: 'run' | 'import' | 'optimize' = 'run', version = 1) => ({
  id,
  name: 'Penguin species',
  version,
  source,
  runId,
  metadata: { preprocessing: { label: { task: 'classification' as const } }, lineage: { datasetId: 'd1' } },
});

function records(): FromLineageRecords {
  return {
    models: [model('m1', 'r1'), model('m2', 'r2', 'run', 2), model('m3', null, 'import', 3), model('m4', null, 'optimize', 4)],
    runs: [
      run('r1', { transformId: 't1', transformOutputs: ['beak', 'mass'] }),
      run('r2', { features: [{ column: 'Flipper Length (mm)' }, { column: 'Island', encoding: 'onehot' }], backend: 'auto' }, 'v2', 50),
    ],
    datasets: [
      { id: 'd1', name: 'Palmer penguins' },
      { id: 'd2', name: 'Iris' },
    ],
    versions: [
      { id: 'v1', datasetId: 'd1', version: 3 },
      { id: 'v2', datasetId: 'd1', version: 4 },
    ],
    schemas: [
      { id: 's1', version: 1, createdAt: 60 },
      { id: 's2', version: 2, createdAt: 90 },
      { id: 's3', version: 3, createdAt: 150 }, // made after run r1 started: not what it was validated against
    ],
    transforms: [{ id: 't1', name: 'penguins-prep', fitted: { spec: transformSpec, features: { layout: [{ name: 'beak' }, { name: 'island' }, { name: 'mass' }] } } }],
    evaluations: [
      { modelId: 'm1', createdAt: 200, thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.5 }], specs: [], minCount: 30, sliced: { bootstrap: null } },
      {
        modelId: 'm1',
        createdAt: 300,
        thresholds: [
          { kind: 'absolute', metric: 'macroF1', op: '>=', value: 0.85 },
          { kind: 'relative', metric: 'accuracy', tolerance: 0.03 },
        ],
        specs: [{ column: 'Island', kind: 'categorical' }],
        minCount: 12,
        sliced: { bootstrap: { samples: 50 } },
      },
      { modelId: 'm2', createdAt: 400, thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.99 }], specs: [], minCount: 30, sliced: { bootstrap: null } },
    ],
  };
}

const byId = (components: ComponentSpec[]) => Object.fromEntries(components.map((c) => [c.id, c]));

describe('pipelineFromModel: a model trained by hand on a transform', () => {
  const { spec, notes } = pipelineFromModel(records(), 'm1', { version: 'fixed', description: 'from m1' });
  const c = byId(spec.components);

  it('is a valid pipeline named as the model, with the components in TFX order', () => {
    expect(() => checkPipeline(spec)).not.toThrow();
    expect(spec.name).toBe('Penguin species');
    expect(spec.description).toBe('from m1');
    expect(spec.components.map((x) => `${x.id}:${x.type}`)).toEqual([
      'example_gen:ExampleGen',
      'statistics_gen:StatisticsGen',
      'schema_gen:ImportSchemaGen',
      'example_validator:ExampleValidator',
      'transform:Transform',
      'trainer:Trainer',
      'evaluator:Evaluator',
      'pusher:Pusher',
    ]);
    expect(notes).toEqual([]);
  });

  it('reads the run\'s dataset version by its number, with the run\'s label and split', () => {
    expect(c.example_gen!.settings).toEqual({ dataset: { name: 'Palmer penguins' }, version: { number: 3 }, label: 'Species', split: { seed: 7, fractions: { train: 0.6, validation: 0.2, test: 0.2 } } });
  });

  it('imports the schema version that was newest when the run started (v2, not v3 made later)', () => {
    expect(c.schema_gen!.settings).toEqual({ schemaVersionId: 's2' });
    expect(c.example_validator!.inputs).toEqual({ statistics: { from: 'statistics_gen', port: 'statistics' }, schema: { from: 'schema_gen', port: 'schema' } });
  });

  it('has the transform\'s steps, only the outputs the run trained on marked as outputs', () => {
    expect(c.transform!.settings).toEqual({
      name: 'penguins-prep',
      spec: {
        steps: [
          { name: 'beak', op: 'z_score', inputs: ['Beak Length (mm)'], output: true },
          { name: 'island', op: 'vocabulary', inputs: ['Island'], output: false },
          { name: 'mass', op: 'scale_0_1', inputs: ['Body Mass (g)'], output: true },
        ],
      },
    });
  });

  it('trains with the run\'s layers, weight seed, hyperparameters and backend on the transform', () => {
    expect(c.trainer!.settings).toEqual({ name: 'Penguin species', task: 'tabular-classification', presetId: null, features: [], layers, modelSeed: 1234, hyper, backend: 'cpu' });
    expect(c.trainer!.inputs).toEqual({ examples: { from: 'example_gen', port: 'examples' }, transform_graph: { from: 'transform', port: 'transform_graph' } });
    expect(c.trainer!.after).toEqual(['example_validator']);
  });

  it('evaluates with the latest evaluation\'s thresholds, slices, bootstrap and minimum count, and pushes to production', () => {
    expect(c.evaluator!.settings).toEqual({
      thresholds: [
        { kind: 'absolute', metric: 'macroF1', op: '>=', value: 0.85 },
        { kind: 'relative', metric: 'accuracy', tolerance: 0.03 },
      ],
      slices: [{ column: 'Island', kind: 'categorical' }],
      bootstrap: 50,
      minCount: 12,
    });
    expect(c.pusher!.settings).toEqual({ alias: 'production' });
    expect(c.pusher!.inputs).toEqual({ model: { from: 'trainer', port: 'model' }, model_blessing: { from: 'evaluator', port: 'blessing' } });
  });

  it('copies what it takes: changing the spec leaves the records as they were', () => {
    const r = records();
    const made = pipelineFromModel(r, 'm1', { version: 'fixed' }).spec;
    (byId(made.components).trainer!.settings as { layers: { units: number }[] }).layers[0]!.units = 1;
    expect(r.runs[0]!.config.spec!.layers[0]).toEqual({ type: 'dense', units: 16, activation: 'relu' });
    expect(r.transforms[0]!.fitted.spec.steps[0]!.output).toBeUndefined();
  });
});

describe('pipelineFromModel: a model trained on columns', () => {
  it('gives no Transform: the Trainer reads the run\'s columns, and its latest evaluation\'s thresholds', () => {
    const { spec, notes } = pipelineFromModel(records(), 'm2', { version: 'latest' });
    expect(() => checkPipeline(spec)).not.toThrow();
    const c = byId(spec.components);
    expect(c.transform).toBeUndefined();
    expect(c.example_gen!.settings).toMatchObject({ version: 'latest', split: { seed: 7 } });
    expect(c.trainer!.settings).toMatchObject({ features: [{ column: 'Flipper Length (mm)' }, { column: 'Island', encoding: 'onehot' }], backend: 'auto' });
    expect(c.trainer!.inputs).toEqual({ examples: { from: 'example_gen', port: 'examples' } });
    expect(c.evaluator!.settings).toEqual({ thresholds: [{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.99 }], minCount: 30 });
    // the run (at 50) started before any schema version: SchemaGen infers one, and the notes say so
    expect(c.schema_gen).toMatchObject({ type: 'SchemaGen', settings: {}, inputs: { statistics: { from: 'statistics_gen', port: 'statistics' } } });
    expect(notes).toEqual(['no-schema']);
  });

  it('without an evaluation takes the Evaluate stage\'s default thresholds and says so; without a weight seed, 42', () => {
    const r = records();
    r.evaluations = [];
    r.runs[1]!.config.spec = { layers };
    const { spec, notes } = pipelineFromModel(r, 'm2', { version: 'fixed' });
    const c = byId(spec.components);
    expect(c.evaluator!.settings).toEqual({
      thresholds: [
        { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.6 },
        { kind: 'relative', metric: 'accuracy', tolerance: 0.01 },
      ],
    });
    expect((c.trainer!.settings as { modelSeed: number }).modelSeed).toBe(42);
    expect(notes).toEqual(['no-schema', 'unseeded-model', 'default-thresholds']);
  });

  it('names the dataset by id when two datasets share its name', () => {
    const r = records();
    r.datasets.push({ id: 'd3', name: 'Palmer penguins' });
    expect(byId(pipelineFromModel(r, 'm2', { version: 'fixed' }).spec.components).example_gen!.settings).toMatchObject({ dataset: { id: 'd1' }, version: { number: 4 } });
  });
});

describe('pipelineFromModel: what a pipeline cannot repeat is refused, naming it', () => {
  it('a dataset version no longer in the project, named by its dataset and id', () => {
    const r = records();
    r.versions = r.versions.filter((v) => v.id !== 'v1');
    const e = refusal(() => pipelineFromModel(r, 'm1', { version: 'fixed' }));
    expect(e.code).toBe('lineage-version-missing');
    expect(e.details.params).toEqual({ model: 'Penguin species v1', version: 'Palmer penguins (v1)' });
    r.datasets = r.datasets.filter((d) => d.id !== 'd1');
    expect(refusal(() => pipelineFromModel(r, 'm1', { version: 'fixed' })).details.params).toEqual({ model: 'Penguin species v1', version: 'v1' });
  });

  it('a transform version, a run, an imported or optimized model, fine-tuning and a label set', () => {
    const r = records();
    r.transforms = [];
    expect(refusal(() => pipelineFromModel(r, 'm1', { version: 'fixed' })).details.params).toEqual({ model: 'Penguin species v1', id: 't1' });
    expect(refusal(() => pipelineFromModel(r, 'm3', { version: 'fixed' })).code).toBe('lineage-imported');
    expect(refusal(() => pipelineFromModel(r, 'm4', { version: 'fixed' })).code).toBe('lineage-optimized');
    expect(refusal(() => pipelineFromModel(r, 'nope', { version: 'fixed' })).code).toBe('lineage-no-model');
    r.runs[1]!.config.baseModelId = 'm1';
    expect(refusal(() => pipelineFromModel(r, 'm2', { version: 'fixed' })).code).toBe('lineage-fine-tuned');
    r.runs[1]!.config.baseModelId = null;
    r.runs[1]!.config.labelSource = { kind: 'labelSet' };
    expect(refusal(() => pipelineFromModel(r, 'm2', { version: 'fixed' })).code).toBe('lineage-label-set');
    r.runs = [];
    expect(refusal(() => pipelineFromModel(r, 'm2', { version: 'fixed' })).code).toBe('lineage-run-missing');
  });
});
