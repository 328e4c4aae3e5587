/**
 * Hand actions as lineage: hand-built records of a project (a dataset's two versions, statistics, two
 * schema versions, a transform, two training runs, an optimized model, an evaluation, the production alias)
 * read into MLMD, alone and merged with a pipeline's store. The expected ids follow the order the records
 * are read in (versions, statistics, schemas, transforms, runs, models, evaluations, aliases; each by time).
 */
import { describe, expect, it } from 'vitest';
import { lineageStore, MANUAL_CONTEXT_TYPE, type LineageRecords } from '../../../src/core/pipeline/lineage-from-records';
import { downstream, RUN_CONTEXT_TYPE, upstream, valueOf, type MlmdStore } from '../../../src/core/pipeline/mlmd';
import { MlmdRecorder } from '../../../src/core/pipeline/mlmd-record';

const split = { seed: 7, fractions: { train: 0.8, validation: 0.1, test: 0.1 } };
const config = (name: string, extra: object = {}) => ({ name, task: 'tabular-classification', split, hyper: { epochs: 5 }, baseModelId: null, ...extra });

function records(): LineageRecords {
  return {
    datasets: [{ id: 'd1', name: 'penguins' }],
    versions: [
      { id: 'v2', datasetId: 'd1', version: 2, parentId: 'v1', createdAt: 2 },
      { id: 'v1', datasetId: 'd1', version: 1, parentId: null, createdAt: 1 },
    ],
    statistics: [
      { versionId: 'v1', labelColumn: 'species', computedAt: 4 },
      { versionId: 'v1', labelColumn: '', computedAt: 3 },
    ],
    schemas: [
      { id: 's2', version: 2, parentId: 's1', origin: { kind: 'accepted' }, createdAt: 6 },
      { id: 's1', version: 1, parentId: null, origin: { kind: 'inferred', versionId: 'v1' }, createdAt: 5 },
    ],
    transforms: [{ id: 't1', name: 'prep', version: 1, source: { datasetVersionId: 'v1', split, labelColumn: 'species' }, origin: { kind: 'analyzed' }, createdAt: 7 }],
    runs: [
      { id: 'r2', datasetVersionId: 'v2', status: 'failed', config: config('second'), createdAt: 9 },
      { id: 'r1', datasetVersionId: 'v1', status: 'done', config: config('first', { transformId: 't1' }), modelId: 'm1', createdAt: 8 },
    ],
    models: [
      { id: 'm2', name: 'first-int8', version: 2, source: 'optimize', runId: null, parentModelId: 'm1', createdAt: 10 },
      { id: 'm1', name: 'first', version: 1, source: 'run', runId: 'r1', parentModelId: null, createdAt: 8.5 },
    ],
    evaluations: [{ id: 'e1', modelId: 'm1', datasetVersionId: 'v1', part: 'test', blessing: { blessed: true }, baselineModelId: null, createdAt: 11 }],
    aliases: [{ alias: 'production', modelId: 'm1', updatedAt: 12 }],
  };
}

const emptyStore = (): MlmdStore => new MlmdRecorder().store;
const artifactRows = (s: MlmdStore) => s.artifacts.map((a) => `${a.id} ${a.type} ${a.uri}${a.name ? ` "${a.name}"` : ''}`);
const eventRows = (s: MlmdStore) =>
  s.events.map((e) => {
    const x = s.executions.find((y) => y.id === e.executionId)!;
    const step = e.path?.steps[0];
    return `${x.type}#${x.id} ${e.type} ${step && 'key' in step ? step.key : ''} ${e.artifactId}`;
  });

describe('lineageStore: hand records alone', () => {
  const store = lineageStore(emptyStore(), records());

  it('gives one artifact per record (statistics of two label columns: one), named by the pipeline host URIs', () => {
    expect(artifactRows(store)).toEqual([
      '1 Examples pipette:version/v1 "penguins v1"',
      '2 Examples pipette:version/v2 "penguins v2"',
      '3 ExampleStatistics pipette:statistics/v1 "penguins v1"',
      '4 Schema pipette:schema/s1 "v1"',
      '5 Schema pipette:schema/s2 "v2"',
      '6 TransformGraph pipette:transform/t1 "prep v1"',
      '7 ModelRun pipette:run/r1',
      '8 Model pipette:model/m1 "first v1"',
      '9 ModelRun pipette:run/r2',
      '10 Model pipette:model/m2 "first-int8 v2"',
      '11 ModelEvaluation pipette:evaluation/e1',
      '12 ModelBlessing pipette:evaluation/e1',
      '13 PushedModel pipette:alias/production/m1',
    ]);
  });

  it('links them by the executions the records imply, with TFX port names', () => {
    expect(eventRows(store)).toEqual([
      'Import#1 OUTPUT examples 1',
      'Import#2 INPUT examples 1',
      'Import#2 OUTPUT examples 2',
      'StatisticsGen#3 INPUT examples 1',
      'StatisticsGen#3 OUTPUT statistics 3',
      'SchemaGen#4 INPUT statistics 3',
      'SchemaGen#4 OUTPUT schema 4',
      'SchemaEdit#5 INPUT schema 4',
      'SchemaEdit#5 OUTPUT schema 5',
      'Transform#6 INPUT examples 1',
      'Transform#6 OUTPUT transform_graph 6',
      'Trainer#7 INPUT examples 1',
      'Trainer#7 INPUT transform_graph 6',
      'Trainer#7 OUTPUT model 8',
      'Trainer#7 OUTPUT model_run 7',
      'Trainer#8 INPUT examples 2',
      'Trainer#8 OUTPUT model_run 9',
      'Optimizer#9 INPUT model 8',
      'Optimizer#9 OUTPUT model 10',
      'Evaluator#10 INPUT examples 1',
      'Evaluator#10 INPUT model 8',
      'Evaluator#10 OUTPUT evaluation 11',
      'Evaluator#10 OUTPUT blessing 12',
      'Pusher#11 INPUT model 8',
      'Pusher#11 INPUT model_blessing 12',
      'Pusher#11 OUTPUT pushed_model 13',
    ]);
    expect(store.executions.map((e) => e.lastKnownState)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'FAILED', 'COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(valueOf(store.executions[4]!.properties?.settings)).toEqual({ origin: 'accepted' });
    expect(valueOf(store.artifacts[11]!.customProperties?.blessed)).toBe(true);
  });

  it('puts every hand execution in the context "manual"', () => {
    expect(store.contexts.map((c) => [c.type, c.name])).toEqual([[MANUAL_CONTEXT_TYPE, 'manual']]);
    expect(store.associations.map((a) => a.executionId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('walks from the production model back to its data and from version 1 forward', () => {
    const up = upstream(store, 13);
    expect(up.artifacts.map((a) => a.id)).toEqual([1, 6, 8, 12, 13]);
    const down = downstream(store, 1);
    expect(down.artifacts.filter((a) => a.type === 'Model').map((a) => a.uri)).toEqual(['pipette:model/m1', 'pipette:model/m2']);
  });
});

/** A pipeline run made version v1's examples and model m1 (run r1); a second run re-made the examples artifact (cache off). */
function pipelineStore(): MlmdStore {
  const r = new MlmdRecorder();
  const [run1, run2] = [r.context(RUN_CONTEXT_TYPE, 'run-1'), r.context(RUN_CONTEXT_TYPE, 'run-2')];
  const ex = r.artifact('Examples', { uri: 'pipette:version/v1', customProperties: { versionId: { stringValue: 'v1' }, label: { stringValue: 'species' } } }).id;
  const gen = r.execution('ExampleGen', { componentId: 'example_gen', settings: {}, state: 'COMPLETE', outputs: { examples: [ex] } });
  const model = r.artifact('Model', { uri: 'pipette:model/m1' }).id;
  const run = r.artifact('ModelRun', { uri: 'pipette:run/r1' }).id;
  const trainer = r.execution('Trainer', { componentId: 'trainer', settings: {}, state: 'COMPLETE', inputs: { examples: [ex] }, outputs: { model: [model], model_run: [run] } });
  r.attach(run1, { executions: [gen, trainer], artifacts: [ex, model, run] });
  const again = r.artifact('Examples', { uri: 'pipette:version/v1' }).id;
  const gen2 = r.execution('ExampleGen', { componentId: 'example_gen', settings: {}, state: 'COMPLETE', outputs: { examples: [again] } });
  r.attach(run2, { executions: [gen2], artifacts: [again] });
  return r.store;
}

describe('lineageStore: merged with the pipeline store', () => {
  const pipeline = pipelineStore();
  const before = JSON.stringify(pipeline);
  const all = records();
  const merged = lineageStore(pipeline, { ...all, versions: all.versions.filter((v) => v.id === 'v1'), statistics: [], schemas: [], transforms: [], runs: all.runs.filter((r) => r.id === 'r1'), models: all.models.filter((m) => m.id === 'm1'), aliases: [] });

  it('keeps one artifact per URI, fills in the names and properties the records know, and leaves the input alone', () => {
    expect(artifactRows(merged)).toEqual([
      '1 Examples pipette:version/v1 "penguins v1"',
      '2 Model pipette:model/m1 "first v1"',
      '3 ModelRun pipette:run/r1',
      // the duplicate examples (4) is gone; new ids go on from the highest kept
      '4 ModelEvaluation pipette:evaluation/e1',
      '5 ModelBlessing pipette:evaluation/e1',
    ]);
    expect(valueOf(merged.artifacts[0]!.customProperties?.label)).toBe('species');
    expect(valueOf(merged.artifacts[0]!.customProperties?.dataset)).toBe('penguins');
    expect(JSON.stringify(pipeline)).toBe(before);
  });

  it('adds no hand execution for what a pipeline made; the hand evaluation reads the pipeline artifacts', () => {
    expect(eventRows(merged)).toEqual([
      'ExampleGen#1 OUTPUT examples 1',
      'Trainer#2 INPUT examples 1',
      'Trainer#2 OUTPUT model 2',
      'Trainer#2 OUTPUT model_run 3',
      'ExampleGen#3 OUTPUT examples 1',
      'Evaluator#4 INPUT examples 1',
      'Evaluator#4 INPUT model 2',
      'Evaluator#4 OUTPUT evaluation 4',
      'Evaluator#4 OUTPUT blessing 5',
    ]);
  });

  it('keeps the pipeline executions in their run contexts and the hand one in "manual"', () => {
    const contextOf = (executionId: number) => merged.associations.filter((a) => a.executionId === executionId).map((a) => merged.contexts.find((c) => c.id === a.contextId)!.name);
    expect([1, 2, 3, 4].map(contextOf)).toEqual([['run-1'], ['run-1'], ['run-2'], ['manual']]);
    expect(merged.attributions.filter((a) => a.artifactId === 1).map((a) => a.contextId)).toEqual([1, 2]);
  });
});
