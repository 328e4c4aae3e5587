import { describe, expect, it } from 'vitest';
import { ABSTAIN, applyNoCode, applyNoCodeLf, compileMatcher, lfColumn, type LfSpec, type NoCodeLf } from '../../../src/core/label/lf';
import { LabelError } from '../../../src/core/label/errors';
import { buildRows, compileCode, evaluateCode } from '../../../src/core/label/sandbox';

const kw = (keywords: string[], match: 'word' | 'substring'): NoCodeLf => ({ kind: 'keywords', id: 'k', name: 'k', column: 't', keywords, match, label: 1 });

describe('no-code labeling functions', () => {
  it('keywords: case-insensitive, whole word or substring, including keywords without word characters', () => {
    const word = compileMatcher(kw(['free', 'click here', '$$$'], 'word'));
    expect(['FREE stuff', 'for free!', 'Click Here now', 'earn $$$ fast', 'freedom', 'carefree', 'clicked here', null, 3].map(word)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    const sub = compileMatcher(kw(['free'], 'substring'));
    expect(['freedom', 'carefree', 'fre e'].map(sub)).toEqual([true, true, false]);
    // The longest keyword fails the word check here, the shorter one at the same place passes.
    expect(compileMatcher(kw(['click', 'click here'], 'word'))('CLICK HEREBY')).toBe(true);
    expect(compileMatcher(kw(['click here'], 'word'))('click hereby')).toBe(false);
    expect(compileMatcher(kw(['café'], 'word'))('Un CAFÉ noir')).toBe(true);
  });

  it('regular expressions ignore g and y, so test() has no state between rows', () => {
    const m = compileMatcher({ kind: 'regex', id: 'r', name: 'r', column: 't', pattern: 'a+', flags: 'gy', label: 0 });
    expect(['aa', 'aa', 'baa'].map(m)).toEqual([true, true, true]);
    expect(() => compileMatcher({ kind: 'regex', id: 'bad', name: 'r', column: 't', pattern: '(', label: 0 })).toThrow(LabelError);
  });

  it('thresholds: all four operators; missing and non-numeric values abstain', () => {
    const values = [1, 2, 3, null, NaN, '2.5', 'x', ''];
    const run = (op: '<' | '<=' | '>' | '>=') => values.map(compileMatcher({ kind: 'threshold', id: 't', name: 't', column: 'n', op, value: 2, label: 0 }));
    expect(run('<')).toEqual([true, false, false, false, false, false, false, false]);
    expect(run('<=')).toEqual([true, true, false, false, false, false, false, false]);
    expect(run('>')).toEqual([false, false, true, false, false, true, false, false]);
    expect(run('>=')).toEqual([false, true, true, false, false, true, false, false]);
  });

  it('builds a row-major label matrix over several columns, and checks labels and columns', () => {
    const columns = { subject: ['win cash', 'hello', null], body: ['hi', 'CASH prize', 'x'], n: Float64Array.from([5, 1, 9]) };
    const specs: NoCodeLf[] = [
      { kind: 'keywords', id: 'cash', name: 'cash', column: ['subject', 'body'], keywords: ['cash'], match: 'word', label: 1 },
      { kind: 'threshold', id: 'big', name: 'big', column: 'n', op: '>', value: 4, label: 0 },
    ];
    const L = applyNoCode(specs, columns, 3, 2);
    expect(L.data).toBeInstanceOf(Int8Array);
    expect([...L.data]).toEqual([1, 0, 1, ABSTAIN, ABSTAIN, 0]);
    expect([...lfColumn(L, 1)]).toEqual([0, ABSTAIN, 0]);
    expect(() => applyNoCodeLf({ ...specs[1]!, label: 2 } as NoCodeLf, columns, 3, 2)).toThrow(/not a class/);
    expect(() => applyNoCodeLf({ ...specs[1]!, column: 'nope' } as NoCodeLf, columns, 3, 2)).toThrow(/no column/);
    const code: LfSpec = { kind: 'code', id: 'c', name: 'c', source: '() => 1' };
    expect(() => applyNoCode([code as unknown as NoCodeLf], columns, 3, 2)).toThrow(/worker/);
    // More than 127 classes need 16-bit labels.
    expect(applyNoCode([], columns, 3, 200).data).toBeInstanceOf(Int16Array);
  });
});

describe('code labeling functions (the loop the worker runs)', () => {
  it('gets frozen rows, and a throw or a bad value abstains on that row only', () => {
    const rows = buildRows({ a: [1, 2, 3, 4], s: ['x', null, 'z', undefined] }, 4);
    expect(Object.isFrozen(rows[0])).toBe(true);
    expect(rows[3]).toEqual({ a: 4, s: null });
    const mutate = evaluateCode(compileCode('(row) => { row.a = 0; return 1; }'), rows, 2);
    expect(mutate.errors).toBe(4); // strict mode: writing to a frozen row throws
    expect(rows[0]!.a).toBe(1);
    const o = evaluateCode(compileCode('(row) => row.a === 2 ? true : row.a === 3 ? 1.5 : row.s.length > 0 ? 1 : ABSTAIN'), rows, 2);
    expect([...o.labels]).toEqual([1, ABSTAIN, ABSTAIN, ABSTAIN]);
    expect(o.invalid).toBe(2);
    expect(o.firstInvalid).toEqual({ row: 1, value: 'true' });
    expect(o.errors).toBe(1);
    expect(o.firstError?.row).toBe(3);
    expect(() => compileCode('42')).toThrow(/must be a function/);
  });
});
