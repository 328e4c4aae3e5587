/**
 * The Validate stage's part of the data worker API (services/validate.ts does the work). Type-only
 * imports: the page gets plain JSON results and never loads Arrow.
 *
 * Long calls take a job id (the page passes it to `cancel(jobId)`) and an optional progress callback
 * (a Comlink.proxy). A cancelled call rejects with an Error named 'AbortError'.
 */
import type { Anomaly } from '../core/validate/anomalies';
import type { Comparison } from '../core/validate/drift';
import type { DriftMetric, Schema, SchemaIssue } from '../core/validate/schema';
import type { DatasetStats } from '../core/validate/stats';
import type { AnomalyDecisionRecord, SchemaVersionRecord } from '../store/validation-records';

export interface StatsProgress {
  /** The version being read (a comparison reads two). */
  versionId: string;
  rows: number;
  totalRows: number;
}

export type OnStatsProgress = (p: StatsProgress) => void;

export interface StatsRequest {
  jobId: string;
  versionId: string;
  /** Break the statistics down by this column's values. */
  labelColumn?: string | null;
  /** Compute again even when cached (the benchmark). */
  fresh?: boolean;
}

export interface StatsOutcome {
  versionId: string;
  labelColumn: string | null;
  stats: DatasetStats;
  /** Read from the statistics cache rather than computed now. */
  cached: boolean;
  /** Time the computation took in the worker (when it was computed, also for a cached result). */
  seconds: number | null;
}

export interface InferRequest {
  jobId: string;
  projectId: string;
  versionId: string;
}

/** A schema write that checks the schema first: the issues name each bad field by its path. */
export type SchemaWriteOutcome = { ok: true; record: SchemaVersionRecord } | { ok: false; issues: SchemaIssue[] };

export interface ValidateRequest {
  jobId: string;
  projectId: string;
  versionId: string;
  /** Default: the project's latest schema version. */
  schemaId?: string;
}

export interface ValidationOutcome {
  versionId: string;
  schemaId: string;
  schemaVersion: number;
  rowCount: number;
  anomalies: Anomaly[];
  seconds: number;
}

export interface AcceptOutcome {
  /** The new schema version, or the unchanged latest one when accepting changed nothing. */
  record: SchemaVersionRecord;
  changed: boolean;
}

export interface DataErrorRequest {
  projectId: string;
  versionId: string;
  schemaId: string;
  anomaly: Pick<Anomaly, 'column' | 'kind' | 'code' | 'count'>;
  note?: string;
}

export interface CompareRequest {
  jobId: string;
  projectId: string;
  baselineId: string;
  currentId: string;
  /** Thresholds come from this schema; default the latest; null = no thresholds. */
  schemaId?: string | null;
}

export interface CompareOutcome {
  comparison: Comparison;
  /** Flagged columns as anomalies (accepting one raises its threshold). */
  anomalies: Anomaly[];
  schemaId: string | null;
}

export interface SkewRequest {
  jobId: string;
  projectId: string;
  /** The training data version. */
  trainingVersionId: string;
  schemaId?: string | null;
  /**
   * Compare through this transform version instead: the raw requests of the models trained on it, put
   * through it, against the statistics of its transformed training rows (no thresholds: nothing is flagged).
   */
  transformId?: string | null;
}

export type SkewOutcome =
  /** Nothing was logged: there is nothing to compare, and no number is made up. */
  | { logged: false; requests: 0 }
  | {
      logged: true;
      requests: number;
      comparison: Comparison;
      anomalies: Anomaly[];
      serving: DatasetStats;
      schemaId: string | null;
      /** Compared through this transform version (its output columns). */
      transformId?: string;
    };

export interface ServedDriftRequest {
  jobId: string;
  projectId: string;
  /** The model whose served requests are compared with the dataset version it was trained on. */
  modelId: string;
}

/** How far the requests a model served are from its training data, per column (the drift trigger reads it). */
export interface ServedDrift {
  modelId: string;
  trainingVersionId: string;
  requests: number;
  /** The newest logged request measured (its seq in the request log). */
  throughSeq: number;
  /** When that request was logged. */
  lastAt: number;
  /** The columns the model reads that could be compared: L-infinity (categorical) or Jensen-Shannon (numeric). */
  columns: { column: string; metric: DriftMetric; distance: number }[];
}

export interface ValidateApi {
  /** Statistics of a version, from the cache or computed one record batch at a time. */
  statistics(req: StatsRequest, onProgress?: OnStatsProgress): Promise<StatsOutcome>;
  /** Infer a schema from a version's statistics and store it as the project's next schema version. */
  inferSchema(req: InferRequest, onProgress?: OnStatsProgress): Promise<SchemaVersionRecord>;
  /** Store an edited schema as a new version (never changes an old one). */
  saveSchema(projectId: string, schema: Schema, parentId: string | null): Promise<SchemaWriteOutcome>;
  /** Check a schema file's text and store it as a new version. */
  importSchema(projectId: string, fileName: string, text: string): Promise<SchemaWriteOutcome>;
  exportSchema(schemaId: string): Promise<{ fileName: string; text: string }>;
  /** Anomalies of a version against a schema, with exact counts and example rows. */
  validate(req: ValidateRequest, onProgress?: OnStatsProgress): Promise<ValidationOutcome>;
  /** Relax the project's latest schema so these anomalies no longer fire: a new schema version. */
  acceptAnomalies(projectId: string, anomalies: Anomaly[]): Promise<AcceptOutcome>;
  /** Record that an anomaly is an error in the data (the schema stays as it is). */
  markDataError(req: DataErrorRequest): Promise<AnomalyDecisionRecord>;
  /** Drift between two versions: per column L-infinity or Jensen-Shannon against the schema's thresholds. */
  compareVersions(req: CompareRequest, onProgress?: OnStatsProgress): Promise<CompareOutcome>;
  /** Skew between a training version and the logged serving requests of the project. */
  servingSkew(req: SkewRequest, onProgress?: OnStatsProgress): Promise<SkewOutcome>;
  /** The requests a model served against its training version (null: none logged, or its training data is unknown or gone). */
  servedDrift(req: ServedDriftRequest): Promise<ServedDrift | null>;
}
