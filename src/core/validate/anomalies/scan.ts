/** The row-level scan: statistics and exact anomaly counts with example rows, in one pass over the record batches. */
import type { Data, RecordBatch } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import type { ColumnType } from '../../data/types';
import { DictionaryCache, indicesOf, numbersOf, stringParts, utf8, validityOf } from '../arrowread';
import type { FeatureSchema, Schema } from '../schema';
import { valueKey } from '../sketches';
import { StatsAccumulator, columnsOf, type ColumnSpec, type DatasetStats } from '../stats';
import { typeSatisfies, validateStats } from './check';
import type { Anomaly, RowFindings, ValidateOptions } from './types';

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
      // NaN fails both tests; ±Infinity is not range-checked (see ../schema.ts)
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
