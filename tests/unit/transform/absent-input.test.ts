/**
 * A raw row that leaves out a column a step reads is refused, naming the row and the column (reader.js's
 * public applyToRows with an Error, the app's encodeRecords path with a coded TransformError), instead of
 * giving NaN features. A column given as null is a missing value as before, and a column only fill_missing
 * reads may be left out (it is filled).
 */
import { describe, expect, it } from 'vitest';
import { applyToRecords } from '../../../src/core/model/preprocess/transform-feature';
import { TransformError } from '../../../src/core/transform/errors';
import { applyToRows, findAbsentInput } from '../../../src/core/transform/reader.js';
import { fitRows } from './helpers';

const COLUMNS = [
  { name: 'x', type: 'number' as const },
  { name: 's', type: 'categorical' as const },
  { name: 'w', type: 'number' as const },
];
const SPEC = {
  steps: [
    { name: 'x_z', op: 'z_score', inputs: ['x'] },
    { name: 's_i', op: 'vocabulary', inputs: ['s'] },
    { name: 'w_filled', op: 'fill_missing', inputs: ['w'], params: { with: { value: 7 } } },
  ],
};
const ROWS = [
  { x: 1, s: 'a', w: 1 },
  { x: 2, s: 'b', w: 2 },
  { x: 3, s: 'a', w: 3 },
];

describe('a row that leaves out a column the transform reads', () => {
  it('is refused by reader.js naming the row, the column and the step; null stays a missing value', async () => {
    const fitted = await fitRows(SPEC, ROWS, COLUMNS);
    expect(() => applyToRows(fitted, [ROWS[0]!, { s: 'a', w: 1 }])).toThrow('Row 2 has no "x", which step "x_z" reads');
    expect(() => applyToRows(fitted, [{ x: 1, w: 1 }])).toThrow('Row 1 has no "s", which step "s_i" reads');
    expect(findAbsentInput(fitted, [ROWS[0]!, ROWS[1]!, { x: undefined, s: 'a' }])).toEqual({ row: 3, column: 'x', step: 'x_z' });
    // x = 3: (3 - 2) / sqrt(2/3), the biased variance of 1, 2, 3; null x: NaN as before; s null: -1 (no one-hot);
    // w only filled by fill_missing: left out, it is filled with 7
    const { outputs } = applyToRows(fitted, [{ x: 3, s: null }, { x: null, s: 'b', w: null }]);
    expect(outputs[0]!.x_z).toBeCloseTo(1.224744871391589, 14);
    expect([outputs[0]!.s_i, outputs[0]!.w_filled]).toEqual([-1, 7]);
    expect([outputs[1]!.x_z, outputs[1]!.s_i, outputs[1]!.w_filled]).toEqual([NaN, 1, 7]);
  });

  it('is a coded TransformError on the app\'s path for raw rows (the predict panel)', async () => {
    const fitted = await fitRows(SPEC, ROWS, COLUMNS);
    const error = (() => {
      try {
        applyToRecords(fitted, [ROWS[0]!, ROWS[1]!, { s: 'a', w: 1 }]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TransformError);
    expect(error).toMatchObject({ code: 'absent-input', details: { row: 3, column: 'x', step: 'x_z' } });
    expect(applyToRecords(fitted, [{ x: 2, s: 'b' }])).toEqual(new Float32Array([0, 0, 1, 7]));
  });
});
