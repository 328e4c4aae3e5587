/**
 * The schema editor's edits of one feature, each keeping it valid for its type: presence, allowed values,
 * range bounds, drift and skew thresholds, and filling thresholds in bulk. Pure: they change the feature
 * (or schema) they are given, which on the page is the editor's $state draft.
 */
import type { GroupStats } from '../core/validate/stats';
import { compareStrings, driftMetricFor, type FeatureSchema, type Schema } from '../core/validate/schema';

export type ThresholdKey = 'driftThreshold' | 'skewThreshold';

export function setPresence(f: FeatureSchema, required: boolean): void {
  f.presence = required ? { required: true, minFraction: 1 } : { required: false, minFraction: f.presence.minFraction };
}

/** The minimum share of rows with a value, typed in percent; anything but a number leaves it as it was. */
export function setMinFraction(f: FeatureSchema, percentText: string): void {
  const v = Number(percentText);
  if (percentText.trim() !== '' && Number.isFinite(v)) f.presence.minFraction = Math.min(1, Math.max(0, v / 100));
}

/** Allow one more value (the list stays sorted and without repeats); '' adds nothing. */
export function addValue(f: FeatureSchema, value: string): void {
  if (value === '') return;
  const values = f.domain?.kind === 'values' ? f.domain.values : [];
  if (!values.includes(value)) f.domain = { kind: 'values', values: [...values, value].sort(compareStrings) };
}

export function removeValue(f: FeatureSchema, value: string): void {
  if (f.domain?.kind === 'values') f.domain = { kind: 'values', values: f.domain.values.filter((x) => x !== value) };
}

/** Any value allowed again. */
export function dropDomain(f: FeatureSchema): void {
  f.domain = null;
}

/**
 * Set a range bound from its text: a number, or for a date column a date Date.parse reads; '' removes the
 * bound. Returns false (and changes nothing) when the text is neither.
 */
export function setBound(f: FeatureSchema, key: 'min' | 'max', text: string): boolean {
  let v: number | null = null;
  const s = text.trim();
  if (s !== '') {
    v = f.type === 'datetime' ? Date.parse(s) : Number(s);
    if (!Number.isFinite(v)) return false;
  }
  const d = f.domain?.kind === 'range' ? f.domain : { kind: 'range' as const, min: null, max: null };
  f.domain = { ...d, [key]: v };
  return true;
}

/** A threshold from its text; '' or anything but a number means "not checked" (null). */
export function setThreshold(f: FeatureSchema, key: ThresholdKey, text: string): void {
  const v = Number(text);
  f[key] = text.trim() === '' || !Number.isFinite(v) ? null : v;
}

/** Give every column that has a comparator and no threshold of this kind the value. */
export function fillThresholds(schema: Schema, key: ThresholdKey, value: number): void {
  for (const f of schema.features) if (driftMetricFor(f.type) !== null && f[key] === null) f[key] = value;
}

/** The observed range of a column in `stats`, when it has finite values and the schema's type. */
export function observedRange(stats: GroupStats | null, f: FeatureSchema): { min: number; max: number } | null {
  const s = stats?.columns.find((c) => c.name === f.name);
  return s && s.kind === 'numeric' && s.type === f.type && s.min !== null && s.max !== null ? { min: s.min, max: s.max } : null;
}

/** The features whose domain differs between two versions of a schema with the same features. */
export function changedDomains(before: Schema, after: Schema): string[] {
  return after.features.filter((f, i) => JSON.stringify(f.domain) !== JSON.stringify(before.features[i]!.domain)).map((f) => f.name);
}
