import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitsType,
  inferStringColumn,
  inferValues,
  isCategorical,
  isIntegerToken,
  isMissingToken,
  parseBooleanToken,
  parseDateTimeToken,
  parseNumberToken,
  valueToText,
  widenFor,
} from '../../../src/core/data/infer';

describe('tokens', () => {
  it('knows the missing-value tokens, exactly and case-sensitively', () => {
    for (const s of ['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', '#N/A']) expect(isMissingToken(s), s).toBe(true);
    for (const s of [' ', 'None', 'na', 'Null', '-', '0', 'NA ']) expect(isMissingToken(s), s).toBe(false);
  });

  it('parses decimal number tokens and rejects the rest', () => {
    const ok: [string, number][] = [
      ['0', 0],
      ['-17', -17],
      ['+5', 5],
      ['3.25', 3.25],
      ['-.5', -0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['1.5E-2', 0.015],
      ['0.001', 0.001],
      ['12345678901234567890.5', 12345678901234567000],
    ];
    for (const [s, x] of ok) expect(parseNumberToken(s), s).toBe(x);
    const bad = ['', ' 1', '1 ', 'abc', '007', '00.5', '-01', '0x10', '0b1', '0o7', 'Infinity', '-Infinity', 'inf', '1e400', '1_000', '.', '-', '1e', '1,5', '12345678901234567890'];
    for (const s of bad) expect(parseNumberToken(s), s).toBeNaN();
  });

  it('parses numbers exactly like a reference built on Number() and a grammar regex', () => {
    const reference = (s: string): number => {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || /^[+-]?0\d/.test(s)) return NaN;
      const x = Number(s);
      if (!Number.isFinite(x)) return NaN;
      if (/^[+-]?\d+$/.test(s) && !Number.isSafeInteger(x)) return NaN;
      return x;
    };
    const token = fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.integer().map(String),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
      fc.stringMatching(/^[+-]?\d{0,18}(\.\d{0,18})?([eE][+-]?\d{1,3})?$/),
      fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'e', ' ', 'x'), maxLength: 8 }),
    );
    fc.assert(
      fc.property(token, (s) => {
        // Object.is: NaN equals NaN, and -0 must stay -0
        expect(Object.is(parseNumberToken(s), reference(s)), s).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('tells integer tokens from other numbers', () => {
    for (const s of ['0', '42', '-42', '+7', '9007199254740991']) expect(isIntegerToken(s), s).toBe(true);
    for (const s of ['4.0', '1e3', '007', '9007199254740993', '1.5', 'x']) expect(isIntegerToken(s), s).toBe(false);
  });

  it('reads booleans in any case', () => {
    expect(parseBooleanToken('true')).toBe(1);
    expect(parseBooleanToken('TRUE')).toBe(1);
    expect(parseBooleanToken('False')).toBe(0);
    for (const s of ['yes', '1', 't', 'truee', ' true']) expect(parseBooleanToken(s), s).toBe(-1);
  });

  it('parses ISO 8601 dates and date-times as UTC milliseconds', () => {
    expect(parseDateTimeToken('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDateTimeToken('2024-03-01T12:30')).toBe(Date.UTC(2024, 2, 1, 12, 30));
    expect(parseDateTimeToken('2024-03-01 12:30:15')).toBe(Date.UTC(2024, 2, 1, 12, 30, 15));
    expect(parseDateTimeToken('2024-03-01T12:30:15.25Z')).toBe(Date.UTC(2024, 2, 1, 12, 30, 15, 250));
    expect(parseDateTimeToken('2024-03-01T12:30:15.123456789Z')).toBe(Date.UTC(2024, 2, 1, 12, 30, 15, 123));
    expect(parseDateTimeToken('2024-03-01T12:00:00+02:00')).toBe(Date.UTC(2024, 2, 1, 10));
    expect(parseDateTimeToken('2024-03-01T12:00:00-0530')).toBe(Date.UTC(2024, 2, 1, 17, 30));
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 1);
    expect(parseDateTimeToken('0050-01-01')).toBe(year50.getTime());
    for (const s of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-01-32', '2024-01-01T24:00', '2024-1-1', '01/02/2024', '2024-01-01T12', '20240101', 'x']) {
      expect(parseDateTimeToken(s), s).toBeNaN();
    }
  });
});

describe('column inference from strings', () => {
  it('infers each type, missing tokens ignored', () => {
    expect(inferStringColumn(['true', 'FALSE', '', 'NA'])).toBe('boolean');
    expect(inferStringColumn(['1', '-2', 'NA', '30'])).toBe('integer');
    expect(inferStringColumn(['1', '2.5', ''])).toBe('number');
    expect(inferStringColumn(['1', '1e3'])).toBe('number');
    expect(inferStringColumn(['2024-01-01', '2024-01-02T10:00Z', 'null'])).toBe('datetime');
    expect(inferStringColumn(['a', 'b', 'a', 'b', 'a'])).toBe('categorical');
    expect(inferStringColumn(['ann', 'bob', 'cy'])).toBe('text');
    expect(inferStringColumn(['', 'NA', 'null'])).toBe('text');
    expect(inferStringColumn([])).toBe('text');
  });

  it('keeps zip codes with leading zeros out of the numbers', () => {
    expect(inferStringColumn(['02134', '10001', '02134', '10001'])).toBe('categorical');
    expect(inferStringColumn(['02134', '10001', '94110'])).toBe('text');
  });

  it('makes mixed columns strings, and 0/1 integers rather than booleans', () => {
    expect(inferStringColumn(['1', 'true'])).toBe('text');
    expect(inferStringColumn(['1', '2024-01-01'])).toBe('text');
    expect(inferStringColumn(['0', '1', '1'])).toBe('integer');
    expect(inferStringColumn(['1.5', 'Infinity'])).toBe('text');
  });

  it('applies the categorical rule: few repeated short values', () => {
    // 20 distinct values in 40 rows: categorical (<= 20 always allowed)
    const twenty = Array.from({ length: 40 }, (_, i) => `v${i % 20}`);
    expect(inferStringColumn(twenty)).toBe('categorical');
    // 21 distinct in 42 rows: over max(20, 5% of 42 = 2)
    const twentyOne = Array.from({ length: 42 }, (_, i) => `v${i % 21}`);
    expect(inferStringColumn(twentyOne)).toBe('text');
    // 50 distinct in 1000 rows: 5% of 1000 = 50 allowed
    const fifty = Array.from({ length: 1000 }, (_, i) => `v${i % 50}`);
    expect(inferStringColumn(fifty)).toBe('categorical');
    const fiftyOne = Array.from({ length: 1000 }, (_, i) => `v${i % 51}`);
    expect(inferStringColumn(fiftyOne)).toBe('text');
    // long values are text even when they repeat
    const long = 'x'.repeat(65);
    expect(inferStringColumn([long, long, 'a', 'a'])).toBe('text');
    expect(isCategorical(3, 3, 1)).toBe(false); // nothing repeats
    expect(isCategorical(2, 3, 1)).toBe(true);
  });

  it('widens integer to number, anything else to text', () => {
    expect(widenFor('integer', '2.5')).toBe('number');
    expect(widenFor('integer', 'abc')).toBe('text');
    expect(widenFor('integer', '7')).toBe('integer');
    expect(widenFor('number', 'x')).toBe('text');
    expect(widenFor('boolean', '1')).toBe('text');
    expect(widenFor('datetime', '2024')).toBe('text');
    expect(fitsType('NA', 'integer')).toBe(true);
    expect(fitsType('anything', 'categorical')).toBe(true);
  });
});

describe('column inference from JSON values', () => {
  it('infers each type', () => {
    expect(inferValues([true, false, null])).toBe('boolean');
    expect(inferValues([1, 2, undefined, -3])).toBe('integer');
    expect(inferValues([1, 2.5])).toBe('number');
    expect(inferValues(['2024-01-01', '2024-05-06T07:08:09Z'])).toBe('datetime');
    expect(inferValues(['a', 'b', 'a'])).toBe('categorical');
    expect(inferValues(['a', 'b', 'c'])).toBe('text');
    // strings stay strings: no number parsing of JSON strings
    expect(inferValues(['1', '2', '1'])).toBe('categorical');
    expect(inferValues([1, 'a'])).toBe('text');
    expect(inferValues([{ a: 1 }, [1, 2]])).toBe('text');
    expect(inferValues([null, null])).toBe('text');
  });

  it('writes nested values as JSON text', () => {
    expect(valueToText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(valueToText('plain')).toBe('plain');
    expect(valueToText(12)).toBe('12');
    expect(valueToText(true)).toBe('true');
    expect(valueToText(10n)).toBe('10');
  });
});
