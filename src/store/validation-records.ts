/** Records of the Validate stage (issue 4). Schemas are immutable versions, like datasets. */
import type { Schema } from '../core/validate/schema';
import type { DatasetStats } from '../core/validate/stats';

/**
 * Why a schema version exists, in a form the page can translate. `note` keeps the same in English for
 * anyone reading the database or an export.
 */
export type SchemaOrigin =
  | { kind: 'inferred'; versionId: string; datasetName: string; version: number }
  | { kind: 'edited' }
  | { kind: 'imported'; fileName: string }
  | { kind: 'accepted'; anomalies: { column: string; kind: string }[] };

export interface SchemaVersionRecord {
  id: string;
  projectId: string;
  /** 1, 2, 3 ... within the project. */
  version: number;
  parentId: string | null;
  /** The schema JSON (core/validate/schema.ts), checked with parseSchema before it is written. */
  schema: Schema;
  /** Why this version exists: "inferred from …", "accepted anomaly …", "edited", "imported". */
  note: string;
  /** The same, structured (absent in rows written before it existed). */
  origin?: SchemaOrigin;
  createdAt: number;
}

/** Statistics computed for a dataset version, cached (versions never change, so neither do these). */
export interface StatisticsRecord {
  versionId: string;
  /** '' when not broken down by a label column. */
  labelColumn: string;
  stats: DatasetStats;
  computedAt: number;
  /** How long the computation took, for the person (and the benchmark). */
  seconds?: number;
}

/** What a person decided about an anomaly that was not accepted into the schema. */
export interface AnomalyDecisionRecord {
  id: string;
  projectId: string;
  versionId: string;
  schemaId: string;
  column: string;
  kind: string;
  decision: 'data-error';
  note: string;
  createdAt: number;
  /** The anomaly as it was shown (message code, count), so the record reads on its own later. */
  code?: string;
  count?: number;
}

/** One request the predict panel served, kept to measure training/serving skew. */
export interface ServingRequestRecord {
  seq?: number;
  projectId: string;
  modelId: string;
  at: number;
  features: Record<string, number | string | boolean | null>;
}
