import { describe, expect, it } from 'vitest';
import { prepareSelection, SelectError, type SelectionData } from '../../../src/core/select';
import { thrown } from '../app/error-helpers';

/** 3 rows x 2 columns, classes 0, 1, 0; train rows 0, 1, validation row 2. */
function data(over: Partial<SelectionData> = {}): SelectionData {
  return {
    x: Float64Array.of(1, 10, 2, 20, 3, 30),
    rows: 3,
    cols: 2,
    columnNames: ['age', 'income'],
    target: { kind: 'classification', y: [0, 1, 0], classes: ['no', 'yes'] },
    train: [0, 1],
    validation: [2],
    ...over,
  };
}

function refusal(over: Partial<SelectionData>): unknown {
  const error = thrown(() => prepareSelection(data(over)));
  expect(error).toBeInstanceOf(SelectError);
  return error;
}

describe('prepareSelection', () => {
  it('gathers the train and validation rows, in the order given, with their targets', () => {
    const p = prepareSelection(data({ train: [1, 0], x: Float32Array.of(1, 10, 2, 20, 3, 30) }));
    expect([...p.train.x]).toEqual([2, 20, 1, 10]);
    expect([...p.train.y]).toEqual([1, 0]);
    expect([...p.validation.rows]).toEqual([2]);
    expect(p.features).toEqual([{ name: 'age', columns: [0] }, { name: 'income', columns: [1] }]);
    expect(p).toMatchObject({ task: 'classification', d: 2, classes: 2, classNames: ['no', 'yes'] });
  });

  it('refuses what does not fit together, naming what and where', () => {
    expect(refusal({ x: Float64Array.of(1, 2, 3) })).toMatchObject({ code: 'length-mismatch', details: { params: { what: 'values', expected: 6, actual: 3 } } });
    expect(refusal({ columnNames: ['age'] })).toMatchObject({ code: 'length-mismatch', details: { params: { what: 'column-names' } } });
    expect(refusal({ target: { kind: 'regression', y: [1, 2] } })).toMatchObject({ code: 'length-mismatch', details: { params: { what: 'target' } } });
    expect(refusal({ x: Float64Array.of(1, 10, 2, NaN, 3, 30) })).toMatchObject({ code: 'non-finite', details: { column: 'income', params: { row: 1, value: 'NaN' } } });
    expect(refusal({ target: { kind: 'classification', y: [0, 2, 0], classes: ['no', 'yes'] } })).toMatchObject({ code: 'bad-class', details: { params: { row: 1, value: '2', classes: 2 } } });
    expect(refusal({ target: { kind: 'regression', y: [1, Infinity, 0] } })).toMatchObject({ code: 'non-finite-target', details: { params: { row: 1 } } });
    expect(refusal({ validation: [3] })).toMatchObject({ code: 'bad-rows', details: { params: { part: 'validation', row: 3, rows: 3 } } });
    expect(refusal({ validation: [] })).toMatchObject({ code: 'no-rows', details: { params: { part: 'validation' } } });
    expect(refusal({ train: [0, 2] })).toMatchObject({ code: 'one-class', details: { params: { class: 'no' } } });
  });

  it('takes groups (one-hot columns together) and refuses a column in two of them or out of range', () => {
    const groups = [{ name: 'both', columns: [0, 1] }];
    expect(prepareSelection(data({ groups })).features).toEqual(groups);
    expect(refusal({ groups: [{ name: 'a', columns: [0] }, { name: 'b', columns: [0, 1] }] })).toMatchObject({ code: 'bad-group', details: { column: 'b', params: { last: 1 } } });
    expect(refusal({ groups: [{ name: 'c', columns: [2] }] })).toMatchObject({ code: 'bad-group', details: { column: 'c' } });
    expect(refusal({ groups: [{ name: 'none', columns: [] }] })).toMatchObject({ code: 'bad-group', details: { column: 'none' } });
    expect(refusal({ groups: [] })).toMatchObject({ code: 'no-features' });
  });
});
