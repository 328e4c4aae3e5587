/**
 * Validation of a dataset version against a schema (TFDV's validate_statistics / Anomalies), and the
 * one-click fix: accepting an anomaly returns a new, relaxed schema.
 *
 * Two entry points:
 * - validateStats(stats, schema): from statistics alone (e.g. a serving log summary). Counts of values out of
 *   the domain are exact when the statistics list every value; counts out of range are estimated from the
 *   histogram (marked `approximate`). No example rows.
 * - Validator / validateBatches(batches, schema): one pass over the record batches computes the statistics
 *   and also scans the domain, range and presence checks row by row, so counts are exact and each anomaly
 *   names example rows (row numbers within the version, counting from 0).
 *
 * Type compatibility: integer data satisfies a number feature (every integer is a number); any other
 * difference is a type mismatch, and the column's other checks are skipped.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import type { ColumnType } from '../data/types';
import { DictionaryCache, indicesOf, numbersOf, stringParts, utf8, validityOf } from './arrowread';
import {
  compareStrings,
  domainKindFor,
  driftMetricFor,
  inferFeature,
  type DriftMetric,
  type FeatureSchema,
  type Presence,
  type Schema,
} from './schema';
import { valueKey } from './sketches';
import { StatsAccumulator, columnsOf, type ColumnSpec, type ColumnStats, type DatasetStats, type NumericStats, type StatsOptions } from './stats';

export type AnomalyKind = 'missing_column' | 'new_column' | 'type_mismatch' | 'out_of_domain' | 'out_of_range' | 'presence' | 'drift' | 'skew';

export interface AnomalyExamples {
  /** A few offending values, most frequent first (out of domain) or as found (out of range). */
  values: (string | number)[];
  /** A few offending rows (0-based row numbers within the version), when the rows were scanned. */
  rows: number[];
}

interface AnomalyBase {
  column: string;
  /** Message id for translations: `validate.anomaly.<kind>` plus a variant where the wording differs. */
  code: string;
  /** Rows concerned (see each kind). */
  count: number;
  /** The count is an estimate (statistics from sketches, or a range count from the histogram). */
  approximate: boolean;
  /** English text; the UI may instead render `code` with `params`. */
  description: string;
  examples: AnomalyExamples;
}

export type Anomaly =
  /** count = rows in the version (all of them lack the column) */
  | (AnomalyBase & { kind: 'missing_column'; params: { presence: Presence; rows: number } })
  /** count = rows with a value; feature = what accepting adds */
  | (AnomalyBase & { kind: 'new_column'; params: { type: ColumnType; feature: FeatureSchema } })
  /** count = rows in the version; feature = what accepting puts instead */
  | (AnomalyBase & { kind: 'type_mismatch'; params: { expected: ColumnType; actual: ColumnType; feature: FeatureSchema } })
  /** count = rows with a value outside the domain; values = the distinct new values (all of them unless truncated) */
  | (AnomalyBase & { kind: 'out_of_domain'; params: { values: string[]; distinct: number; truncated: boolean; domainSize: number } })
  /** count = rows below min plus rows above max */
  | (AnomalyBase & {
      kind: 'out_of_range';
      params: { min: number | null; max: number | null; observedMin: number; observedMax: number; below: number; above: number; type: ColumnType };
    })
  /** count = rows missing a value */
  | (AnomalyBase & { kind: 'presence'; params: { required: boolean; minFraction: number; observedFraction: number; missing: number; rows: number } })
  /** count = rows in the current version */
  | (AnomalyBase & { kind: 'drift' | 'skew'; params: { metric: DriftMetric; distance: number; threshold: number; value: string | null } });

export interface ValidateOptions extends StatsOptions {
  /** Example rows and values per anomaly (default 5). */
  maxExamples?: number;
  /** Distinct out-of-domain values listed for acceptance (default 1000); past it accepting drops the domain. */
  maxListedValues?: number;
}

function fmt(x: number, type: ColumnType = 'number'): string {
  if (type === 'datetime') {
    const d = new Date(x);
    return Number.isNaN(d.getTime()) ? String(x) : d.toISOString();
  }
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

function pct(f: number): string {
  return `${Number((f * 100).toPrecision(3))}%`;
}

/** Data of one type satisfies a feature of another. */
export function typeSatisfies(actual: ColumnType, expected: ColumnType): boolean {
  return actual === expected || (actual === 'integer' && expected === 'number');
}

/** Row-level findings for one column, from the Validator's scan. */
export interface RowFindings {
  missingRows: number[];
  domain?: { count: number; values: Map<string, number>; truncated: boolean; rows: number[] };
  range?: { below: number; above: number; rows: number[]; values: number[] };
}

/** Anomalies of a version's statistics against a schema. `findings` (from Validator) makes counts exact. */
export function validateStats(stats: DatasetStats, schema: Schema, options: ValidateOptions = {}, findings?: ReadonlyMap<string, RowFindings>): Anomaly[] {
  const maxExamples = options.maxExamples ?? 5;
  const maxListed = options.maxListedValues ?? 1000;
  const out: Anomaly[] = [];
  const byName = new Map(stats.columns.map((c) => [c.name, c]));
  const inSchema = new Set(schema.features.map((f) => f.name));
  for (const f of schema.features) {
    const s = byName.get(f.name);
    if (!s) {
      if (f.presence.required || f.presence.minFraction > 0) {
        out.push({
          column: f.name,
          kind: 'missing_column',
          code: 'validate.anomaly.missing_column',
          count: stats.rowCount,
          approximate: false,
          description: `Column "${f.name}" is in the schema but not in the data.`,
          examples: { values: [], rows: [] },
          params: { presence: { ...f.presence }, rows: stats.rowCount },
        });
      }
      continue;
    }
    if (!typeSatisfies(s.type, f.type)) {
      out.push({
        column: f.name,
        kind: 'type_mismatch',
        code: 'validate.anomaly.type_mismatch',
        count: s.count,
        approximate: false,
        description: `Column "${f.name}" is ${s.type} in the data but ${f.type} in the schema.`,
        examples: { values: [], rows: [] },
        params: { expected: f.type, actual: s.type, feature: inferFeature(s) },
      });
      continue;
    }
    const found = findings?.get(f.name);
    const presence = checkPresence(f, s, found, maxExamples);
    if (presence) out.push(presence);
    if (f.domain?.kind === 'values' && s.kind === 'string') {
      const a = checkValues(f, s, f.domain.values, found, maxExamples, maxListed);
      if (a) out.push(a);
    }
    if (f.domain?.kind === 'range' && s.kind === 'numeric') {
      const a = checkRange(f, s, f.domain.min, f.domain.max, found, maxExamples);
      if (a) out.push(a);
    }
  }
  for (const s of stats.columns) {
    if (inSchema.has(s.name)) continue;
    out.push({
      column: s.name,
      kind: 'new_column',
      code: 'validate.anomaly.new_column',
      count: s.count - s.missing,
      approximate: false,
      description: `Column "${s.name}" (${s.type}) is in the data but not in the schema.`,
      examples: { values: [], rows: [] },
      params: { type: s.type, feature: inferFeature(s) },
    });
  }
  return out;
}

function checkPresence(f: FeatureSchema, s: ColumnStats, found: RowFindings | undefined, maxExamples: number): Anomaly | null {
  // an empty version has no fraction to check
  if (s.count === 0) return null;
  const observed = (s.count - s.missing) / s.count;
  const violated = f.presence.required ? s.missing > 0 : observed < f.presence.minFraction;
  if (!violated) return null;
  const description = f.presence.required
    ? `Column "${f.name}" is required but misses a value in ${s.missing} of ${s.count} rows.`
    : `Column "${f.name}" has a value in ${pct(observed)} of rows (${s.count - s.missing} of ${s.count}); the schema expects at least ${pct(f.presence.minFraction)}.`;
  return {
    column: f.name,
    kind: 'presence',
    code: f.presence.required ? 'validate.anomaly.presence.required' : 'validate.anomaly.presence.fraction',
    count: s.missing,
    approximate: false,
    description,
    examples: { values: [], rows: (found?.missingRows ?? []).slice(0, maxExamples) },
    params: { required: f.presence.required, minFraction: f.presence.minFraction, observedFraction: observed, missing: s.missing, rows: s.count },
  };
}

function checkValues(
  f: FeatureSchema,
  s: Extract<ColumnStats, { kind: 'string' }>,
  domain: readonly string[],
  found: RowFindings | undefined,
  maxExamples: number,
  maxListed: number,
): Anomaly | null {
  const allowed = new Set(domain.map(valueKey));
  let count: number;
  let approximate: boolean;
  let entries: [string, number][];
  let truncated: boolean;
  let rows: number[] = [];
  if (found?.domain) {
    count = found.domain.count;
    approximate = false;
    entries = [...found.domain.values];
    truncated = found.domain.truncated;
    rows = found.domain.rows.slice(0, maxExamples);
  } else {
    const outside = s.topValues.filter((v) => !allowed.has(v.value));
    count = outside.reduce((a, v) => a + v.count, 0);
    approximate = !s.topValuesComplete;
    entries = outside.map((v) => [v.value, v.count]);
    truncated = !s.topValuesComplete || entries.length > maxListed;
    // values the sketch dropped can still be outside the domain: flag when the listing cannot rule it out
    if (count === 0 && !s.topValuesComplete && s.unique > allowed.size) count = 1;
  }
  if (count === 0) return null;
  entries.sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  if (entries.length > maxListed) {
    entries = entries.slice(0, maxListed);
    truncated = true;
  }
  const values = entries.map((e) => e[0]);
  const shown = entries.slice(0, maxExamples);
  const list = shown.map(([v, c]) => `${JSON.stringify(v)} (${c})`).join(', ');
  return {
    column: f.name,
    kind: 'out_of_domain',
    code: 'validate.anomaly.out_of_domain',
    count,
    approximate,
    description:
      `Column "${f.name}" has ${approximate ? 'about ' : ''}${count} value${count === 1 ? '' : 's'} not among its ${domain.length} allowed values` +
      (list ? `: ${list}${entries.length > shown.length || truncated ? ', …' : ''}.` : '.'),
    examples: { values: shown.map((e) => e[0]), rows },
    params: { values, distinct: entries.length, truncated, domainSize: domain.length },
  };
}

/** Histogram mass below `lo` and above `hi`, spreading each bin's count evenly over its width. */
function histogramTails(s: NumericStats, lo: number | null, hi: number | null): { below: number; above: number } {
  const h = s.histogram;
  let below = 0;
  let above = 0;
  if (!h) return { below, above };
  for (let i = 0; i < h.counts.length; i++) {
    const a = h.edges[i]!;
    const b = h.edges[i + 1]!;
    const c = h.counts[i]!;
    const w = b - a;
    if (lo !== null) below += w > 0 ? (c * Math.max(0, Math.min(b, lo) - a)) / w : a < lo ? c : 0;
    if (hi !== null) above += w > 0 ? (c * Math.max(0, b - Math.max(a, hi))) / w : a > hi ? c : 0;
  }
  return { below: Math.round(below), above: Math.round(above) };
}

function checkRange(f: FeatureSchema, s: NumericStats, min: number | null, max: number | null, found: RowFindings | undefined, maxExamples: number): Anomaly | null {
  if (s.min === null || s.max === null) return null;
  const low = min !== null && s.min < min;
  const high = max !== null && s.max > max;
  if (!low && !high) return null;
  let below: number;
  let above: number;
  let approximate = false;
  let examples: AnomalyExamples;
  if (found?.range) {
    ({ below, above } = found.range);
    examples = { values: found.range.values.slice(0, maxExamples), rows: found.range.rows.slice(0, maxExamples) };
  } else {
    ({ below, above } = histogramTails(s, min, max));
    // the extremes prove at least one value on each violated side
    if (low) below = Math.max(1, below);
    if (high) above = Math.max(1, above);
    approximate = true;
    examples = { values: [...(low ? [s.min] : []), ...(high ? [s.max] : [])], rows: [] };
  }
  const t = s.type;
  const range = `[${min === null ? '-∞' : fmt(min, t)}, ${max === null ? '∞' : fmt(max, t)}]`;
  const parts: string[] = [];
  if (below > 0) parts.push(`${approximate ? 'about ' : ''}${below} below the minimum (smallest ${fmt(s.min, t)})`);
  if (above > 0) parts.push(`${approximate ? 'about ' : ''}${above} above the maximum (largest ${fmt(s.max, t)})`);
  const variant = below > 0 && above > 0 ? 'both' : below > 0 ? 'below' : 'above';
  return {
    column: f.name,
    kind: 'out_of_range',
    code: `validate.anomaly.out_of_range.${variant}`,
    count: below + above,
    approximate,
    description: `Column "${f.name}" has values outside the range ${range}: ${parts.join(' and ')}.`,
    examples,
    params: { min, max, observedMin: s.min, observedMax: s.max, below, above, type: t },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Row-level scan

/** One column's row checks, fed the same chunks as the statistics. */
class ColumnChecker {
  readonly findings: RowFindings = { missingRows: [] };
  private readonly allowed: Set<string> | null;
  private readonly min: number;
  private readonly max: number;
  private readonly dictionaries = new DictionaryCache();

  constructor(
    private readonly feature: FeatureSchema,
    private readonly actual: ColumnType,
    private readonly maxExamples: number,
    private readonly maxListed: number,
  ) {
    const d = feature.domain;
    this.allowed = d?.kind === 'values' && (actual === 'categorical' || actual === 'text') ? new Set(d.values.map(valueKey)) : null;
    const ranged = d?.kind === 'range' && (actual === 'number' || actual === 'integer' || actual === 'datetime');
    this.min = ranged && d.min !== null ? d.min : -Infinity;
    this.max = ranged && d.max !== null ? d.max : Infinity;
    if (this.allowed) this.findings.domain = { count: 0, values: new Map(), truncated: false, rows: [] };
    if (ranged) this.findings.range = { below: 0, above: 0, rows: [], values: [] };
  }

  add(data: Data, base: number): void {
    const bm = validityOf(data);
    const off = data.offset;
    const n = data.length;
    const miss = this.findings.missingRows;
    if (bm !== null && miss.length < this.maxExamples) {
      for (let i = 0; i < n && miss.length < this.maxExamples; i++) {
        const j = off + i;
        if ((bm[j >> 3]! & (1 << (j & 7))) === 0) miss.push(base + i);
      }
    }
    if (this.allowed) {
      if (DataType.isDictionary(data.type)) this.domainDictionary(data, base);
      else this.domainUtf8(data, base);
    }
    if (this.findings.range) this.range(data, base);
  }

  private outside(value: string, row: number, times: number): void {
    const d = this.findings.domain!;
    d.count += times;
    if (d.rows.length < this.maxExamples) d.rows.push(row);
    const c = d.values.get(value);
    if (c !== undefined) d.values.set(value, c + times);
    else if (d.values.size < this.maxListed) d.values.set(value, times);
    else d.truncated = true;
  }

  private domainDictionary(data: Data, base: number): void {
    const dict = this.dictionaries.get(data, this.feature.name, this.actual);
    // 1 = outside the domain, 0 = inside, per dictionary entry (decided once per batch)
    const state = new Int8Array(dict.size).fill(-1);
    const idx = indicesOf(data);
    const bm = validityOf(data);
    const off = data.offset;
    const rows: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const j = off + i;
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) continue;
      const k = idx[i]!;
      if (k < 0 || k >= dict.size) continue;
      let st = state[k]!;
      if (st < 0) {
        const s = dict.get(k);
        st = state[k] = s === null || this.allowed!.has(valueKey(s)) ? 0 : 1;
      }
      if (st === 1) rows.push(i);
    }
    for (const i of rows) this.outside(valueKey(dict.get(idx[i]!)!), base + i, 1);
  }

  private domainUtf8(data: Data, base: number): void {
    const { offsets, bytes } = stringParts(data, this.feature.name, this.actual);
    const bm = validityOf(data);
    const off = data.offset;
    for (let i = 0; i < data.length; i++) {
      const j = off + i;
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) continue;
      const key = valueKey(utf8(bytes, offsets[i]!, offsets[i + 1]!));
      if (!this.allowed!.has(key)) this.outside(key, base + i, 1);
    }
  }

  private range(data: Data, base: number): void {
    const r = this.findings.range!;
    const values = numbersOf(data, this.feature.name, this.actual);
    const bm = validityOf(data);
    const off = data.offset;
    const lo = this.min;
    const hi = this.max;
    for (let i = 0; i < data.length; i++) {
      const x = values[i]!;
      // NaN fails both tests; ±Infinity is not range-checked (see schema.ts)
      if (!(x < lo || x > hi) || x - x !== 0) continue;
      const j = off + i;
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) continue;
      if (x < lo) r.below++;
      else r.above++;
      if (r.rows.length < this.maxExamples) {
        r.rows.push(base + i);
        r.values.push(x);
      }
    }
  }
}

export interface ValidationResult {
  stats: DatasetStats;
  anomalies: Anomaly[];
}

/**
 * Statistics and anomalies of a version in one pass over its record batches:
 *   const v = new Validator(schema, columns); for (const b of batches) v.add(b); v.finish()
 */
export class Validator {
  private readonly stats: StatsAccumulator;
  private readonly checkers = new Map<string, ColumnChecker>();
  private rowBase = 0;

  constructor(
    private readonly schema: Schema,
    columns: readonly ColumnSpec[],
    private readonly options: ValidateOptions = {},
  ) {
    this.stats = new StatsAccumulator(columns, options);
    for (const c of columns) {
      const f = schema.features.find((x) => x.name === c.name);
      if (!f || !typeSatisfies(c.type, f.type)) continue;
      this.checkers.set(c.name, new ColumnChecker(f, c.type, options.maxExamples ?? 5, options.maxListedValues ?? 1000));
    }
  }

  add(batch: RecordBatch): void {
    this.stats.add(batch);
    for (const [name, checker] of this.checkers) {
      const v = batch.getChild(name);
      if (!v) continue;
      let base = this.rowBase;
      for (const d of v.data) {
        checker.add(d, base);
        base += d.length;
      }
    }
    this.rowBase += batch.numRows;
  }

  finish(): ValidationResult {
    const stats = this.stats.finish();
    const findings = new Map([...this.checkers].map(([name, c]) => [name, c.findings]));
    return { stats, anomalies: validateStats(stats, this.schema, this.options, findings) };
  }
}

/** Validate a version given as record batches (columns default to the first batch's). */
export function validateBatches(batches: Iterable<RecordBatch>, schema: Schema, columns?: readonly ColumnSpec[] | null, options: ValidateOptions = {}): ValidationResult {
  let v: Validator | null = columns ? new Validator(schema, columns, options) : null;
  for (const b of batches) {
    v ??= new Validator(schema, columnsOf(b), options);
    v.add(b);
  }
  return (v ?? new Validator(schema, [], options)).finish();
}

// ---------------------------------------------------------------------------------------------------------
// Accepting anomalies

function replaceFeature(schema: Schema, name: string, fn: (f: FeatureSchema) => FeatureSchema | null): Schema {
  let found = false;
  const features: FeatureSchema[] = [];
  for (const f of schema.features) {
    if (f.name !== name) {
      features.push(f);
      continue;
    }
    found = true;
    const g = fn(f);
    if (g) features.push(g);
  }
  if (!found) throw new Error(`schema has no feature "${name}"`);
  return { ...schema, features };
}

function looserPresence(a: Presence, b: Presence): Presence {
  if (a.required && b.required) return { required: true, minFraction: 1 };
  return { required: false, minFraction: Math.min(a.minFraction, b.minFraction) };
}

/**
 * A new schema under which the anomaly no longer fires (the input schema is not changed):
 * missing column -> optional with minFraction 0; new column -> add the feature inferred from the data;
 * type mismatch -> the data's type (keeping the looser presence, and thresholds when the comparator stays);
 * out of domain -> add the new values (or drop the domain when they were too many to list);
 * out of range -> widen the range to the observed extremes; presence -> optional with minFraction lowered
 * to the observed fraction; drift / skew -> raise the threshold to the observed distance.
 */
export function acceptAnomaly(schema: Schema, anomaly: Anomaly): Schema {
  const name = anomaly.column;
  switch (anomaly.kind) {
    case 'missing_column':
      return replaceFeature(schema, name, (f) => ({ ...f, presence: { required: false, minFraction: 0 } }));
    case 'new_column':
      if (schema.features.some((f) => f.name === name)) return schema;
      return { ...schema, features: [...schema.features, structuredCloneFeature(anomaly.params.feature)] };
    case 'type_mismatch':
      return replaceFeature(schema, name, (f) => {
        const g = structuredCloneFeature(anomaly.params.feature);
        const sameMetric = driftMetricFor(f.type) === driftMetricFor(g.type);
        return {
          ...g,
          presence: looserPresence(f.presence, g.presence),
          driftThreshold: sameMetric ? f.driftThreshold : null,
          skewThreshold: sameMetric ? f.skewThreshold : null,
          domain: g.domain && domainKindFor(g.type) === g.domain.kind ? g.domain : null,
        };
      });
    case 'out_of_domain':
      return replaceFeature(schema, name, (f) => {
        if (f.domain?.kind !== 'values') return f;
        if (anomaly.params.truncated) return { ...f, domain: null };
        const values = [...new Set([...f.domain.values, ...anomaly.params.values])].sort(compareStrings);
        return { ...f, domain: { kind: 'values', values } };
      });
    case 'out_of_range':
      return replaceFeature(schema, name, (f) => {
        if (f.domain?.kind !== 'range') return f;
        const { observedMin, observedMax } = anomaly.params;
        const min = f.domain.min === null ? null : Math.min(f.domain.min, observedMin);
        const max = f.domain.max === null ? null : Math.max(f.domain.max, observedMax);
        return { ...f, domain: { kind: 'range', min, max } };
      });
    case 'presence':
      return replaceFeature(schema, name, (f) => ({
        ...f,
        presence: { required: false, minFraction: Math.min(f.presence.minFraction, anomaly.params.observedFraction) },
      }));
    case 'drift':
      return replaceFeature(schema, name, (f) => ({ ...f, driftThreshold: Math.max(f.driftThreshold ?? 0, anomaly.params.distance) }));
    case 'skew':
      return replaceFeature(schema, name, (f) => ({ ...f, skewThreshold: Math.max(f.skewThreshold ?? 0, anomaly.params.distance) }));
  }
}

/** Accept several anomalies in order. */
export function acceptAnomalies(schema: Schema, anomalies: readonly Anomaly[]): Schema {
  return anomalies.reduce(acceptAnomaly, schema);
}

function structuredCloneFeature(f: FeatureSchema): FeatureSchema {
  return {
    ...f,
    presence: { ...f.presence },
    domain: f.domain === null ? null : f.domain.kind === 'values' ? { kind: 'values', values: [...f.domain.values] } : { ...f.domain },
  };
}
