/** A space read back from JSON: the same space, defaults for what may be left out, a wrong shape named by path. */
import { describe, expect, it } from 'vitest';
import { TuneError } from '../../../src/core/tune/errors';
import { readSpace } from '../../../src/core/tune/space-json';
import { BLOCK_SPACE, SPACE } from './helpers';

function where(json: unknown): string {
  try {
    readSpace(json);
  } catch (e) {
    expect(e).toBeInstanceOf(TuneError);
    expect((e as TuneError).code).toBe('bad-space');
    return String((e as TuneError).details.params?.path);
  }
  return 'no error';
}

describe('readSpace', () => {
  it('reads a stored space back as it was', () => {
    expect(readSpace(JSON.parse(JSON.stringify(BLOCK_SPACE)))).toEqual(BLOCK_SPACE);
    expect(readSpace(JSON.parse(JSON.stringify(SPACE)))).toEqual(SPACE);
  });

  it('fills linear sampling and empty bindings and blocks when left out', () => {
    expect(readSpace({ hps: [{ name: 'u', kind: 'int', min: 1, max: 4 }] })).toEqual({ version: 1, hps: [{ name: 'u', kind: 'int', min: 1, max: 4, sampling: 'linear' }], bindings: [], blocks: [] });
  });

  it('names where the shape is wrong', () => {
    expect(where([])).toBe('(root)');
    expect(where({ hps: {} })).toBe('hps');
    expect(where({ hps: [{ name: 'a', kind: 'int', min: 1, max: 2 }, { name: 'b', kind: 'range' }] })).toBe('hps[1].kind');
    expect(where({ hps: [{ name: 'a', kind: 'float', min: '0', max: 1 }] })).toBe('hps[0].min');
    expect(where({ hps: [{ name: 'a', kind: 'choice', values: [1, null] }] })).toBe('hps[0].values[1]');
    expect(where({ hps: [{ name: 'a', kind: 'boolean', condition: { parent: 'b' } }] })).toBe('hps[0].condition.values');
    expect(where({ hps: [], bindings: [{ hp: 'a', target: { kind: 'layers', index: 0, field: 'units' } }] })).toBe('bindings[0].target.kind');
    expect(where({ hps: [], blocks: [{ count: 'n', at: 0, layers: [{ units: 3 }] }] })).toBe('blocks[0].layers[0].type');
    expect(where({ version: 2, hps: [] })).toBe('version');
  });
});
