/** Records of the Validate stage (issue 4). Schemas are immutable versions, like datasets. */
export interface SchemaVersionRecord {
  id: string;
  projectId: string;
  /** 1, 2, 3 ... within the project. */
  version: number;
  parentId: string | null;
  /** The schema JSON (core/validate/schema.ts Schema). */
  schema: unknown;
  /** Why this version exists: "inferred from …", "accepted anomaly …", "edited", "imported". */
  note: string;
  createdAt: number;
}

/** Statistics computed for a dataset version, cached (versions never change, so neither do these). */
export interface StatisticsRecord {
  versionId: string;
  /** '' when not broken down by a label column. */
  labelColumn: string;
  stats: unknown;
  computedAt: number;
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
}

/** One request the predict panel served, kept to measure training/serving skew. */
export interface ServingRequestRecord {
  seq?: number;
  projectId: string;
  modelId: string;
  at: number;
  features: Record<string, number | string | boolean | null>;
}
