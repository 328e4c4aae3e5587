/** Anomalies from statistics alone (counts from the histogram and value lists), or made exact by a scan's findings. */
import type { ColumnType } from '../../data/types';
import { compareStrings, inferFeature, type FeatureSchema, type Schema } from '../schema';
import { valueKey } from '../sketches';
import type { ColumnStats, DatasetStats, NumericStats } from '../stats';
import type { Anomaly, AnomalyExamples, RowFindings, ValidateOptions } from './types';

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
