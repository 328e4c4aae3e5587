/**
 * The editor's draft operations (core/pipeline/draft.ts) and inspectPipeline (check.ts), which names every
 * problem of a draft at its component and port: a pipeline built by operations alone, refusals naming the
 * port, a removed component's readers named, a rename followed by every wire.
 */
import { describe, expect, it } from 'vitest';
import { checkPipeline, inspectPipeline } from '../../../src/core/pipeline/check';
import { addComponent, defaultSettings, emptyPipeline, fittingOutputs, removeComponent, renameComponent, unwireInput, wireInput, withSetting } from '../../../src/core/pipeline/draft';
import { COMPONENT_TYPES, type PipelineSpec } from '../../../src/core/pipeline/spec';
import { checkSettings } from '../../../src/core/pipeline/settings';
import { demo, refusal } from './helpers';

/** ExampleGen -> StatisticsGen -> SchemaGen -> ExampleValidator, by operations. */
function fourComponents(): PipelineSpec {
  let spec = emptyPipeline('checks');
  for (const type of ['ExampleGen', 'StatisticsGen', 'SchemaGen', 'ExampleValidator'] as const) spec = addComponent(spec, type).spec;
  spec.components[0]!.settings = { ...defaultSettings('ExampleGen'), dataset: { name: 'Palmer penguins' }, label: 'Species' };
  spec = wireInput(spec, 'statistics_gen', 'examples', { from: 'example_gen', port: 'examples' });
  spec = wireInput(spec, 'schema_gen', 'statistics', { from: 'statistics_gen', port: 'statistics' });
  spec = wireInput(spec, 'example_validator', 'statistics', { from: 'statistics_gen', port: 'statistics' });
  return wireInput(spec, 'example_validator', 'schema', { from: 'schema_gen', port: 'schema' });
}

const problemsOf = (spec: PipelineSpec) => inspectPipeline(spec).problems.map((p) => [p.code, p.details.component, p.details.port ?? p.details.field ?? '']);

describe('draft operations', () => {
  it('build a pipeline that checks: TFX ids, the stage pages’ defaults, four levels', () => {
    const spec = fourComponents();
    expect(spec.components.map((c) => c.id)).toEqual(['example_gen', 'statistics_gen', 'schema_gen', 'example_validator']);
    expect(checkPipeline(spec).levels).toEqual([['example_gen'], ['statistics_gen'], ['schema_gen'], ['example_validator']]);
    expect(inspectPipeline(spec).problems).toEqual([]);
    // a second of a type is numbered
    expect(addComponent(spec, 'StatisticsGen').id).toBe('statistics_gen_2');
    expect(addComponent(addComponent(spec, 'StatisticsGen').spec, 'StatisticsGen').id).toBe('statistics_gen_3');
  });

  it('give every type settings its own checks accept, except an ExampleGen (no dataset yet) and an ImportSchemaGen (no schema yet)', () => {
    const refused = COMPONENT_TYPES.filter((type) => {
      try {
        checkSettings({ id: 'c', type, settings: defaultSettings(type), inputs: {} });
        return false;
      } catch {
        return true;
      }
    });
    expect(refused).toEqual(['ExampleGen', 'ImportSchemaGen']);
  });

  it('offer as sources only the other components’ outputs of the port’s kind', () => {
    const spec = fourComponents();
    expect(fittingOutputs(spec, 'example_validator', 'schema')).toEqual([{ from: 'schema_gen', port: 'schema', kind: 'Schema' }]);
    expect(fittingOutputs(spec, 'statistics_gen', 'examples')).toEqual([{ from: 'example_gen', port: 'examples', kind: 'Examples' }]);
    // the demo's Evaluator reads a Model: the trainer's model (not its model_run)
    expect(fittingOutputs(demo(), 'evaluator', 'baseline_model').map((o) => `${o.from}.${o.port}`)).toEqual(['trainer.model']);
  });

  it('refuse a wire of the wrong kind naming the component and port, and leave the draft as it was', () => {
    const spec = fourComponents();
    const e = refusal(() => wireInput(spec, 'example_validator', 'schema', { from: 'statistics_gen', port: 'statistics' }));
    expect(e).toMatchObject({ code: 'kind-mismatch', details: { component: 'example_validator', port: 'schema', params: { expected: 'Schema', actual: 'Statistics' } } });
    expect(spec.components[3]!.inputs.schema).toEqual({ from: 'schema_gen', port: 'schema' });
    expect(refusal(() => wireInput(spec, 'schema_gen', 'examples', { from: 'example_gen', port: 'examples' }))).toMatchObject({ code: 'unknown-port', details: { component: 'schema_gen', port: 'examples' } });
  });

  it('refuse a wire that closes a cycle naming the component, the port and the loop', () => {
    // StatisticsGen's optional schema input fits SchemaGen's output, which already reads the statistics
    const e = refusal(() => wireInput(fourComponents(), 'statistics_gen', 'schema', { from: 'schema_gen', port: 'schema' }));
    expect(e).toMatchObject({ code: 'cycle', details: { component: 'statistics_gen', port: 'schema', params: { components: 'statistics_gen → schema_gen → statistics_gen' } } });
  });

  it('remove a component: what read it is named at its port, as reading what is not there', () => {
    const spec = removeComponent(fourComponents(), 'schema_gen');
    expect(spec.components.map((c) => c.id)).toEqual(['example_gen', 'statistics_gen', 'example_validator']);
    expect(problemsOf(spec)).toEqual([['unknown-source', 'example_validator', 'schema']]);
    // the layout still places everything
    expect(inspectPipeline(spec).levels).toEqual([['example_gen'], ['statistics_gen'], ['example_validator']]);
  });

  it('unwire a required input: a missing input at that port', () => {
    expect(problemsOf(unwireInput(fourComponents(), 'schema_gen', 'statistics'))).toEqual([['missing-input', 'schema_gen', 'statistics']]);
  });

  it('rename a component: its readers and runs-after follow; a taken or bad name is refused', () => {
    const spec = renameComponent(demo(), 'example_validator', 'validator');
    expect(spec.components.find((c) => c.id === 'trainer')!.after).toEqual(['validator']);
    const stats = renameComponent(spec, 'statistics_gen', 'stats');
    expect(stats.components.find((c) => c.id === 'validator')!.inputs.statistics).toEqual({ from: 'stats', port: 'statistics' });
    expect(inspectPipeline(stats).problems).toEqual([]);
    expect(refusal(() => renameComponent(stats, 'stats', 'trainer'))).toMatchObject({ code: 'duplicate-id', details: { component: 'trainer' } });
    expect(refusal(() => renameComponent(stats, 'stats', 'my stats'))).toMatchObject({ code: 'bad-field', details: { component: 'stats', params: { expected: 'identifier' } } });
  });
});

describe('inspectPipeline', () => {
  it('names every problem of a draft, not only the first, with levels as far as they hold', () => {
    let spec = addComponent(fourComponents(), 'Pusher').spec;
    spec = { ...spec, components: spec.components.map((c) => (c.id === 'schema_gen' ? { ...c, inputs: { statistics: { from: 'example_gen', port: 'examples' } } } : c)) };
    expect(problemsOf(spec)).toEqual([
      ['kind-mismatch', 'schema_gen', 'statistics'],
      ['missing-input', 'pusher', 'model'],
      ['missing-input', 'pusher', 'model_blessing'],
    ]);
    // checkPipeline refuses the same draft with the first of them
    expect(refusal(() => checkPipeline(spec))).toMatchObject({ code: 'kind-mismatch', details: { component: 'schema_gen' } });
    // schema_gen without its one wire needs nothing, so it moves to level 0
    expect(inspectPipeline(spec).levels[0]).toEqual(['example_gen', 'schema_gen', 'pusher']);
  });

  it('puts the components of a cycle in a last level and names the cycle', () => {
    const spec = fourComponents();
    spec.components[1]!.inputs.schema = { from: 'schema_gen', port: 'schema' };
    const seen = inspectPipeline(spec);
    expect(seen.levels).toEqual([['example_gen'], ['statistics_gen', 'schema_gen', 'example_validator']]);
    expect(seen.problems.map((p) => [p.code, p.details.params?.components])).toEqual([['cycle', 'statistics_gen → schema_gen → statistics_gen']]);
  });

  it('names settings problems by component and field', () => {
    const spec = fourComponents();
    spec.components[0]!.settings = defaultSettings('ExampleGen');
    expect(problemsOf(spec)).toEqual([['bad-settings', 'example_gen', 'dataset.name']]);
  });
});

describe('withSetting', () => {
  it('replaces one nested value by its path, copying only the way to it', () => {
    const settings = defaultSettings('ExampleGen');
    const next = withSetting(settings, 'split.fractions.train', 0.8);
    expect(next.split.fractions).toEqual({ train: 0.8, validation: 0.15, test: 0.15 });
    expect(settings.split.fractions.train).toBe(0.7);
    expect(next.dataset).toBe(settings.dataset);
    const evaluator = withSetting(defaultSettings('Evaluator'), 'thresholds[0].value', 0.95);
    expect(evaluator.thresholds).toEqual([{ kind: 'absolute', metric: 'accuracy', op: '>=', value: 0.95 }]);
    expect(withSetting({ maxDomainSize: 5, inferRanges: true }, 'maxDomainSize', undefined)).toEqual({ inferRanges: true });
  });
});
