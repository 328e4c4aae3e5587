/**
 * A TFDV-like schema: what a dataset version is expected to look like. Inferred from statistics, edited by
 * a person, stored as JSON (a schema version of the project), exported and imported.
 *
 * Per feature: logical type; presence (required = the column exists and never misses a value; otherwise
 * the present fraction must be at least minFraction); domain (the allowed values of a categorical or text
 * column, or a [min, max] range of finite numbers: NaN and ±Infinity are counted in the statistics but
 * not range-checked); and drift / skew thresholds. The comparator follows the type as in TFDV: L-infinity
 * distance for categorical, text and boolean columns, Jensen-Shannon divergence for number, integer and
 * datetime columns; images have none. A null threshold means "not checked".
 */
import { COLUMN_TYPES, type ColumnType } from '../data/types';
import type { ColumnStats, DatasetStats } from './stats';

export const SCHEMA_FORMAT = 'pipette-schema';
export const SCHEMA_VERSION = 1;

export interface ValuesDomain {
  kind: 'values';
  /** Allowed values, sorted. */
  values: string[];
}

export interface RangeDomain {
  kind: 'range';
  /** Inclusive bounds on finite values; null = unbounded on that side. Datetimes in ms since 1970 UTC. */
  min: number | null;
  max: number | null;
}

export type Domain = ValuesDomain | RangeDomain;

export interface Presence {
  /** The column must exist and have no missing value (implies minFraction 1). */
  required: boolean;
  /** Smallest allowed fraction of rows with a value, in [0, 1]. 0 also allows the column to be absent. */
  minFraction: number;
}

export interface FeatureSchema {
  name: string;
  type: ColumnType;
  presence: Presence;
  domain: Domain | null;
  /** Largest allowed distance from the previous version (L-infinity or Jensen-Shannon, by type). */
  driftThreshold: number | null;
  /** Largest allowed distance between training and serving data. */
  skewThreshold: number | null;
}

export interface Schema {
  format: typeof SCHEMA_FORMAT;
  version: typeof SCHEMA_VERSION;
  features: FeatureSchema[];
}

export type DriftMetric = 'linf' | 'js';

/** The comparator a column type uses, or null when the type has none. */
export function driftMetricFor(type: ColumnType): DriftMetric | null {
  switch (type) {
    case 'categorical':
    case 'text':
    case 'boolean':
      return 'linf';
    case 'number':
    case 'integer':
    case 'datetime':
      return 'js';
    case 'image':
      return null;
  }
}

/** Which domain kind a type can have. */
export function domainKindFor(type: ColumnType): Domain['kind'] | null {
  switch (type) {
    case 'categorical':
    case 'text':
      return 'values';
    case 'number':
    case 'integer':
    case 'datetime':
      return 'range';
    default:
      return null;
  }
}

export interface InferOptions {
  /** A categorical column gets a value domain when it has at most this many distinct values (default 100, as TFDV). */
  maxDomainSize?: number;
  /**
   * Give number and integer columns a [min, max] domain from the observed range (default false, as TFDV's
   * infer_schema, which sets no value ranges: next period's ordinary values just outside last period's range
   * would all be anomalies). Date/time columns never get one here: the next period's dates always lie
   * outside the training period. Use `setRangesFromStats` to pin ranges as an explicit action.
   */
  inferRanges?: boolean;
}

/** Compare strings by UTF-16 code units: the same order everywhere, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The schema of one column as its statistics suggest. */
export function inferFeature(stats: ColumnStats, options: InferOptions = {}): FeatureSchema {
  const maxDomainSize = options.maxDomainSize ?? 100;
  const present = stats.count - stats.missing;
  const presence: Presence =
    stats.count > 0 && stats.missing === 0 ? { required: true, minFraction: 1 } : { required: false, minFraction: stats.count > 0 ? present / stats.count : 0 };
  let domain: Domain | null = null;
  if (stats.kind === 'string' && stats.type === 'categorical' && stats.topValuesComplete && stats.unique <= maxDomainSize && stats.unique > 0) {
    domain = { kind: 'values', values: stats.topValues.map((v) => v.value).sort(compareStrings) };
  } else if (options.inferRanges === true && stats.type !== 'datetime') {
    domain = observedRange(stats);
  }
  return { name: stats.name, type: stats.type, presence, domain, driftThreshold: null, skewThreshold: null };
}

/** The observed [min, max] of a numeric column's finite values, or null when it has none. */
function observedRange(stats: ColumnStats): RangeDomain | null {
  return stats.kind === 'numeric' && stats.min !== null && stats.max !== null ? { kind: 'range', min: stats.min, max: stats.max } : null;
}

/**
 * The explicit "set ranges from these statistics" action: a new schema whose named columns (default: every
 * number and integer column; a date/time column only when named) get their observed [min, max] as domain.
 * Columns without finite values, of other types, or missing from the statistics keep their domain.
 */
export function setRangesFromStats(schema: Schema, stats: { columns: readonly ColumnStats[] }, columns?: readonly string[]): Schema {
  const byName = new Map(stats.columns.map((c) => [c.name, c]));
  const wanted = columns ? new Set(columns) : null;
  return {
    ...schema,
    features: schema.features.map((f) => {
      const s = byName.get(f.name);
      if (!s || s.type !== f.type || domainKindFor(f.type) !== 'range') return f;
      if (wanted ? !wanted.has(f.name) : f.type === 'datetime') return f;
      const domain = observedRange(s);
      return domain ? { ...f, domain } : f;
    }),
  };
}

/**
 * Suggested drift and skew thresholds per comparator, offered when a schema has none. TFDV leaves the
 * threshold to the user; its guide's examples set L-infinity 0.01 (skew, Chicago Taxi's payment_type)
 * and 0.001 (drift, company) on millions of rows. On the thousands of rows a browser tab holds, two
 * samples of the same source already differ by more than that (1,000 rows against 1,000 of one source,
 * worst of 20 draws: L-infinity 0.046, Jensen-Shannon 0.017; tests/unit/validate/drift.test.ts, "suggested
 * thresholds"), so the suggestion is 0.1 for both: a tenth of the rows moving between values, or
 * a Jensen-Shannon divergence of 0.1 bits. Date/time columns get none: they drift between periods by design.
 */
export const SUGGESTED_THRESHOLDS: Readonly<Record<DriftMetric, number>> = { linf: 0.1, js: 0.1 };

/** Whether a column takes part in drift and skew checks by default (date/time columns do not). */
export function comparedByDefault(type: ColumnType): boolean {
  return driftMetricFor(type) !== null && type !== 'datetime';
}

/** A new schema where every empty drift (or skew) threshold of a column compared by default gets the suggestion. */
export function withSuggestedThresholds(schema: Schema, key: 'driftThreshold' | 'skewThreshold'): Schema {
  return {
    ...schema,
    features: schema.features.map((f) => {
      const metric = driftMetricFor(f.type);
      return metric && comparedByDefault(f.type) && f[key] === null ? { ...f, [key]: SUGGESTED_THRESHOLDS[metric] } : f;
    }),
  };
}

/** Infer a schema from the statistics of a version (usually the training data). */
export function inferSchema(stats: DatasetStats, options: InferOptions = {}): Schema {
  return { format: SCHEMA_FORMAT, version: SCHEMA_VERSION, features: stats.columns.map((c) => inferFeature(c, options)) };
}

export function findFeature(schema: Schema, name: string): FeatureSchema | undefined {
  return schema.features.find((f) => f.name === name);
}

/** A new schema with one feature changed (schemas are immutable). */
export function updateFeature(schema: Schema, name: string, patch: Partial<Omit<FeatureSchema, 'name'>>): Schema {
  let found = false;
  const features = schema.features.map((f) => {
    if (f.name !== name) return f;
    found = true;
    return { ...f, ...patch };
  });
  if (!found) throw new Error(`schema has no feature "${name}"`);
  return { ...schema, features };
}

export function serializeSchema(schema: Schema): string {
  return JSON.stringify(schema, null, 2);
}

// ---------------------------------------------------------------------------------------------------------
// Import

/** What a schema field should have held: each has an English phrase here and a message on the page. */
export type SchemaWanted =
  | 'json-object' | 'format' | 'version' | 'array' | 'object' | 'object-or-null' | 'number' | 'number-or-null'
  | 'non-empty-string' | 'string' | 'boolean' | 'type' | 'domain-kind' | 'array-of-strings';

const WANTED: Record<SchemaWanted, string> = {
  'json-object': 'a JSON object',
  format: `"${SCHEMA_FORMAT}"`,
  version: String(SCHEMA_VERSION),
  array: 'an array',
  object: 'an object',
  'object-or-null': 'an object or null',
  number: 'a number',
  'number-or-null': 'a number or null',
  'non-empty-string': 'a non-empty string',
  string: 'a string',
  boolean: 'true or false',
  type: `one of ${COLUMN_TYPES.join(', ')}`,
  'domain-kind': '"values" or "range"',
  'array-of-strings': 'an array of strings',
};

export type SchemaIssueCode =
  | 'not-json' // params.detail: the parser's word
  | 'expected' // the field holds another kind of value: see SchemaIssue.expected
  | 'duplicate-name' // params.name, params.previous (its first feature index)
  | 'no-comparator' // a drift or skew threshold on an image column
  | 'out-of-range' // params.value outside [0, 1]
  | 'required-fraction' // params.value: minFraction must be 1 when required is true
  | 'domain-kind' // params.type cannot have a params.domain ('values' or 'range') domain
  | 'listed-twice' // params.value appears twice in a value list
  | 'min-over-max'; // params.min > params.max

export interface SchemaIssue {
  /** Where, e.g. "features[3].domain.min". */
  path: string;
  code: SchemaIssueCode;
  params: Record<string, string | number>;
  /** For 'expected': what the field should hold, the kind of value it holds, and that value when short. */
  expected?: { wanted: SchemaWanted; got: SchemaFound; value: string };
  /** English, for logs and tests; the page shows the code in the person's language. */
  message: string;
}

export class SchemaError extends Error {
  readonly issues: SchemaIssue[];
  constructor(issues: SchemaIssue[]) {
    const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super(`not a valid schema: ${shown.join('; ')}${more}`);
    this.name = 'SchemaError';
    this.issues = issues;
  }
}

/** The kind of a value found where another was expected. */
export type SchemaFound = 'nothing' | 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'other';
type Found = { got: SchemaFound; value: string };

function found(v: unknown): Found {
  if (v === undefined) return { got: 'nothing', value: '' };
  if (v === null) return { got: 'null', value: '' };
  if (Array.isArray(v)) return { got: 'array', value: '' };
  if (typeof v === 'string') return { got: 'string', value: JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) };
  if (typeof v === 'number') return { got: 'number', value: String(v) };
  if (typeof v === 'boolean') return { got: 'boolean', value: String(v) };
  return typeof v === 'object' ? { got: 'object', value: '' } : { got: 'other', value: `${typeof v} ${String(v)}` };
}

function describe(v: unknown): string {
  const f = found(v);
  const words: Record<SchemaFound, string> = { nothing: 'no value', null: 'null', array: 'an array', object: 'an object', string: `the string ${f.value}`, number: Number.isFinite(v) ? `number ${f.value}` : f.value, boolean: `boolean ${f.value}`, other: f.value };
  return words[f.got];
}

/** An issue for a field that holds the wrong kind of value. */
function expectedIssue(path: string, wanted: SchemaWanted, v: unknown): SchemaIssue {
  const hint = wanted === 'format' ? ' (is this a Pipette schema file?)' : '';
  return { path, code: 'expected', params: {}, expected: { wanted, ...found(v) }, message: `expected ${WANTED[wanted]}, got ${describe(v)}${hint}` };
}

type Fail = (issue: SchemaIssue) => void;
const issue = (path: string, code: SchemaIssueCode, params: Record<string, string | number>, message: string): SchemaIssue => ({ path, code, params, message });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Check an imported schema (a JSON string or parsed JSON) and return it as a Schema. Throws SchemaError
 * listing every problem with its field path, e.g. "features[3].domain.min: expected a number, got the
 * string \"5\"". The result is a fresh object: later edits of the input do not leak in.
 */
export function parseSchema(input: unknown): Schema {
  const issues: SchemaIssue[] = [];
  const fail: Fail = (i) => issues.push(i);
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new SchemaError([issue('', 'not-json', { detail: (e as Error).message }, `the file is not JSON (${(e as Error).message})`)]);
    }
  }
  if (!isObject(json)) throw new SchemaError([expectedIssue('', 'json-object', json)]);
  if (json.format !== SCHEMA_FORMAT) fail(expectedIssue('format', 'format', json.format));
  if (json.version !== SCHEMA_VERSION) fail(expectedIssue('version', 'version', json.version));
  const out: FeatureSchema[] = [];
  if (!Array.isArray(json.features)) {
    fail(expectedIssue('features', 'array', json.features));
  } else {
    const names = new Map<string, number>();
    json.features.forEach((f: unknown, i: number) => {
      const at = `features[${i}]`;
      const feature = parseFeature(f, at, fail);
      // duplicates are checked on the raw names, so a feature with other problems still counts
      const name = isObject(f) && typeof f.name === 'string' && f.name !== '' ? f.name : null;
      if (name !== null) {
        const prev = names.get(name);
        if (prev !== undefined) fail(issue(`${at}.name`, 'duplicate-name', { name, previous: prev }, `"${name}" is already the name of features[${prev}]`));
        else names.set(name, i);
      }
      if (feature) out.push(feature);
    });
  }
  if (issues.length > 0) throw new SchemaError(issues);
  return { format: SCHEMA_FORMAT, version: SCHEMA_VERSION, features: out };
}

function parseThreshold(v: unknown, path: string, metric: DriftMetric | null, fail: Fail): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    fail(expectedIssue(path, 'number-or-null', v));
    return null;
  }
  if (metric === null) {
    fail(issue(path, 'no-comparator', {}, 'image columns have no drift or skew comparator; use null'));
    return null;
  }
  // both distances live in [0, 1]
  if (v < 0 || v > 1) fail(issue(path, 'out-of-range', { value: v }, `expected a number between 0 and 1, got ${v}`));
  return v;
}

function parseFeature(f: unknown, at: string, fail: Fail): FeatureSchema | null {
  if (!isObject(f)) {
    fail(expectedIssue(at, 'object', f));
    return null;
  }
  let ok = true;
  const bad: Fail = (i) => {
    ok = false;
    fail(i);
  };
  const name = f.name;
  if (typeof name !== 'string' || name === '') bad(expectedIssue(`${at}.name`, 'non-empty-string', name));
  const type = f.type;
  if (typeof type !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(type)) {
    bad(expectedIssue(`${at}.type`, 'type', type));
  }
  const ctype = type as ColumnType;
  const typeOk = ok;

  let presence: Presence = { required: false, minFraction: 0 };
  const p = f.presence;
  if (!isObject(p)) bad(expectedIssue(`${at}.presence`, 'object', p));
  else {
    if (typeof p.required !== 'boolean') bad(expectedIssue(`${at}.presence.required`, 'boolean', p.required));
    const mf = p.minFraction;
    if (typeof mf !== 'number' || !Number.isFinite(mf)) bad(expectedIssue(`${at}.presence.minFraction`, 'number', mf));
    else if (mf < 0 || mf > 1) bad(issue(`${at}.presence.minFraction`, 'out-of-range', { value: mf }, `expected a number between 0 and 1, got ${mf}`));
    else if (p.required === true && mf !== 1) bad(issue(`${at}.presence.minFraction`, 'required-fraction', { value: mf }, `must be 1 when required is true, got ${mf}`));
    presence = { required: p.required === true, minFraction: typeof mf === 'number' ? mf : 0 };
  }

  let domain: Domain | null = null;
  const d = f.domain;
  if (d !== null && d !== undefined) {
    if (!isObject(d)) bad(expectedIssue(`${at}.domain`, 'object-or-null', d));
    else if (d.kind === 'values') {
      if (typeOk && domainKindFor(ctype) !== 'values') bad(issue(`${at}.domain.kind`, 'domain-kind', { type: ctype, domain: 'values' }, `a ${ctype} column cannot have a value list domain`));
      if (!Array.isArray(d.values)) bad(expectedIssue(`${at}.domain.values`, 'array-of-strings', d.values));
      else {
        const seen = new Set<string>();
        d.values.forEach((v: unknown, j: number) => {
          if (typeof v !== 'string') bad(expectedIssue(`${at}.domain.values[${j}]`, 'string', v));
          else if (seen.has(v)) bad(issue(`${at}.domain.values[${j}]`, 'listed-twice', { value: v }, `"${v}" is listed twice`));
          else seen.add(v);
        });
        domain = { kind: 'values', values: [...seen].sort(compareStrings) };
      }
    } else if (d.kind === 'range') {
      if (typeOk && domainKindFor(ctype) !== 'range') bad(issue(`${at}.domain.kind`, 'domain-kind', { type: ctype, domain: 'range' }, `a ${ctype} column cannot have a range domain`));
      const bound = (key: 'min' | 'max'): number | null => {
        const v = d[key];
        if (v === null || v === undefined) return null;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          bad(expectedIssue(`${at}.domain.${key}`, 'number', v));
          return null;
        }
        return v;
      };
      const min = bound('min');
      const max = bound('max');
      if (min !== null && max !== null && min > max) bad(issue(`${at}.domain`, 'min-over-max', { min, max }, `min (${min}) is greater than max (${max})`));
      domain = { kind: 'range', min, max };
    } else bad(expectedIssue(`${at}.domain.kind`, 'domain-kind', d.kind));
  }

  const metric = typeOk ? driftMetricFor(ctype) : 'js';
  const driftThreshold = parseThreshold(f.driftThreshold, `${at}.driftThreshold`, metric, bad);
  const skewThreshold = parseThreshold(f.skewThreshold, `${at}.skewThreshold`, metric, bad);
  if (!ok) return null;
  return { name: name as string, type: ctype, presence, domain, driftThreshold, skewThreshold };
}
