import { describe, expect, it } from 'vitest';
import { computeStats } from '../../../src/core/validate/stats';
import { SUGGESTED_THRESHOLDS, SchemaError, inferSchema, parseSchema, serializeSchema, setRangesFromStats, updateFeature, withSuggestedThresholds, type Schema } from '../../../src/core/validate/schema';
import { makeBatches } from './helpers';

function sampleStats() {
  return computeStats(
    makeBatches(
      [
        { name: 'color', type: 'categorical', values: ['red', 'blue', 'red', null, 'green'] },
        { name: 'size', type: 'number', values: [1.5, 2, 3, 4, -1] },
        { name: 'count', type: 'integer', values: [1, 2, null, null, 5] },
        { name: 'note', type: 'text', values: ['a', 'b', 'c', 'd', 'e'] },
        { name: 'ok', type: 'boolean', values: [true, false, true, true, false] },
        { name: 'when', type: 'datetime', values: [0, 1000, 2000, 3000, 4000] },
        { name: 'pic', type: 'image', values: [new Uint8Array([1]), null, null, null, null] },
      ],
      2,
    ),
  );
}

describe('inferSchema', () => {
  it('infers type, presence and domain per column', () => {
    const schema = inferSchema(sampleStats());
    expect(schema.format).toBe('pipette-schema');
    expect(schema.version).toBe(1);
    const by = Object.fromEntries(schema.features.map((f) => [f.name, f]));
    expect(by.color).toEqual({
      name: 'color',
      type: 'categorical',
      presence: { required: false, minFraction: 0.8 },
      domain: { kind: 'values', values: ['blue', 'green', 'red'] },
      driftThreshold: null,
      skewThreshold: null,
    });
    expect(by.size!.presence).toEqual({ required: true, minFraction: 1 });
    // as TFDV's infer_schema: no value range is pinned to the training data's min and max
    expect(by.size!.domain).toBeNull();
    expect(by.count!.domain).toBeNull();
    expect(by.count!.presence).toEqual({ required: false, minFraction: 0.6 });
    expect(by.count!.type).toBe('integer');
    expect(by.note!.domain).toBeNull();
    expect(by.ok!.domain).toBeNull();
    expect(by.when!.domain).toBeNull();
    expect(by.pic!.presence).toEqual({ required: false, minFraction: 0.2 });
  });

  it('infers ranges only when asked, and never for a date/time column', () => {
    const by = Object.fromEntries(inferSchema(sampleStats(), { inferRanges: true }).features.map((f) => [f.name, f]));
    expect(by.size!.domain).toEqual({ kind: 'range', min: -1, max: 4 });
    expect(by.count!.domain).toEqual({ kind: 'range', min: 1, max: 5 });
    expect(by.when!.domain).toBeNull();
  });

  it('sets ranges from statistics as an explicit action, per column or for all numeric columns', () => {
    const stats = sampleStats();
    const schema = inferSchema(stats);
    const all = Object.fromEntries(setRangesFromStats(schema, stats).features.map((f) => [f.name, f]));
    expect(all.size!.domain).toEqual({ kind: 'range', min: -1, max: 4 });
    expect(all.count!.domain).toEqual({ kind: 'range', min: 1, max: 5 });
    // "all" leaves dates alone; other types keep their domains
    expect(all.when!.domain).toBeNull();
    expect(all.color!.domain).toEqual({ kind: 'values', values: ['blue', 'green', 'red'] });
    expect(all.note!.domain).toBeNull();
    // one column, a date column when it is named
    const one = Object.fromEntries(setRangesFromStats(schema, stats, ['when']).features.map((f) => [f.name, f]));
    expect(one.when!.domain).toEqual({ kind: 'range', min: 0, max: 4000 });
    expect(one.size!.domain).toBeNull();
    // the input schema is not changed
    expect(schema.features.every((f) => f.domain === null || f.domain.kind === 'values')).toBe(true);
    // a column with no finite values keeps no domain
    const empty = computeStats([], [{ name: 'e', type: 'number' }]);
    expect(setRangesFromStats(inferSchema(empty), empty).features[0]!.domain).toBeNull();
  });

  it('fills empty thresholds with the suggestion per comparator, leaving date/time columns and set thresholds alone', () => {
    const schema = updateFeature(inferSchema(sampleStats()), 'count', { driftThreshold: 0.3 });
    const by = Object.fromEntries(withSuggestedThresholds(schema, 'driftThreshold').features.map((f) => [f.name, f]));
    expect(by.color!.driftThreshold).toBe(SUGGESTED_THRESHOLDS.linf);
    expect(by.ok!.driftThreshold).toBe(SUGGESTED_THRESHOLDS.linf);
    expect(by.size!.driftThreshold).toBe(SUGGESTED_THRESHOLDS.js);
    expect(by.count!.driftThreshold).toBe(0.3);
    expect(by.when!.driftThreshold).toBeNull();
    expect(by.pic!.driftThreshold).toBeNull();
    expect(by.size!.skewThreshold).toBeNull();
  });

  it('leaves categorical columns with too many values without a domain', () => {
    const values = Array.from({ length: 300 }, (_, i) => `v${i % 150}`);
    const stats = computeStats(makeBatches([{ name: 'c', type: 'categorical', values }]));
    expect(inferSchema(stats).features[0]!.domain).toBeNull();
    expect(inferSchema(stats, { maxDomainSize: 200 }).features[0]!.domain).toMatchObject({ kind: 'values' });
    expect(inferSchema(computeStats([], [{ name: 'e', type: 'number' }])).features[0]).toMatchObject({ presence: { required: false, minFraction: 0 }, domain: null });
  });

  it('round-trips through JSON and parseSchema', () => {
    const schema = inferSchema(sampleStats());
    const edited = updateFeature(schema, 'size', { driftThreshold: 0.1, skewThreshold: 0.2 });
    expect(schema.features.find((f) => f.name === 'size')!.driftThreshold).toBeNull();
    expect(parseSchema(serializeSchema(edited))).toEqual(edited);
    expect(parseSchema(JSON.parse(serializeSchema(edited)))).toEqual(edited);
  });
});

describe('parseSchema errors name the field path', () => {
  const good = (): Schema => ({
    format: 'pipette-schema',
    version: 1,
    features: [
      { name: 'a', type: 'categorical', presence: { required: true, minFraction: 1 }, domain: { kind: 'values', values: ['x'] }, driftThreshold: null, skewThreshold: null },
      { name: 'b', type: 'number', presence: { required: false, minFraction: 0.5 }, domain: { kind: 'range', min: 0, max: 1 }, driftThreshold: 0.1, skewThreshold: null },
      { name: 'c', type: 'image', presence: { required: false, minFraction: 0 }, domain: null, driftThreshold: null, skewThreshold: null },
      { name: 'd', type: 'integer', presence: { required: false, minFraction: 0 }, domain: { kind: 'range', min: null, max: 10 }, driftThreshold: null, skewThreshold: null },
    ],
  });

  function issues(input: unknown): string[] {
    try {
      parseSchema(input);
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaError);
      return (e as SchemaError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error('expected parseSchema to fail');
  }

  it('accepts a valid schema', () => {
    expect(parseSchema(good())).toEqual(good());
  });

  it('reports a wrong domain bound', () => {
    const s = good() as unknown as { features: { domain: Record<string, unknown> }[] };
    s.features[3]!.domain.min = '5';
    expect(issues(s)).toEqual(['features[3].domain.min: expected a number, got the string "5"']);
  });

  it('reports every problem at once', () => {
    const s = JSON.parse(JSON.stringify(good()));
    s.features[0].type = 'colour';
    s.features[1].presence.minFraction = 1.5;
    s.features[1].domain = { kind: 'range', min: 3, max: 2 };
    s.features[2].driftThreshold = 0.3;
    s.features[3].skewThreshold = -1;
    s.features.push({ ...s.features[1], name: 'e', domain: null, presence: { required: true, minFraction: 0.5 } });
    expect(issues(s)).toEqual([
      'features[0].type: expected one of number, integer, categorical, boolean, text, datetime, image, got the string "colour"',
      'features[1].presence.minFraction: expected a number between 0 and 1, got 1.5',
      'features[1].domain: min (3) is greater than max (2)',
      'features[2].driftThreshold: image columns have no drift or skew comparator; use null',
      'features[3].skewThreshold: expected a number between 0 and 1, got -1',
      'features[4].presence.minFraction: must be 1 when required is true, got 0.5',
    ]);
  });

  it('rejects domains that do not fit the type, duplicate names and values', () => {
    const s = JSON.parse(JSON.stringify(good()));
    s.features[0].domain = { kind: 'range', min: 0, max: 1 };
    s.features[1].domain = { kind: 'values', values: ['x', 'x', 3] };
    s.features[3].name = 'a';
    s.features[2].domain = { kind: 'set' };
    expect(issues(s)).toEqual([
      'features[0].domain.kind: a categorical column cannot have a range domain',
      'features[1].domain.kind: a number column cannot have a value list domain',
      'features[1].domain.values[1]: "x" is listed twice',
      'features[1].domain.values[2]: expected a string, got number 3',
      'features[2].domain.kind: expected "values" or "range", got the string "set"',
      'features[3].name: "a" is already the name of features[0]',
    ]);
  });

  it('explains files that are not schemas at all', () => {
    expect(issues('{"features": 3}')).toEqual([
      'format: expected "pipette-schema", got no value (is this a Pipette schema file?)',
      'version: expected 1, got no value',
      'features: expected an array, got number 3',
    ]);
    expect(issues('not json')[0]).toMatch(/^: the file is not JSON/);
    expect(issues([1, 2])).toEqual([': expected a JSON object, got an array']);
    expect(issues({ format: 'pipette-schema', version: 1, features: [null, { name: '', type: 'number' }] })).toEqual([
      'features[0]: expected an object, got null',
      'features[1].name: expected a non-empty string, got the string ""',
      'features[1].presence: expected an object, got no value',
    ]);
    expect(() => parseSchema('[]')).toThrow(/not a valid schema: expected a JSON object/);
  });
});
