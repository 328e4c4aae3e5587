/** The schema editor's edits (src/app/validate-schema-edits.ts): each keeps a feature valid for its type. */
import { describe, expect, it } from 'vitest';
import type { GroupStats } from '../../../src/core/validate/stats';
import { SCHEMA_FORMAT, SCHEMA_VERSION, type FeatureSchema, type Schema } from '../../../src/core/validate/schema';
import {
  addValue,
  changedDomains,
  dropDomain,
  fillThresholds,
  observedRange,
  removeValue,
  setBound,
  setMinFraction,
  setPresence,
  setThreshold,
} from '../../../src/app/validate-schema-edits';

function feature(changes: Partial<FeatureSchema> = {}): FeatureSchema {
  return { name: 'x', type: 'number', presence: { required: false, minFraction: 0.5 }, domain: null, driftThreshold: null, skewThreshold: null, ...changes };
}

describe('presence', () => {
  it('required means every row; optional keeps the minimum share', () => {
    const f = feature();
    setPresence(f, true);
    expect(f.presence).toEqual({ required: true, minFraction: 1 });
    setPresence(f, false);
    expect(f.presence).toEqual({ required: false, minFraction: 1 });
  });

  it('the minimum share is typed in percent, clamped to [0, 100]; other text changes nothing', () => {
    const f = feature();
    setMinFraction(f, '25');
    expect(f.presence.minFraction).toBe(0.25);
    setMinFraction(f, '150');
    expect(f.presence.minFraction).toBe(1);
    setMinFraction(f, '-3');
    expect(f.presence.minFraction).toBe(0);
    for (const text of ['', '  ', 'abc']) {
      setMinFraction(f, text);
      expect(f.presence.minFraction).toBe(0);
    }
  });
});

describe('allowed values', () => {
  it('added in sorted order without repeats, and removed', () => {
    const f = feature({ type: 'categorical' });
    addValue(f, 'b');
    addValue(f, 'a');
    addValue(f, 'b');
    addValue(f, '');
    expect(f.domain).toEqual({ kind: 'values', values: ['a', 'b'] });
    removeValue(f, 'a');
    expect(f.domain).toEqual({ kind: 'values', values: ['b'] });
    dropDomain(f);
    expect(f.domain).toBeNull();
  });

  it('removing from a range domain does nothing', () => {
    const f = feature({ domain: { kind: 'range', min: 0, max: 1 } });
    removeValue(f, '0');
    expect(f.domain).toEqual({ kind: 'range', min: 0, max: 1 });
  });
});

describe('range bounds', () => {
  it('numbers, or dates for a date column; empty text removes the bound', () => {
    const f = feature();
    expect(setBound(f, 'min', ' 2.5 ')).toBe(true);
    expect(f.domain).toEqual({ kind: 'range', min: 2.5, max: null });
    expect(setBound(f, 'max', '10')).toBe(true);
    expect(setBound(f, 'min', '')).toBe(true);
    expect(f.domain).toEqual({ kind: 'range', min: null, max: 10 });

    const d = feature({ type: 'datetime' });
    expect(setBound(d, 'min', '2024-01-02')).toBe(true);
    expect(d.domain).toEqual({ kind: 'range', min: Date.UTC(2024, 0, 2), max: null });
  });

  it('text that is not a number (or date) is refused and changes nothing', () => {
    const f = feature({ domain: { kind: 'range', min: 1, max: 2 } });
    expect(setBound(f, 'min', 'abc')).toBe(false);
    const d = feature({ type: 'datetime' });
    expect(setBound(d, 'max', 'not a date')).toBe(false);
    expect([f.domain, d.domain]).toEqual([{ kind: 'range', min: 1, max: 2 }, null]);
  });
});

describe('thresholds', () => {
  it('a number, or null for empty or other text', () => {
    const f = feature();
    setThreshold(f, 'driftThreshold', '0.2');
    setThreshold(f, 'skewThreshold', '0.1');
    expect([f.driftThreshold, f.skewThreshold]).toEqual([0.2, 0.1]);
    setThreshold(f, 'driftThreshold', '');
    setThreshold(f, 'skewThreshold', 'x');
    expect([f.driftThreshold, f.skewThreshold]).toEqual([null, null]);
  });

  it('filled in bulk only where a column has a comparator and no threshold of that kind', () => {
    const schema: Schema = {
      format: SCHEMA_FORMAT,
      version: SCHEMA_VERSION,
      features: [feature({ name: 'a' }), feature({ name: 'b', driftThreshold: 0.3 }), feature({ name: 'img', type: 'image' }), feature({ name: 'c', type: 'text' })],
    };
    fillThresholds(schema, 'driftThreshold', 0.1);
    expect(schema.features.map((f) => f.driftThreshold)).toEqual([0.1, 0.3, null, 0.1]);
    expect(schema.features.map((f) => f.skewThreshold)).toEqual([null, null, null, null]);
  });
});

describe('statistics', () => {
  const stats = {
    columns: [
      { name: 'x', kind: 'numeric', type: 'number', min: 1, max: 9 },
      { name: 'n', kind: 'numeric', type: 'integer', min: null, max: null },
      { name: 's', kind: 'string', type: 'text' },
    ],
  } as unknown as GroupStats;

  it('the observed range of a number column of the same type', () => {
    expect(observedRange(stats, feature())).toEqual({ min: 1, max: 9 });
    expect(observedRange(stats, feature({ type: 'integer' }))).toBeNull();
    expect(observedRange(stats, feature({ name: 'n', type: 'integer' }))).toBeNull();
    expect(observedRange(stats, feature({ name: 's', type: 'text' }))).toBeNull();
    expect(observedRange(null, feature())).toBeNull();
  });

  it('names the features whose domain changed', () => {
    const before: Schema = { format: SCHEMA_FORMAT, version: SCHEMA_VERSION, features: [feature({ name: 'a' }), feature({ name: 'b', domain: { kind: 'range', min: 0, max: 1 } })] };
    const after: Schema = { ...before, features: [feature({ name: 'a', domain: { kind: 'range', min: 1, max: 9 } }), feature({ name: 'b', domain: { kind: 'range', min: 0, max: 1 } })] };
    expect(changedDomains(before, after)).toEqual(['a']);
  });
});
