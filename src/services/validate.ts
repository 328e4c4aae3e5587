/**
 * The Validate stage's operations on the store (run in the data worker; testable in Node with
 * fake-indexeddb): statistics of a version read one record batch at a time and cached, schema versions
 * (inferred, edited, imported, accepted) written as immutable rows, validation, anomaly decisions, and
 * drift and skew comparisons.
 */
import { inputColumns } from '../core/model/preprocess/inputs';
import { missing, RecordError } from '../core/record-error';
import { ValidateError } from '../core/validate/errors';
import { versionStatsOptions } from '../core/validate/version-stats';
import type { RecordBatch } from 'apache-arrow';
import { buildBatch, type NamedColumn } from '../core/data/arrow';
import type { ColumnType } from '../core/data/types';
import {
  SchemaError,
  StatsAccumulator,
  Validator,
  acceptAnomalies,
  compareStats,
  comparisonAnomalies,
  inferSchema,
  parseSchema,
  serializeSchema,
  type Anomaly,
  type ColumnSpec,
  type DatasetStats,
  type Schema,
} from '../core/validate';
import type {
  AcceptOutcome,
  CompareOutcome,
  CompareRequest,
  DataErrorRequest,
  InferRequest,
  OnStatsProgress,
  SchemaWriteOutcome,
  ServedDrift,
  ServedDriftRequest,
  SkewOutcome,
  SkewRequest,
  StatsOutcome,
  StatsRequest,
  ValidateRequest,
  ValidationOutcome,
} from '../protocol/validate';
import { throwIfAborted } from '../protocol/jobs';
import { newId, type DatasetVersion, type PipetteDB } from '../store/db';
import { servedRequestSlices } from '../store/served-requests';
import type { AnomalyDecisionRecord, SchemaOrigin, SchemaVersionRecord, ServingRequestRecord } from '../store/validation-records';
import { transformSkew } from './transform-skew';
import { versionBatches } from './version-batches';

export { CancelledError } from '../protocol/jobs';
export { imageChannels, imageInfo } from '../core/validate/version-stats';

async function readyVersion(db: PipetteDB, versionId: string): Promise<DatasetVersion> {
  const meta = await db.versions.get(versionId);
  if (!meta || meta.status !== 'ready') throw missing('dataset-version', versionId);
  return meta;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

function specsOf(meta: DatasetVersion): ColumnSpec[] {
  return meta.columns.map((c) => ({ name: c.name, type: c.type }));
}

/**
 * Feed every record batch of a version to `add`, in order (the next one is read while the current one is
 * processed; the signal is checked between batches).
 */
async function forEachBatch(
  db: PipetteDB,
  meta: DatasetVersion,
  add: (batch: RecordBatch) => void,
  signal?: AbortSignal,
  onProgress?: OnStatsProgress,
): Promise<void> {
  let rows = 0;
  onProgress?.({ versionId: meta.id, rows, totalRows: meta.rowCount });
  for await (const batch of versionBatches(db, meta, signal)) {
    add(batch);
    rows += batch.numRows;
    onProgress?.({ versionId: meta.id, rows, totalRows: meta.rowCount });
  }
}

/** Statistics of a version, computed now (not cached): one pass, one record batch at a time. */
export async function computeVersionStats(
  db: PipetteDB,
  versionId: string,
  labelColumn: string | null = null,
  signal?: AbortSignal,
  onProgress?: OnStatsProgress,
): Promise<DatasetStats> {
  const meta = await readyVersion(db, versionId);
  const acc = new StatsAccumulator(specsOf(meta), versionStatsOptions(meta, labelColumn));
  await forEachBatch(db, meta, (b) => acc.add(b), signal, onProgress);
  return acc.finish();
}

/** Statistics of a version from the cache, or computed and cached. */
export async function versionStatistics(db: PipetteDB, req: Omit<StatsRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnStatsProgress): Promise<StatsOutcome> {
  const labelColumn = req.labelColumn || null;
  const key: [string, string] = [req.versionId, labelColumn ?? ''];
  if (!req.fresh) {
    const hit = await db.statistics.get(key);
    // a cached row outlives nothing: versions are immutable, but check the version still exists
    if (hit && (await db.versions.get(req.versionId))?.status === 'ready') {
      return { versionId: req.versionId, labelColumn, stats: hit.stats, cached: true, seconds: hit.seconds ?? null };
    }
  }
  const started = performance.now();
  const stats = await computeVersionStats(db, req.versionId, labelColumn, signal, onProgress);
  const seconds = (performance.now() - started) / 1000;
  await db.statistics.put({ versionId: req.versionId, labelColumn: labelColumn ?? '', stats, computedAt: Date.now(), seconds });
  return { versionId: req.versionId, labelColumn, stats, cached: false, seconds };
}

// ---------------------------------------------------------------------------------------------------------
// Schema versions

export async function listSchemaVersions(db: PipetteDB, projectId: string): Promise<SchemaVersionRecord[]> {
  const rows = await db.schemas.where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => a.version - b.version);
}

export async function latestSchema(db: PipetteDB, projectId: string): Promise<SchemaVersionRecord | undefined> {
  const rows = await listSchemaVersions(db, projectId);
  return rows[rows.length - 1];
}

function noteOf(origin: SchemaOrigin): string {
  switch (origin.kind) {
    case 'inferred':
      return `inferred from ${origin.datasetName} v${origin.version}`;
    case 'edited':
      return 'edited';
    case 'imported':
      return `imported from ${origin.fileName}`;
    case 'accepted':
      return `accepted ${origin.anomalies.map((a) => `${a.kind} on "${a.column}"`).join(', ')}`;
  }
}

/**
 * Store a schema as the project's next version: the number is assigned inside the same transaction that
 * adds the row, so two writers never take the same number and nothing is half written. Throws
 * SchemaError when the schema is not valid.
 */
export async function writeSchemaVersion(db: PipetteDB, projectId: string, schema: Schema, parentId: string | null, origin: SchemaOrigin): Promise<SchemaVersionRecord> {
  const checked = parseSchema(schema);
  return db.transaction('rw', db.schemas, async () => {
    const siblings = await db.schemas.where('projectId').equals(projectId).toArray();
    const record: SchemaVersionRecord = {
      id: newId(),
      projectId,
      version: 1 + Math.max(0, ...siblings.map((s) => s.version)),
      parentId,
      schema: checked,
      note: noteOf(origin),
      origin,
      createdAt: Date.now(),
    };
    await db.schemas.add(record);
    return record;
  });
}

async function schemaRecord(db: PipetteDB, projectId: string, schemaId?: string | null): Promise<SchemaVersionRecord | undefined> {
  if (schemaId) {
    const row = await db.schemas.get(schemaId);
    if (!row || row.projectId !== projectId) throw missing('schema', schemaId);
    return row;
  }
  return latestSchema(db, projectId);
}

export async function inferSchemaVersion(db: PipetteDB, req: Omit<InferRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnStatsProgress): Promise<SchemaVersionRecord> {
  const meta = await readyVersion(db, req.versionId);
  if (meta.projectId !== req.projectId) throw new RecordError('other-project', { what: 'dataset-version', id: req.versionId }, `dataset version ${req.versionId} is not in this project`);
  const { stats } = await versionStatistics(db, { versionId: req.versionId }, signal, onProgress);
  const dataset = await db.datasets.get(meta.datasetId);
  const parent = await latestSchema(db, req.projectId);
  return writeSchemaVersion(db, req.projectId, inferSchema(stats), parent?.id ?? null, {
    kind: 'inferred',
    versionId: meta.id,
    datasetName: dataset?.name ?? '',
    version: meta.version,
  });
}

async function checkedWrite(write: () => Promise<SchemaVersionRecord>): Promise<SchemaWriteOutcome> {
  try {
    return { ok: true, record: await write() };
  } catch (e) {
    if (e instanceof SchemaError) return { ok: false, issues: e.issues };
    throw e;
  }
}

export function saveSchemaVersion(db: PipetteDB, projectId: string, schema: Schema, parentId: string | null): Promise<SchemaWriteOutcome> {
  return checkedWrite(() => writeSchemaVersion(db, projectId, schema, parentId, { kind: 'edited' }));
}

/** Import a schema file's text: a file that is not a schema gets every problem with its field path. */
export async function importSchemaText(db: PipetteDB, projectId: string, fileName: string, text: string): Promise<SchemaWriteOutcome> {
  let schema: Schema;
  try {
    schema = parseSchema(text);
  } catch (e) {
    if (e instanceof SchemaError) return { ok: false, issues: e.issues };
    throw e;
  }
  const parent = await latestSchema(db, projectId);
  return checkedWrite(() => writeSchemaVersion(db, projectId, schema, parent?.id ?? null, { kind: 'imported', fileName }));
}

export async function exportSchemaText(db: PipetteDB, schemaId: string): Promise<{ fileName: string; text: string }> {
  const row = await db.schemas.get(schemaId);
  if (!row) throw missing('schema', schemaId);
  const project = await db.projects.get(row.projectId);
  const base = (project?.name ?? 'project').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'project';
  return { fileName: `${base}-schema-v${row.version}.json`, text: serializeSchema(row.schema) };
}

// ---------------------------------------------------------------------------------------------------------
// Validation and decisions

export async function validateVersion(db: PipetteDB, req: Omit<ValidateRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnStatsProgress): Promise<ValidationOutcome> {
  const meta = await readyVersion(db, req.versionId);
  const schemaRow = await schemaRecord(db, req.projectId, req.schemaId);
  if (!schemaRow) throw new ValidateError('no-schema', {}, 'this project has no schema yet: infer one from a dataset version first');
  const started = performance.now();
  const validator = new Validator(schemaRow.schema, specsOf(meta), versionStatsOptions(meta, null));
  await forEachBatch(db, meta, (b) => validator.add(b), signal, onProgress);
  const { stats, anomalies } = validator.finish();
  const seconds = (performance.now() - started) / 1000;
  // the pass computed the same statistics as versionStatistics would: cache them if absent
  const key: [string, string] = [meta.id, ''];
  if (!(await db.statistics.get(key))) await db.statistics.put({ versionId: meta.id, labelColumn: '', stats, computedAt: Date.now(), seconds });
  return { versionId: meta.id, schemaId: schemaRow.id, schemaVersion: schemaRow.version, rowCount: meta.rowCount, anomalies, seconds };
}

/**
 * Accept anomalies into the project's latest schema (read and written in one transaction, so two quick
 * accepts both land). Writes nothing when the schema would not change.
 */
export async function acceptIntoSchema(db: PipetteDB, projectId: string, anomalies: readonly Anomaly[]): Promise<AcceptOutcome> {
  if (anomalies.length === 0) throw new ValidateError('nothing-to-accept', {}, 'no anomaly to accept');
  return db.transaction('rw', db.schemas, async () => {
    const latest = await latestSchema(db, projectId);
    if (!latest) throw new ValidateError('no-schema', {}, 'this project has no schema yet');
    const relaxed = acceptAnomalies(latest.schema, anomalies);
    if (serializeSchema(relaxed) === serializeSchema(latest.schema)) return { record: latest, changed: false };
    const origin: SchemaOrigin = { kind: 'accepted', anomalies: anomalies.map((a) => ({ column: a.column, kind: a.kind })) };
    const record = await writeSchemaVersion(db, projectId, relaxed, latest.id, origin);
    return { record, changed: true };
  });
}

export async function recordDataError(db: PipetteDB, req: DataErrorRequest): Promise<AnomalyDecisionRecord> {
  const record: AnomalyDecisionRecord = {
    id: newId(),
    projectId: req.projectId,
    versionId: req.versionId,
    schemaId: req.schemaId,
    column: req.anomaly.column,
    kind: req.anomaly.kind,
    code: req.anomaly.code,
    count: req.anomaly.count,
    decision: 'data-error',
    note: req.note ?? '',
    createdAt: Date.now(),
  };
  await db.anomalyDecisions.add(record);
  return record;
}

// ---------------------------------------------------------------------------------------------------------
// Drift and skew

export async function compareVersions(db: PipetteDB, req: Omit<CompareRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnStatsProgress): Promise<CompareOutcome> {
  const schemaRow = req.schemaId === null ? undefined : await schemaRecord(db, req.projectId, req.schemaId);
  const base = await versionStatistics(db, { versionId: req.baselineId }, signal, onProgress);
  const current = await versionStatistics(db, { versionId: req.currentId }, signal, onProgress);
  const comparison = compareStats(base.stats, current.stats, schemaRow?.schema ?? null, 'drift');
  return { comparison, anomalies: comparisonAnomalies(comparison, current.stats), schemaId: schemaRow?.id ?? null };
}

/** One column of serving requests in the physical form of the training column's type. */
function servingColumn(name: string, type: ColumnType, rows: readonly ServingRequestRecord[]): NamedColumn {
  const n = rows.length;
  const validity = new Uint8Array((n + 7) >> 3);
  const present = (i: number) => (validity[i >> 3]! |= 1 << (i & 7));
  const raw = (i: number) => rows[i]!.features[name] ?? null;
  switch (type) {
    case 'number':
    case 'integer':
    case 'datetime': {
      const values = new Float64Array(n).fill(NaN);
      for (let i = 0; i < n; i++) {
        const v = raw(i);
        const x = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? (type === 'datetime' ? Date.parse(v) : Number(v)) : NaN;
        // a value that does not read as a number counts as missing rather than as a made-up number
        if (v !== null && !Number.isNaN(x)) {
          values[i] = x;
          present(i);
        }
      }
      return { name, values: { type, values, validity } };
    }
    case 'boolean': {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = raw(i);
        const b = typeof v === 'boolean' ? v : v === 'true' || v === 1 ? true : v === 'false' || v === 0 ? false : null;
        if (b !== null) {
          values[i] = b ? 1 : 0;
          present(i);
        }
      }
      return { name, values: { type, values, validity } };
    }
    case 'categorical': {
      const dictionary: string[] = [];
      const index = new Map<string, number>();
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = raw(i);
        if (v === null) continue;
        const s = String(v);
        let k = index.get(s);
        if (k === undefined) index.set(s, (k = dictionary.push(s) - 1));
        indices[i] = k;
        present(i);
      }
      return { name, values: { type, indices, dictionary, validity } };
    }
    case 'text':
      return { name, values: { type, values: rows.map((r) => (r.features[name] == null ? null : String(r.features[name]))) } };
    case 'image':
      // the predict panel logs feature values, not image bytes: images have no skew comparator anyway
      return { name, values: { type, values: rows.map(() => null) } };
  }
}

/**
 * Statistics of the logged serving requests (only the given models' when `modelIds` is set), typed like the
 * training version's columns; `throughSeq` and `lastAt` are the newest request read (-1 and 0 when none).
 */
export async function servingStats(
  db: PipetteDB,
  projectId: string,
  columns: readonly ColumnSpec[],
  signal?: AbortSignal,
  modelIds?: ReadonlySet<string>,
  slices: AsyncIterable<readonly ServingRequestRecord[]> | Iterable<readonly ServingRequestRecord[]> = servedRequestSlices(db, projectId, modelIds),
): Promise<{ requests: number; throughSeq: number; lastAt: number; stats: DatasetStats }> {
  const acc = new StatsAccumulator(columns, {});
  let requests = 0;
  let throughSeq = -1;
  let lastAt = 0;
  for await (const rows of slices) {
    throwIfAborted(signal);
    acc.add(buildBatch(columns.map((c) => servingColumn(c.name, c.type, rows)), rows.length));
    requests += rows.length;
    throughSeq = rows[rows.length - 1]!.seq!;
    lastAt = rows[rows.length - 1]!.at;
  }
  throwIfAborted(signal);
  return { requests, throughSeq, lastAt, stats: acc.finish() };
}

export async function servingSkew(db: PipetteDB, req: Omit<SkewRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnStatsProgress): Promise<SkewOutcome> {
  if (req.transformId) return transformSkew(db, { projectId: req.projectId, transformId: req.transformId }, signal);
  const logged = await db.servingRequests.where('projectId').equals(req.projectId).count();
  if (logged === 0) return { logged: false, requests: 0 };
  const meta = await readyVersion(db, req.trainingVersionId);
  const schemaRow = req.schemaId === null ? undefined : await schemaRecord(db, req.projectId, req.schemaId);
  const training = await versionStatistics(db, { versionId: meta.id }, signal, onProgress);
  // only columns the requests carry: the label is usually not part of a request
  const keys = new Set<string>();
  await db.servingRequests.where('projectId').equals(req.projectId).limit(1000).each((r) => Object.keys(r.features).forEach((k) => keys.add(k)));
  const columns = specsOf(meta).filter((c) => keys.has(c.name));
  const serving = await servingStats(db, req.projectId, columns, signal);
  const comparison = compareStats(training.stats, serving.stats, schemaRow?.schema ?? null, 'skew');
  return { logged: true, requests: serving.requests, comparison, anomalies: comparisonAnomalies(comparison, serving.stats), serving: serving.stats, schemaId: schemaRow?.id ?? null };
}

/**
 * The requests a model served against the dataset version it was trained on, per column it reads (the
 * pipelines' drift trigger applies its threshold to these distances). No schema: every comparable column gets
 * its distance, and the trigger decides. `slices`: other requests than the logged ones (an imported log's rows).
 */
export async function servedDrift(
  db: PipetteDB,
  req: Omit<ServedDriftRequest, 'jobId'>,
  signal?: AbortSignal,
  slices?: Iterable<readonly ServingRequestRecord[]>,
): Promise<ServedDrift | null> {
  const model = await db.models.get(req.modelId);
  const trainingVersionId = model && (model.datasetVersionId ?? model.metadata.lineage.datasetVersionId);
  const meta = trainingVersionId ? await db.versions.get(trainingVersionId) : undefined;
  if (!model || model.projectId !== req.projectId || !meta || meta.status !== 'ready') return null;
  const reads = new Set(inputColumns(model.metadata.preprocessing).map((c) => c.column));
  const columns = specsOf(meta).filter((c) => reads.has(c.name));
  const serving = await servingStats(db, req.projectId, columns, signal, new Set([model.id]), slices);
  if (serving.requests === 0) return null;
  const training = await versionStatistics(db, { versionId: meta.id }, signal);
  const comparison = compareStats(training.stats, serving.stats, null, 'skew');
  return {
    modelId: model.id,
    trainingVersionId: meta.id,
    requests: serving.requests,
    throughSeq: serving.throughSeq,
    lastAt: serving.lastAt,
    columns: comparison.columns.flatMap((c) => (c.metric !== null && c.distance !== null ? [{ column: c.column, metric: c.metric, distance: c.distance }] : [])),
  };
}
