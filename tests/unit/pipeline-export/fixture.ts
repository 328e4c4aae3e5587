/**
 * The pipelines the export tests read: the demo pipeline (pipelines/demo.pipeline.json, the Palmer
 * penguins from ExampleGen to Pusher) and a richer one built with core/pipeline's types: more transform
 * operations, a batch normalization and a relu6 layer, balanced class weights, and thresholds on several
 * metrics and on a slice.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePipeline, type ComponentSpec, type PipelineSpec } from '../../../src/core/pipeline/spec';
import type { SpecColumn } from '../../../src/core/transform/check';
import type { TransformSpec } from '../../../src/core/transform/spec';
import type { ExportContext } from '../../../src/core/pipeline/export/export-plan';

export const PENGUIN_COLUMNS: SpecColumn[] = [
  { name: 'Species', type: 'categorical' },
  { name: 'Island', type: 'categorical' },
  { name: 'Beak Length (mm)', type: 'number' },
  { name: 'Beak Depth (mm)', type: 'number' },
  { name: 'Flipper Length (mm)', type: 'integer' },
  { name: 'Body Mass (g)', type: 'integer' },
  { name: 'Sex', type: 'categorical' },
];

export const PENGUIN_TRANSFORM: TransformSpec = {
  steps: [
    { name: 'beak_length_z', op: 'z_score', inputs: ['Beak Length (mm)'] },
    { name: 'beak_depth_01', op: 'scale_0_1', inputs: ['Beak Depth (mm)'] },
    { name: 'flipper_filled', op: 'fill_missing', inputs: ['Flipper Length (mm)'], params: { with: { analyzer: 'mean', input: 'Flipper Length (mm)' } } },
    { name: 'flipper_z', op: 'z_score', inputs: ['flipper_filled'] },
    { name: 'mass_bucket', op: 'bucketize', inputs: ['Body Mass (g)'], params: { num_buckets: 4 } },
    { name: 'island_idx', op: 'vocabulary', inputs: ['Island'], params: { top_k: 10 } },
    { name: 'sex_idx', op: 'vocabulary', inputs: ['Sex'], params: { num_oov_buckets: 1 } },
    { name: 'island_x_sex', op: 'cross', inputs: ['Island', 'Sex'], params: { hash_buckets: 16 } },
  ],
};

const c = <T extends ComponentSpec['type']>(spec: ComponentSpec<T>): ComponentSpec<T> => spec;

/** The richer pipeline: the demo's components with more settings exercised. */
export function richPipeline(): PipelineSpec {
  return {
    format: 'pipette-pipeline',
    version: 1,
    name: 'Penguins rich',
    description: 'From raw penguins to a blessed model',
    components: [
      c({ id: 'example_gen', type: 'ExampleGen', inputs: {}, settings: { dataset: { name: 'penguins' }, version: 'latest', label: 'Species', split: { seed: 42, fractions: { train: 0.7, validation: 0.15, test: 0.15 } } } }),
      c({ id: 'statistics_gen', type: 'StatisticsGen', settings: {}, inputs: { examples: { from: 'example_gen', port: 'examples' } } }),
      c({ id: 'schema_gen', type: 'SchemaGen', settings: {}, inputs: { statistics: { from: 'statistics_gen', port: 'statistics' } } }),
      c({
        id: 'example_validator',
        type: 'ExampleValidator',
        settings: { acceptAnomalies: false },
        inputs: { statistics: { from: 'statistics_gen', port: 'statistics' }, schema: { from: 'schema_gen', port: 'schema' } },
      }),
      c({
        id: 'transform',
        type: 'Transform',
        settings: { name: 'penguins-prep', spec: PENGUIN_TRANSFORM },
        inputs: { examples: { from: 'example_gen', port: 'examples' }, schema: { from: 'schema_gen', port: 'schema' } },
      }),
      c({
        id: 'trainer',
        type: 'Trainer',
        after: ['example_validator'],
        settings: {
          name: 'penguins-mlp',
          task: 'tabular-classification',
          presetId: null,
          features: [],
          layers: [
            { type: 'dense', units: 16, activation: 'relu' },
            { type: 'dropout', rate: 0.1 },
            { type: 'batchNormalization' },
            { type: 'dense', units: 8, activation: 'relu6' },
          ],
          modelSeed: 42,
          hyper: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 30, patience: 5, classWeights: 'balanced' },
          backend: 'auto',
        },
        inputs: { examples: { from: 'example_gen', port: 'examples' }, transform_graph: { from: 'transform', port: 'transform_graph' }, schema: { from: 'schema_gen', port: 'schema' } },
      }),
      c({
        id: 'evaluator',
        type: 'Evaluator',
        settings: {
          thresholds: [
            { kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.6 },
            { kind: 'relative', metric: 'accuracy', tolerance: 0.02 },
            { kind: 'absolute', metric: 'logLoss', op: '<=', value: 0.5 },
            { kind: 'absolute', metric: 'macroF1', op: '>=', value: 0.55 },
            { kind: 'absolute', metric: 'accuracy', slice: 'Island="Dream"', op: '>=', value: 0.5 },
          ],
          slices: [{ column: 'Island', kind: 'categorical' }],
        },
        inputs: { examples: { from: 'example_gen', port: 'examples' }, model: { from: 'trainer', port: 'model' } },
      }),
      c({
        id: 'pusher',
        type: 'Pusher',
        settings: { alias: 'production' },
        inputs: { model: { from: 'trainer', port: 'model' }, model_blessing: { from: 'evaluator', port: 'blessing' } },
      }),
    ],
  };
}

/** The demo pipeline as committed. */
export function demoPipeline(): PipelineSpec {
  return parsePipeline(readFileSync(resolve(import.meta.dirname, '../../../pipelines/demo.pipeline.json'), 'utf8'));
}

export const DEMO_CONTEXT: ExportContext = { columns: PENGUIN_COLUMNS, classes: ['Adelie', 'Chinstrap', 'Gentoo'] };
