/**
 * Lineage over a hand-built MLMD store: two runs of the demo's chain on dataset version 1 (the second with
 * another learning rate; its first four components cached, recorded as TFX records cache hits: CACHED
 * executions with events to the same artifacts) and, apart, dataset version 2 with its statistics.
 */
import { describe, expect, it } from 'vitest';
import { diffRuns } from '../../../src/core/pipeline/mlmd-diff';
import { MlmdRecorder } from '../../../src/core/pipeline/mlmd-record';
import { downstream, RUN_CONTEXT_TYPE, toMlmdJson, upstream, type MlmdStore } from '../../../src/core/pipeline/mlmd';

function twoRuns() {
  const r = new MlmdRecorder();
  const [runA, runB] = [r.context(RUN_CONTEXT_TYPE, 'run-a'), r.context(RUN_CONTEXT_TYPE, 'run-b')];
  const a = (type: string, props: Record<string, number> = {}) => r.artifact(type, { properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, { intValue: v }])) }).id;
  const ex = a('Examples', { dataset_version: 1 }); // 1
  const stats = a('ExampleStatistics'); // 2
  const schema = a('Schema'); // 3
  const graph = a('TransformGraph'); // 4
  const upToTransform = (state: 'COMPLETE' | 'CACHED') => [
    r.execution('ExampleGen', { componentId: 'example_gen', settings: { version: 'latest' }, state, outputs: { examples: [ex] } }),
    r.execution('StatisticsGen', { componentId: 'statistics_gen', settings: {}, state, inputs: { examples: [ex] }, outputs: { statistics: [stats] } }),
    r.execution('SchemaGen', { componentId: 'schema_gen', settings: {}, state, inputs: { statistics: [stats] }, outputs: { schema: [schema] } }),
    r.execution('Transform', { componentId: 'transform', settings: { name: 'prep' }, state, inputs: { examples: [ex], schema: [schema] }, outputs: { transform_graph: [graph] } }),
  ];
  const rest = (learningRate: number, blessed: number) => {
    const [model, modelRun] = [a('Model'), a('ModelRun')];
    const trainer = r.execution('Trainer', { componentId: 'trainer', settings: { hyper: { learningRate, epochs: 60 } }, state: 'COMPLETE', inputs: { examples: [ex], transform_graph: [graph] }, outputs: { model: [model], model_run: [modelRun] } });
    const [evaluation, blessing] = [a('ModelEvaluation'), a('ModelBlessing', { blessed })];
    const evaluator = r.execution('Evaluator', { componentId: 'evaluator', settings: { thresholds: [] }, state: 'COMPLETE', inputs: { examples: [ex], model: [model] }, outputs: { evaluation: [evaluation], blessing: [blessing] } });
    const pushed = a('PushedModel');
    const pusher = r.execution('Pusher', { componentId: 'pusher', settings: { alias: 'production' }, state: 'COMPLETE', inputs: { model: [model], model_blessing: [blessing] }, outputs: { pushed_model: [pushed] } });
    return [trainer, evaluator, pusher];
  };
  // run A: executions 1-7, artifacts 5-9 after the four above; run B: executions 8-14, artifacts 10-14
  r.attach(runA, { executions: [...upToTransform('COMPLETE'), ...rest(0.005, 1)] });
  r.attach(runB, { executions: [...upToTransform('CACHED'), ...rest(0.01, 0)] });
  // dataset version 2 and its statistics (artifacts 15, 16; execution 15), in no run
  const ex2 = a('Examples', { dataset_version: 2 });
  r.execution('StatisticsGen', { componentId: 'statistics_gen', settings: {}, state: 'COMPLETE', inputs: { examples: [ex2] }, outputs: { statistics: [a('ExampleStatistics')] } });
  return { store: r.store, runA, runB };
}

const ids = (s: MlmdStore) => ({ artifacts: s.artifacts.map((x) => x.id), executions: s.executions.map((x) => x.id) });

describe('upstream and downstream', () => {
  const { store } = twoRuns();

  it('upstream of run A\'s model: the transform graph and the examples it trained on, back through schema and statistics to the data', () => {
    // model 5 <- trainer 5 <- examples 1 and graph 4; 4 <- transform 4 (and its cache hit 11) <- 1, schema 3;
    // 3 <- schema_gen 3 (10) <- statistics 2 <- statistics_gen 2 (9) <- 1 <- example_gen 1 (8)
    expect(ids(upstream(store, 5))).toEqual({ artifacts: [1, 2, 3, 4, 5], executions: [1, 2, 3, 4, 5, 8, 9, 10, 11] });
    expect(upstream(store, 5).executionTypes.map((t) => t.name)).toEqual(['ExampleGen', 'StatisticsGen', 'SchemaGen', 'Transform', 'Trainer']);
    expect(upstream(store, 5).contexts.map((c) => c.name)).toEqual(['run-a', 'run-b']);
  });

  it('downstream of dataset version 1: everything made from it in both runs, nothing of version 2', () => {
    // every artifact but version 2 (15) and its statistics (16); every execution that read something
    // made from it, so neither ExampleGen execution (1, 8: they made it) nor version 2's statistics (15)
    expect(ids(downstream(store, 1))).toEqual({ artifacts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], executions: [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14] });
    expect(ids(downstream(store, 15))).toEqual({ artifacts: [15, 16], executions: [15] });
  });

  it('keeps the events among the nodes it returns, and none to nodes it left out', () => {
    const up = upstream(store, 5);
    expect(up.events.every((e) => up.artifacts.some((a) => a.id === e.artifactId) && up.executions.some((x) => x.id === e.executionId))).toBe(true);
    // trainer 5 wrote the model and the run; only the model is upstream of the model
    expect(up.events.filter((e) => e.executionId === 5).map((e) => `${e.type}:${e.artifactId}`)).toEqual(['INPUT:1', 'INPUT:4', 'OUTPUT:5']);
  });
});

describe('diffRuns', () => {
  it('names the changed setting, and the artifacts that differ from it on, by component and port', () => {
    const { store, runA, runB } = twoRuns();
    const diff = diffRuns(store, runA, runB);
    expect(diff.map((d) => [d.component, d.changed])).toEqual([
      ['example_gen', false],
      ['statistics_gen', false],
      ['schema_gen', false],
      ['transform', false],
      ['trainer', true],
      ['evaluator', true],
      ['pusher', true],
    ]);
    expect(diff[0]!.a).toEqual({ executionId: 1, state: 'COMPLETE' });
    expect(diff[0]!.b).toEqual({ executionId: 8, state: 'CACHED' });
    const trainer = diff[4]!;
    expect(trainer.settings).toEqual([{ path: 'hyper.learningRate', a: 0.005, b: 0.01 }]);
    expect(trainer.ports.map((p) => [p.direction, p.port, p.a, p.b])).toEqual([
      ['output', 'model', [5], [10]],
      ['output', 'model_run', [6], [11]],
    ]);
    const evaluator = diff[5]!;
    expect(evaluator.settings).toEqual([]);
    expect(evaluator.ports.map((p) => [p.direction, p.port, p.a, p.b, p.properties])).toEqual([
      ['input', 'model', [5], [10], []],
      ['output', 'evaluation', [7], [12], []],
      ['output', 'blessing', [8], [13], [{ path: 'blessed', a: 1, b: 0 }]],
    ]);
  });
});

describe('toMlmdJson', () => {
  // The expected JSON follows protobuf's JSON mapping of metadata_store.proto; once, Python's protobuf
  // (json_format.Parse into a LineageGraph compiled from the proto, then MessageToDict) read this store's
  // and the two-run store's output and wrote it back identical.
  it('writes the LineageGraph message as protobuf JSON: camelCase names, enums by name, int64 as strings', () => {
    const r = new MlmdRecorder();
    const ex = r.artifact('Examples', { uri: 'pipette://versions/v1', externalId: 'v1', properties: { span: { intValue: 0 }, split_names: { stringValue: '["train","eval"]' } }, customProperties: { loss: { doubleValue: NaN } }, time: 1700000000000 });
    const exec = r.execution('ExampleGen', { componentId: 'example_gen', settings: { version: 'latest' }, state: 'COMPLETE', outputs: { examples: [ex.id] }, baseType: 'PROCESS' });
    r.attach(r.context(RUN_CONTEXT_TYPE, 'run-1'), { artifacts: [ex.id], executions: [exec] });
    expect(toMlmdJson(r.store)).toEqual({
      artifactTypes: [{ id: '1', name: 'Examples' }],
      executionTypes: [{ id: '1', name: 'ExampleGen', baseType: 'PROCESS' }],
      contextTypes: [{ id: '1', name: 'pipeline_run' }],
      artifacts: [
        {
          id: '1',
          typeId: '1',
          type: 'Examples',
          state: 'LIVE',
          uri: 'pipette://versions/v1',
          externalId: 'v1',
          properties: { span: { intValue: '0' }, split_names: { stringValue: '["train","eval"]' } },
          customProperties: { loss: { doubleValue: 'NaN' } },
          createTimeSinceEpoch: '1700000000000',
          lastUpdateTimeSinceEpoch: '1700000000000',
        },
      ],
      executions: [{ id: '1', typeId: '1', type: 'ExampleGen', lastKnownState: 'COMPLETE', properties: { component_id: { stringValue: 'example_gen' }, settings: { structValue: { version: 'latest' } } } }],
      contexts: [{ id: '1', typeId: '1', type: 'pipeline_run', name: 'run-1' }],
      events: [{ artifactId: '1', executionId: '1', type: 'OUTPUT', path: { steps: [{ key: 'examples' }, { index: '0' }] } }],
      attributions: [{ artifactId: '1', contextId: '1' }],
      associations: [{ executionId: '1', contextId: '1' }],
    });
    // it is plain JSON
    expect(JSON.parse(JSON.stringify(toMlmdJson(r.store)))).toEqual(toMlmdJson(r.store));
  });
});
