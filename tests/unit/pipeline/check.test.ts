/** checkPipeline: the DAG of the demo, and each refusal naming the component and the port or field. */
import { describe, expect, it } from 'vitest';
import { checkPipeline } from '../../../src/core/pipeline/check';
import type { PipelineSpec } from '../../../src/core/pipeline/spec';
import { errorMessage } from '../../../src/app/format';
import { i18n } from '../../../src/app/i18n.svelte';
import { demo, demoWith, refusal } from './helpers';

describe('checkPipeline: the demo pipeline', () => {
  it('levels the demo: ExampleGen, StatisticsGen, SchemaGen, then ExampleValidator beside Transform, then Trainer, Evaluator, Pusher', () => {
    const dag = checkPipeline(demo());
    // by hand: example_gen needs nothing; statistics_gen reads it; schema_gen reads statistics; the validator
    // (statistics + schema) and the transform (examples + schema) both need schema_gen last; the trainer waits
    // for the transform's graph and (after) the validator; the evaluator for the model; the pusher for the blessing
    expect(dag.levels).toEqual([['example_gen'], ['statistics_gen'], ['schema_gen'], ['example_validator', 'transform'], ['trainer'], ['evaluator'], ['pusher']]);
    expect(dag.order).toEqual(['example_gen', 'statistics_gen', 'schema_gen', 'example_validator', 'transform', 'trainer', 'evaluator', 'pusher']);
    expect(dag.components.trainer!.dependsOn).toEqual(['example_gen', 'example_validator', 'transform']);
    expect(dag.components.pusher!.dependsOn).toEqual(['trainer', 'evaluator']);
    expect(dag.edges.filter((e) => e.to === 'evaluator')).toEqual([
      { from: 'example_gen', output: 'examples', to: 'evaluator', input: 'examples', kind: 'Examples' },
      { from: 'trainer', output: 'model', to: 'evaluator', input: 'model', kind: 'Model' },
    ]);
  });

  it('puts a component as early as its inputs allow: without `after`, the trainer no longer waits for the validator', () => {
    const dag = checkPipeline(demoWith('trainer', (c) => delete c.after));
    expect(dag.components.trainer!.dependsOn).toEqual(['example_gen', 'transform']);
    expect(dag.components.trainer!.level).toBe(4); // still after the transform (level 3)
    const noTransform = demoWith('trainer', (c) => {
      delete c.after;
      delete c.inputs.transform_graph;
    });
    // reading only the examples, it runs beside the statistics
    expect(checkPipeline(noTransform).levels[1]).toEqual(['statistics_gen', 'trainer']);
  });
});

describe('checkPipeline: refusals name the component and the port', () => {
  it('an unknown component type', () => {
    const e = refusal(() => checkPipeline(demoWith('schema_gen', (c) => ((c as { type: string }).type = 'SchemaInferrer'))));
    expect(e).toMatchObject({ code: 'unknown-type', details: { component: 'schema_gen', params: { type: 'SchemaInferrer' } } });
  });

  it('a duplicate id, and an id that is not a name', () => {
    expect(refusal(() => checkPipeline(demoWith('schema_gen', (c) => (c.id = 'statistics_gen'))))).toMatchObject({ code: 'duplicate-id', details: { component: 'statistics_gen' } });
    expect(refusal(() => checkPipeline(demoWith('pusher', (c) => (c.id = 'push to production'))))).toMatchObject({ code: 'bad-field', details: { field: 'components[7].id', params: { expected: 'identifier' } } });
  });

  it('an input port the type does not have', () => {
    const e = refusal(() => checkPipeline(demoWith('evaluator', (c) => (c.inputs.blessing = { from: 'trainer', port: 'model' }))));
    expect(e).toMatchObject({ code: 'unknown-port', details: { component: 'evaluator', port: 'blessing', params: { type: 'Evaluator' } } });
  });

  it('an input from a component that does not exist, or from a port it does not give', () => {
    const unknownSource = refusal(() => checkPipeline(demoWith('schema_gen', (c) => (c.inputs.statistics = { from: 'stats', port: 'statistics' }))));
    expect(unknownSource).toMatchObject({ code: 'unknown-source', details: { component: 'schema_gen', port: 'statistics', params: { from: 'stats' } } });
    const unknownOutput = refusal(() => checkPipeline(demoWith('schema_gen', (c) => (c.inputs.statistics = { from: 'statistics_gen', port: 'stats' }))));
    expect(unknownOutput).toMatchObject({ code: 'unknown-output', details: { component: 'schema_gen', port: 'statistics', params: { from: 'statistics_gen', output: 'stats', type: 'StatisticsGen' } } });
  });

  it('a kind mismatch, said as "trainer.transform_graph expects TransformGraph but statistics_gen.statistics gives Statistics"', () => {
    const e = refusal(() => checkPipeline(demoWith('trainer', (c) => (c.inputs.transform_graph = { from: 'statistics_gen', port: 'statistics' }))));
    expect(e).toMatchObject({ code: 'kind-mismatch', details: { component: 'trainer', port: 'transform_graph', params: { expected: 'TransformGraph', from: 'statistics_gen', output: 'statistics', actual: 'Statistics' } } });
    i18n.locale = 'en';
    expect(errorMessage(e)).toBe('trainer.transform_graph expects TransformGraph but statistics_gen.statistics gives Statistics.');
  });

  it('a required input left unwired, naming its kind; an optional one may be', () => {
    const e = refusal(() => checkPipeline(demoWith('pusher', (c) => delete c.inputs.model_blessing)));
    expect(e).toMatchObject({ code: 'missing-input', details: { component: 'pusher', port: 'model_blessing', params: { kind: 'ModelBlessing' } } });
    // the trainer's schema, hyperparameters and base_model are optional (TFX's TrainerSpec)
    expect(() => checkPipeline(demo())).not.toThrow();
  });

  it('a cycle, naming its components in the direction the data flows', () => {
    // statistics_gen made to read the schema that schema_gen infers from statistics_gen's own output
    const spec = demoWith('statistics_gen', (c) => (c.inputs.schema = { from: 'schema_gen', port: 'schema' }));
    const e = refusal(() => checkPipeline(spec));
    expect(e).toMatchObject({ code: 'cycle', details: { component: 'statistics_gen', params: { components: 'statistics_gen → schema_gen → statistics_gen' } } });
    // three long, through `after`
    const longer = demoWith('example_gen', (c) => (c.after = ['example_validator']));
    expect(refusal(() => checkPipeline(longer)).details.params?.components).toBe('example_gen → statistics_gen → example_validator → example_gen');
    const self = demoWith('trainer', (c) => (c.inputs.base_model = { from: 'trainer', port: 'model' }));
    expect(refusal(() => checkPipeline(self)).details.params?.components).toBe('trainer → trainer');
  });

  it('an `after` naming no component', () => {
    const e = refusal(() => checkPipeline(demoWith('trainer', (c) => (c.after = ['validator']))));
    expect(e).toMatchObject({ code: 'unknown-after', details: { component: 'trainer', params: { after: 'validator' } } });
  });

  it('a pipeline without components', () => {
    const empty: PipelineSpec = { ...demo(), components: [] };
    expect(refusal(() => checkPipeline(empty)).code).toBe('no-components');
  });
});

describe('checkPipeline: settings, by the field\'s path under the component\'s settings', () => {
  const settingsRefusal = (id: string, edit: (s: Record<string, unknown>) => void) => refusal(() => checkPipeline(demoWith(id, (c) => edit(c.settings))));

  it('split fractions that do not add up to 1', () => {
    const e = settingsRefusal('example_gen', (s) => ((s.split as { fractions: { test: number } }).fractions.test = 0.2));
    expect(e).toMatchObject({ code: 'bad-settings', details: { component: 'example_gen', field: 'split.fractions', params: { expected: 'fractions' } } });
    i18n.locale = 'en';
    expect(errorMessage(e)).toBe('Component "example_gen": the setting split.fractions must be train, validation and test fractions from 0 to 1 that add up to 1, with some rows to train on.');
  });

  it('a learning rate of 0, a fractional batch size, an unknown optimizer', () => {
    const hyper = (edit: (h: Record<string, unknown>) => void) => settingsRefusal('trainer', (s) => edit(s.hyper as Record<string, unknown>));
    expect(hyper((h) => (h.learningRate = 0))).toMatchObject({ details: { component: 'trainer', field: 'hyper.learningRate', params: { expected: 'above', min: 0 } } });
    expect(hyper((h) => (h.batchSize = 2.5))).toMatchObject({ details: { field: 'hyper.batchSize', params: { expected: 'whole', min: 1, max: 1_000_000 } } });
    const patience = hyper((h) => (h.patience = -1));
    i18n.locale = 'en';
    expect(patience).toMatchObject({ details: { field: 'hyper.patience', params: { expected: 'whole-at-least', min: 0 } } });
    expect(errorMessage(patience)).toBe('Component "trainer": the setting hyper.patience must be a whole number of at least 0.');
    expect(hyper((h) => (h.optimizer = 'lion'))).toMatchObject({ details: { field: 'hyper.optimizer', params: { expected: 'choice', choices: 'adam, sgd, momentum, rmsprop, adagrad' } } });
  });

  it('a layer of an unknown type and a threshold without its bound, by index', () => {
    expect(settingsRefusal('trainer', (s) => ((s.layers as { type: string }[])[1]!.type = 'lstm'))).toMatchObject({ details: { field: 'layers[1].type', params: { expected: 'choice' } } });
    expect(settingsRefusal('evaluator', (s) => delete (s.thresholds as Record<string, unknown>[])[0]!.value)).toMatchObject({ code: 'missing-setting', details: { component: 'evaluator', field: 'thresholds[0].value' } });
  });

  it('an alias the registry would refuse, a misspelt setting, a version that is neither latest nor a reference', () => {
    expect(settingsRefusal('pusher', (s) => (s.alias = 'Production!'))).toMatchObject({ code: 'bad-settings', details: { component: 'pusher', field: 'alias', params: { expected: 'alias' } } });
    expect(settingsRefusal('example_validator', (s) => (s.acceptAnomaly = true))).toMatchObject({ code: 'unknown-setting', details: { component: 'example_validator', field: 'acceptAnomaly' } });
    expect(settingsRefusal('example_gen', (s) => (s.version = 'newest'))).toMatchObject({ details: { field: 'version', params: { expected: 'choice', choices: 'latest' } } });
    expect(settingsRefusal('example_gen', (s) => (s.version = { id: 'v1', number: 1 }))).toMatchObject({ details: { field: 'version', params: { expected: 'one-of-fields', choices: 'id, number' } } });
    expect(() => checkPipeline(demoWith('example_gen', (c) => (c.settings.version = { number: 3 })))).not.toThrow();
  });

  it('an ImportSchemaGen with both a schema version and a schema, said of its settings as a whole', () => {
    const spec = demo();
    spec.components.push({ id: 'schema_import', type: 'ImportSchemaGen', settings: { schemaVersionId: 's1', schema: {} } as never, inputs: {} });
    const e = refusal(() => checkPipeline(spec));
    expect(e).toMatchObject({ code: 'bad-settings', details: { component: 'schema_import', field: '', params: { expected: 'one-of-fields', choices: 'schemaVersionId, schema' } } });
    i18n.locale = 'en';
    expect(errorMessage(e)).toBe('Component "schema_import": its settings must be exactly one of the fields schemaVersionId, schema.');
  });
});
