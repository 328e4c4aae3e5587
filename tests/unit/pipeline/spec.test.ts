/** parsePipeline: a pipeline document's shape, refused naming the field by its path. */
import { describe, expect, it } from 'vitest';
import { parsePipeline } from '../../../src/core/pipeline/spec';
import { DEMO_TEXT, refusal } from './helpers';

const doc = (components: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ format: 'pipette-pipeline', version: 1, name: 'p', components, ...extra });
const gen = { id: 'example_gen', type: 'ExampleGen', settings: {} };

describe('parsePipeline', () => {
  it('reads the demo pipeline: its name, its eight components in order, their wiring as written', () => {
    const spec = parsePipeline(DEMO_TEXT);
    expect(spec.name).toBe('penguins');
    expect(spec.components.map((c) => `${c.id}:${c.type}`)).toEqual([
      'example_gen:ExampleGen',
      'statistics_gen:StatisticsGen',
      'schema_gen:SchemaGen',
      'example_validator:ExampleValidator',
      'transform:Transform',
      'trainer:Trainer',
      'evaluator:Evaluator',
      'pusher:Pusher',
    ]);
    expect(spec.components[5]!.inputs).toEqual({ examples: { from: 'example_gen', port: 'examples' }, transform_graph: { from: 'transform', port: 'transform_graph' } });
    expect(spec.components[5]!.after).toEqual(['example_validator']);
  });

  it('gives a component without inputs an empty inputs object, and keeps cache: false', () => {
    const spec = parsePipeline(doc([{ ...gen, cache: false }]));
    expect(spec.components[0]).toEqual({ ...gen, inputs: {}, cache: false });
  });

  it('refuses text that is not JSON, with the parser\'s words', () => {
    const e = refusal(() => parsePipeline('{"format": "pipette-pipeline",'));
    expect(e.code).toBe('bad-json');
    expect(String(e.details.params?.detail)).toMatch(/JSON/);
  });

  it('refuses another document, and another version', () => {
    expect(refusal(() => parsePipeline('{"format": "pipette-schema", "version": 1}'))).toMatchObject({ code: 'bad-format', details: { params: { format: 'pipette-schema' } } });
    expect(refusal(() => parsePipeline('[1, 2]'))).toMatchObject({ code: 'bad-format' });
    expect(refusal(() => parsePipeline(doc([gen], { version: 2 })))).toMatchObject({ code: 'bad-version', details: { params: { version: '2', supported: 1 } } });
  });

  it('names the field of an input reference that is wrong by its path', () => {
    const stats = { id: 'stats', type: 'StatisticsGen', settings: {}, inputs: { examples: { from: 'example_gen', port: 'examples' } } };
    const schemaGen = { id: 'schema', type: 'SchemaGen', settings: {}, inputs: { schema: { from: 'stats' } } };
    expect(refusal(() => parsePipeline(doc([gen, stats, schemaGen])))).toMatchObject({ code: 'missing-field', details: { field: 'components[2].inputs.schema.port' } });
    const numbered = { ...schemaGen, inputs: { schema: { from: 'stats', port: 3 } } };
    expect(refusal(() => parsePipeline(doc([gen, stats, numbered])))).toMatchObject({ code: 'bad-field', details: { field: 'components[2].inputs.schema.port', params: { expected: 'text' } } });
    const notObject = { ...schemaGen, inputs: { schema: 'stats.statistics' } };
    expect(refusal(() => parsePipeline(doc([gen, stats, notObject])))).toMatchObject({ code: 'bad-field', details: { field: 'components[2].inputs.schema', params: { expected: 'object' } } });
  });

  it('refuses a misspelt field, a missing one, and fields of the wrong type, by path', () => {
    expect(refusal(() => parsePipeline(doc([{ ...gen, input: {} }])))).toMatchObject({ code: 'unknown-field', details: { field: 'components[0].input' } });
    expect(refusal(() => parsePipeline(doc([{ id: 'x', type: 'ExampleGen' }])))).toMatchObject({ code: 'missing-field', details: { field: 'components[0].settings' } });
    expect(refusal(() => parsePipeline(doc([{ ...gen, cache: 'no' }])))).toMatchObject({ code: 'bad-field', details: { field: 'components[0].cache', params: { expected: 'boolean' } } });
    expect(refusal(() => parsePipeline(doc([{ ...gen, after: ['a', ''] }])))).toMatchObject({ code: 'bad-field', details: { field: 'components[0].after[1]', params: { expected: 'text' } } });
    expect(refusal(() => parsePipeline(doc({} as unknown as unknown[])))).toMatchObject({ code: 'bad-field', details: { field: 'components', params: { expected: 'list' } } });
    expect(refusal(() => parsePipeline(doc([gen], { owner: 'me' })))).toMatchObject({ code: 'unknown-field', details: { field: 'owner' } });
    expect(refusal(() => parsePipeline(doc([gen], { name: ' ' })))).toMatchObject({ code: 'bad-field', details: { field: 'name' } });
  });
});
