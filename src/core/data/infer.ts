/**
 * Type inference: which logical ColumnType a column of CSV strings or JSON values has.
 *
 * Rules (documented here once; the importers and the exporter rely on them):
 * - Missing: the exact tokens in NA_TOKENS ("" NA N/A n/a NaN nan null NULL #N/A). Case-sensitive, a
 *   subset of pandas' defaults: "None" and "-" are left out on purpose because they are real category
 *   values often enough ("None" pets). Whitespace-only cells are NOT missing (they are kept as text).
 * - boolean: true/false in any case. 0/1 and yes/no stay numbers / strings.
 * - integer: [+-]digits, no leading zeros ("007" and zip codes "02134" are not numbers at all, so the
 *   column stays categorical/text), within +-2^53 (longer digit strings are identifiers, not numbers).
 * - number: a decimal literal ("1.5", "-.5", "1e-3", "5."), finite, no surrounding whitespace, no
 *   leading zeros before the point ("0.5" is fine, "00.5" is not). "Infinity", "inf" and hex are not
 *   numbers: a column holding them becomes text rather than losing the value.
 * - datetime: ISO 8601 date "YYYY-MM-DD" or date-time "YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM]".
 *   Without an offset the time is taken as UTC (so a value never depends on the machine's zone).
 * - categorical vs text (strings): categorical when the values repeat and are few and short:
 *   distinct <= max(20, 5% of non-missing), distinct < non-missing, and every value <= 64 characters.
 * - A column with no non-missing value at all is text.
 * - Precedence when several fit: boolean, integer, number, datetime, categorical, text.
 * - image is never inferred from CSV or JSON.
 */
import type { ColumnType } from './types';

export const NA_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', '#N/A']);

/** Categorical rule constants. */
export const CATEGORICAL_MIN_DISTINCT = 20;
export const CATEGORICAL_MAX_FRACTION = 0.05;
export const CATEGORICAL_MAX_LENGTH = 64;
/** Distinct values tracked by ValueTypeTracker before a string column is declared text. */
export const CATEGORICAL_TRACK_LIMIT = 100_000;

export function isMissingToken(s: string): boolean {
  // every NA token is at most 4 characters: skip the set lookup for the common long cell
  return s.length <= 4 && NA_TOKENS.has(s);
}

/** Powers of ten that are exact doubles, for the fast path of parseNumberToken. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parse a number token by the rules above; NaN when `s` is not one. Plain decimals of up to 15 digits
 * (nearly every CSV number) are parsed in one pass over the characters: the digits form an exact integer
 * and one division by an exact power of ten gives the correctly rounded double, the same as Number(s).
 * Anything longer or with an exponent goes through Number() and the checks in slowNumber.
 */
export function parseNumberToken(s: string): number {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  const negative = c === 45;
  if (negative || c === 43) i++;
  const intStart = i;
  let mantissa = 0;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    mantissa = mantissa * 10 + (c - 48);
  }
  const intDigits = i - intStart;
  if (intDigits > 1 && s.charCodeAt(intStart) === 48) return NaN; // leading zero: "007"
  let fracDigits = 0;
  if (i < n && c === 46) {
    for (i++; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mantissa = mantissa * 10 + (c - 48);
      fracDigits++;
    }
  }
  if (intDigits + fracDigits === 0) return NaN;
  if (i < n) return c === 101 || c === 69 ? slowNumber(s) : NaN; // exponent, or junk
  if (intDigits + fracDigits > 15) return slowNumber(s);
  const x = fracDigits === 0 ? mantissa : mantissa / POW10[fracDigits]!;
  return negative ? -x : x;
}

/** Number() plus the checks that reject what it accepts but our grammar does not. */
function slowNumber(s: string): number {
  const x = +s;
  if (x !== x || s.length === 0) return NaN; // NaN or ""
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(s.length - 1);
  // first char a digit, sign or point; last a digit or point: rules out whitespace, Infinity
  if (!((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45 || c0 === 46)) return NaN;
  if (!((cl >= 48 && cl <= 57) || cl === 46)) return NaN;
  const i = c0 === 43 || c0 === 45 ? 1 : 0;
  if (s.charCodeAt(i) === 48 && s.length > i + 1) {
    const c1 = s.charCodeAt(i + 1);
    if (c1 >= 48 && c1 <= 57) return NaN; // leading zero: "007"
    if (c1 === 120 || c1 === 88 || c1 === 111 || c1 === 79 || c1 === 98 || c1 === 66) return NaN; // 0x 0o 0b
  }
  if (x === Infinity || x === -Infinity) return NaN; // "1e400"
  if (Number.isInteger(x) && !Number.isSafeInteger(x) && isPlainDigits(s)) return NaN; // identifiers
  return x;
}

function isPlainDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return false; // . e E
  }
  return true;
}

/** The value of an integer token (a number written without point or exponent), else NaN. */
export function parseIntegerToken(s: string): number {
  const x = parseNumberToken(s);
  return Number.isSafeInteger(x) && isPlainDigits(s) ? x : NaN;
}

export function isIntegerToken(s: string): boolean {
  const x = parseIntegerToken(s);
  return x === x;
}

/** 1 for true, 0 for false, -1 when not a boolean token. */
export function parseBooleanToken(s: string): number {
  if (s.length === 4) {
    const c = s.charCodeAt(0) | 32;
    if (c === 116 && s.toLowerCase() === 'true') return 1;
  } else if (s.length === 5) {
    const c = s.charCodeAt(0) | 32;
    if (c === 102 && s.toLowerCase() === 'false') return 0;
  }
  return -1;
}

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Milliseconds since 1970 UTC for an ISO 8601 date or date-time token; NaN when not one. */
export function parseDateTimeToken(s: string): number {
  // cheap precheck before the regex: "dddd-"
  if (s.length < 10 || s.charCodeAt(4) !== 45) return NaN;
  const m = DATE_RE.exec(s);
  if (!m) return NaN;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  let ms = Date.UTC(year, month - 1, day);
  // Date.UTC maps years 0..99 to 1900..1999
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (m[4] !== undefined) {
    const h = +m[4];
    const mi = +m[5]!;
    const sec = m[6] !== undefined ? +m[6] : 0;
    if (h > 23 || mi > 59 || sec > 59) return NaN;
    const frac = m[7] !== undefined ? Math.floor(+(m[7] + '000').slice(0, 3)) : 0;
    ms += ((h * 60 + mi) * 60 + sec) * 1000 + frac;
    const tz = m[8];
    if (tz !== undefined && tz !== 'Z') {
      const sign = tz[0] === '-' ? -1 : 1;
      const digits = tz.slice(1).replace(':', '');
      const oh = +digits.slice(0, 2);
      const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
      if (oh > 23 || om > 59) return NaN;
      ms -= sign * (oh * 60 + om) * 60_000;
    }
  }
  return ms;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The categorical-vs-text rule for strings. */
export function isCategorical(distinct: number, nonMissing: number, maxLength: number): boolean {
  return (
    nonMissing > 0 &&
    distinct < nonMissing &&
    distinct <= Math.max(CATEGORICAL_MIN_DISTINCT, Math.floor(CATEGORICAL_MAX_FRACTION * nonMissing)) &&
    maxLength <= CATEGORICAL_MAX_LENGTH
  );
}

/** Whether a column of string cells has any non-missing value. */
export function hasValues(cells: ArrayLike<string>): boolean {
  for (let i = 0; i < cells.length; i++) if (!isMissingToken(cells[i]!)) return true;
  return false;
}

/**
 * Infer the type of a column of string cells (CSV). `get(i)` reads cell i of `length` cells, so the
 * caller can infer straight from parsed rows without copying a column out.
 */
export function inferStrings(length: number, get: (i: number) => string): ColumnType {
  let bool = true;
  let int = true;
  let num = true;
  let date = true;
  let n = 0;
  let maxLength = 0;
  // the set can stop growing once the column is clearly not categorical
  const distinctLimit = Math.max(CATEGORICAL_MIN_DISTINCT, Math.floor(CATEGORICAL_MAX_FRACTION * length)) + 1;
  const distinct = new Set<string>();
  for (let i = 0; i < length; i++) {
    const s = get(i);
    if (isMissingToken(s)) continue;
    n++;
    if (bool && parseBooleanToken(s) < 0) bool = false;
    if (num) {
      const x = parseNumberToken(s);
      if (x !== x) num = int = false;
      else if (int && !(Number.isSafeInteger(x) && isPlainDigits(s))) int = false;
    }
    if (date) {
      const t = parseDateTimeToken(s);
      if (t !== t) date = false;
    }
    if (s.length > maxLength) maxLength = s.length;
    if (distinct.size < distinctLimit) distinct.add(s);
  }
  if (n === 0) return 'text';
  if (bool) return 'boolean';
  if (int) return 'integer';
  if (num) return 'number';
  if (date) return 'datetime';
  return isCategorical(distinct.size, n, maxLength) ? 'categorical' : 'text';
}

/** Infer the type of an array of string cells. */
export function inferStringColumn(cells: ArrayLike<string>): ColumnType {
  return inferStrings(cells.length, (i) => cells[i]!);
}

/** True when a string cell can be stored in a column of `type` without loss. */
export function fitsType(s: string, type: ColumnType): boolean {
  if (isMissingToken(s)) return true;
  switch (type) {
    case 'integer':
      return isIntegerToken(s);
    case 'number': {
      const x = parseNumberToken(s);
      return x === x;
    }
    case 'boolean':
      return parseBooleanToken(s) >= 0;
    case 'datetime': {
      const t = parseDateTimeToken(s);
      return t === t;
    }
    case 'categorical':
    case 'text':
      return true;
    case 'image':
      return false;
  }
}

/** The narrowest type wider than `type` that holds `s`: integer -> number when s is a number, else text. */
export function widenFor(type: ColumnType, s: string): ColumnType {
  if (fitsType(s, type)) return type;
  if (type === 'integer' && fitsType(s, 'number')) return 'number';
  return 'text';
}

/**
 * Streaming type inference over JS values (JSON, NDJSON): feed values one by one with add(), read
 * the result with type(). null/undefined are missing; nested objects and arrays make the column text.
 * JSON strings are not parsed as numbers or booleans (the writer chose a string, e.g. a zip code),
 * but ISO 8601 strings make a datetime column because JSON has no date type.
 */
export class ValueTypeTracker {
  nonMissing = 0;
  private bools = 0;
  private numbers = 0;
  private integers = 0;
  private strings = 0;
  private dates = 0;
  private others = 0;
  private maxLength = 0;
  private distinct: Set<string> | null = new Set();

  add(v: unknown): void {
    if (v === null || v === undefined) return;
    this.nonMissing++;
    switch (typeof v) {
      case 'boolean':
        this.bools++;
        return;
      case 'number':
        this.numbers++;
        if (Number.isSafeInteger(v)) this.integers++;
        return;
      case 'string': {
        this.strings++;
        const t = parseDateTimeToken(v);
        if (t === t) this.dates++;
        if (v.length > this.maxLength) this.maxLength = v.length;
        if (this.distinct) {
          this.distinct.add(v);
          if (this.distinct.size > CATEGORICAL_TRACK_LIMIT) this.distinct = null;
        }
        return;
      }
      default:
        this.others++;
    }
  }

  type(): ColumnType {
    const n = this.nonMissing;
    if (n === 0) return 'text';
    if (this.bools === n) return 'boolean';
    if (this.numbers === n) return this.integers === n ? 'integer' : 'number';
    if (this.strings === n) {
      if (this.dates === n) return 'datetime';
      return this.distinct && isCategorical(this.distinct.size, n, this.maxLength) ? 'categorical' : 'text';
    }
    return 'text';
  }
}

/** Infer the type of an array of JS values (JSON). */
export function inferValues(values: ArrayLike<unknown>): ColumnType {
  const t = new ValueTypeTracker();
  for (let i = 0; i < values.length; i++) t.add(values[i]);
  return t.type();
}

/** How a JS value is written into a text/categorical column: strings as is, the rest as JSON. */
export function valueToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}
