/** KerasTuner's value <-> probability maps by hand, active values under conditions, applyValues with a repeated block. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/math/random';
import { activeValues, applyValues, finiteValues, fromVector, probToValue, sampleValues, spaceSummary, toVector, valuesKey, valueToProb } from '../../../src/core/tune/space';
import type { HpDef } from '../../../src/core/tune/types';
import { BASE, BLOCK_SPACE } from './helpers';

const units: HpDef = { name: 'units', kind: 'int', min: 8, max: 128, step: 8, sampling: 'linear' };
const lr: HpDef = { name: 'lr', kind: 'float', min: 1e-4, max: 1e-1, sampling: 'log' };

describe('a hyperparameter value and its probability (KerasTuner hp_types)', () => {
  it('Int with a step: 16 values 8..128, bucket middles', () => {
    expect([0, 0.5, 0.999, 1].map((p) => probToValue(units, p))).toEqual([8, 72, 128, 128]);
    expect(valueToProb(units, 72)).toBe(8.5 / 16);
    expect(finiteValues(units)).toHaveLength(16);
  });
  it('Int without a step: linear steps by 1; log draws over [min, max + 1) and floors', () => {
    const one: HpDef = { name: 'n', kind: 'int', min: 1, max: 5, sampling: 'linear' };
    expect(probToValue(one, 0.5)).toBe(3);
    const log: HpDef = { name: 'n', kind: 'int', min: 1, max: 100, sampling: 'log' };
    expect(probToValue(log, 0.5)).toBe(Math.floor(Math.sqrt(101))); // 10
    expect(probToValue(log, 0.99)).toBe(96); // floor(101^0.99 = 96.4); over [1, 100] it would be 95
    expect(valueToProb(log, 10)).toBeCloseTo(Math.log(10.5) / Math.log(101), 12);
  });
  it('Int with log sampling and a step multiplies: 8, 16, 32, 64, 128', () => {
    expect(finiteValues({ name: 'u', kind: 'int', min: 8, max: 128, step: 2, sampling: 'log' })).toEqual([8, 16, 32, 64, 128]);
  });
  it('Float log: the middle is the geometric mean; a Float step gives clean values', () => {
    expect(probToValue(lr, 0.5)).toBeCloseTo(Math.sqrt(1e-4 * 1e-1), 12);
    expect(valueToProb(lr, 1e-3)).toBeCloseTo(1 / 3, 12);
    expect(finiteValues({ name: 'r', kind: 'float', min: 0, max: 0.5, step: 0.1, sampling: 'linear' })).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });
  it('Choice and Boolean', () => {
    const c: HpDef = { name: 'opt', kind: 'choice', values: ['adam', 'sgd', 'rmsprop'] };
    expect(probToValue(c, 0.5)).toBe('sgd');
    expect(valueToProb(c, 'rmsprop')).toBeCloseTo(2.5 / 3, 12);
    const b: HpDef = { name: 'b', kind: 'boolean' };
    expect([probToValue(b, 0.49), probToValue(b, 0.5), valueToProb(b, true), valueToProb(b, false)]).toEqual([false, true, 0.75, 0.25]);
  });
});

describe('values of a space', () => {
  it('keeps only active values, in order, defaults filled in', () => {
    expect(activeValues(BLOCK_SPACE, { blocks: 2, units_0: 32, units_1: 48, units_2: 64, stray: 1 })).toEqual({ lr: 1e-3, blocks: 2, units_0: 32, units_1: 48, optimizer: 'adam' });
    expect(Object.keys(activeValues(BLOCK_SPACE, { blocks: 3 }))).toEqual(['lr', 'blocks', 'units_0', 'units_1', 'units_2', 'optimizer']);
  });

  it('applies values: bindings set, the block repeated its count before base layer 2, base untouched', () => {
    const before = JSON.stringify(BASE);
    const out = applyValues(BASE, BLOCK_SPACE, { lr: 0.01, blocks: 2, units_0: 32, units_1: 48, units_2: 64, optimizer: 'sgd' });
    expect(out.hyper).toEqual({ ...BASE.hyper, learningRate: 0.01, optimizer: 'sgd' });
    expect(out.layers).toEqual([
      { type: 'dense', units: 64, activation: 'relu' },
      { type: 'dropout', rate: 0.1 },
      { type: 'dense', units: 32, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 48, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', units: 32, activation: 'relu' },
    ]);
    expect(JSON.stringify(BASE)).toBe(before);
  });

  it('draws only active parameters, the same for the same seed', () => {
    const draws = Array.from({ length: 200 }, (_, i) => sampleValues(BLOCK_SPACE, new Rng(i)));
    for (const v of draws) {
      expect('units_1' in v).toBe((v.blocks as number) >= 2);
      expect('units_2' in v).toBe(v.blocks === 3);
    }
    expect(new Set(draws.map((v) => v.blocks))).toEqual(new Set([1, 2, 3]));
    expect(sampleValues(BLOCK_SPACE, new Rng(5))).toEqual(sampleValues(BLOCK_SPACE, new Rng(5)));
  });

  it('keys values the same in any order; vectors go to [0, 1] and back', () => {
    expect(valuesKey({ a: 1, b: 'x' })).toBe(valuesKey({ b: 'x', a: 1 }));
    expect(valuesKey({ a: 1 })).not.toBe(valuesKey({ a: '1' }));
    const values = { lr: 1e-3, blocks: 2, units_0: 32, units_1: 48, optimizer: 'sgd' };
    const v = toVector(BLOCK_SPACE, values);
    // lr 1/3; blocks 2 of 1..3 -> (2 + 0.5 - 1) / 3; units 32 -> bucket 1 of 4; inactive units_2 at its default 16; sgd 1.5/2
    expect(v[0]).toBeCloseTo(1 / 3, 12);
    expect(v.slice(1)).toEqual([0.5, 1.5 / 4, 2.5 / 4, 0.5 / 4, 0.75]);
    expect(fromVector(BLOCK_SPACE, v)).toEqual({ ...values, lr: expect.closeTo(1e-3, 12) });
  });

  it('summarizes like search_space_summary', () => {
    const rows = spaceSummary(BLOCK_SPACE);
    expect(rows[0]).toEqual({ name: 'lr', kind: 'float', min: 1e-4, max: 1e-1, sampling: 'log', default: 1e-3, uses: ['hyper.learningRate'] });
    expect(rows[1]).toMatchObject({ name: 'blocks', default: 1, uses: ['blocks[0].count'] });
    expect(rows[3]).toMatchObject({ name: 'units_1', step: 16, condition: { parent: 'blocks', values: [2, 3] }, uses: ['blocks[0].layers[0].units'] });
    expect(rows[5]).toMatchObject({ name: 'optimizer', kind: 'choice', values: ['adam', 'sgd'], default: 'adam' });
  });
});
