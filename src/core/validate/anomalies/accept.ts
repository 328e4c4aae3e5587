/** Accepting anomalies: each returns a new, relaxed schema under which the anomaly no longer fires. */
import { compareStrings, domainKindFor, driftMetricFor, type FeatureSchema, type Presence, type Schema } from '../schema';
import type { Anomaly } from './types';

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
