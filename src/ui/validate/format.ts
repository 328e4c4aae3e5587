/** Numbers, anomalies and schema origins of the Validate stage, in the person's language. */
import { n, t, tKnown } from '../../app/i18n.svelte';
import { isMessageKey } from '../../app/i18n/catalog';
import type { ColumnType } from '../../core/data/types';
import type { Anomaly } from '../../core/validate/anomalies';
import type { SchemaOrigin } from '../../store/validation-records';

/** A statistic for a table cell: integers exactly, others to a readable precision; datetimes as dates. */
export function stat(x: number | null | undefined, type: ColumnType = 'number'): string {
  if (x === null || x === undefined) return t('validate.none');
  if (type === 'datetime') return isoDate(x);
  if (Number.isInteger(x)) return n(x);
  const a = Math.abs(x);
  return a >= 100 ? n(x, { maximumFractionDigits: 2 }) : n(x, { maximumSignificantDigits: 4 });
}

/** A date (and the time when it is not midnight UTC) in ISO form, which reads the same in every language. */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

/** The day (UTC) of a time, e.g. the mean or median of a date column: YYYY-MM-DD. */
export function day(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return t('validate.none');
  return new Date(ms).toISOString().slice(0, 10);
}

export function pct(f: number): string {
  return n(f, { style: 'percent', maximumFractionDigits: f > 0 && f < 0.001 ? 2 : 1 });
}

/** A distance or threshold in [0, 1]. */
export function distance(x: number | null): string {
  return x === null ? t('validate.none') : n(x, { maximumFractionDigits: 4 });
}

export function typeName(type: string): string {
  return tKnown(`type.${type}`);
}

function quoteList(values: readonly (string | number)[], more: boolean): string {
  const shown = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : stat(v)));
  return shown.join(', ') + (more ? ', …' : '');
}

/** The anomaly's message from its code and parameters (the core's English description as a fallback). */
export function anomalyText(a: Anomaly): string {
  let params: Record<string, string | number>;
  switch (a.kind) {
    case 'missing_column':
      params = { column: a.column };
      break;
    case 'new_column':
      params = { column: a.column, type: typeName(a.params.type) };
      break;
    case 'type_mismatch':
      params = { column: a.column, actual: typeName(a.params.actual), expected: typeName(a.params.expected) };
      break;
    case 'out_of_domain':
      params = {
        column: a.column,
        domainSize: n(a.params.domainSize),
        values: quoteList(a.params.values.slice(0, 5), a.params.values.length > 5 || a.params.truncated),
      };
      break;
    case 'out_of_range': {
      const ty = a.params.type;
      params = {
        column: a.column,
        min: a.params.min === null ? '-∞' : stat(a.params.min, ty),
        max: a.params.max === null ? '∞' : stat(a.params.max, ty),
        observedMin: stat(a.params.observedMin, ty),
        observedMax: stat(a.params.observedMax, ty),
        below: n(a.params.below),
        above: n(a.params.above),
      };
      break;
    }
    case 'presence':
      params = {
        column: a.column,
        missing: n(a.params.missing),
        rows: n(a.params.rows),
        observed: pct(a.params.observedFraction),
        minFraction: pct(a.params.minFraction),
      };
      break;
    case 'drift':
    case 'skew':
      params = { column: a.column, distance: distance(a.params.distance), threshold: distance(a.params.threshold), value: a.params.value === null ? '' : JSON.stringify(a.params.value) };
      break;
  }
  // an unknown code (a stored result of a newer core) falls back to the core's English description
  if (!isMessageKey(a.code)) return a.description;
  return t(a.code, params) + (a.approximate ? ` ${t('validate.approximate')}` : '');
}

export function kindLabel(kind: string): string {
  return tKnown(`validate.kind.${kind}`);
}

export function originText(origin: SchemaOrigin | undefined, note: string): string {
  if (!origin) return note;
  switch (origin.kind) {
    case 'inferred':
      return t('validate.schema.origin.inferred', { dataset: origin.datasetName, n: origin.version });
    case 'edited':
      return t('validate.schema.origin.edited');
    case 'imported':
      return t('validate.schema.origin.imported', { file: origin.fileName });
    case 'accepted':
      return t('validate.schema.origin.accepted', { list: origin.anomalies.map((a) => `${kindLabel(a.kind)} (${a.column})`).join(', ') });
  }
}
