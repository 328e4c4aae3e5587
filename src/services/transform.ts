/**
 * The Transform stage's operations on the store (data worker; testable in Node with fake-indexeddb).
 *
 * Analyze: the spec is checked against the dataset version's columns before any row is read (a refusal
 * names the step and the column and writes nothing); the version is split as the Train stage splits it
 * (transform-rows.ts), the analyzers are fitted on the training rows only, one record batch at a time,
 * and one more pass applies the fitted transform to the training rows for the Validate stage's
 * statistics. Only then does one transaction add the immutable version, numbered within its name, so a
 * cancel or an error leaves nothing behind.
 */
import { DEFAULT_FRACTIONS, splitRecord, type Split } from '../core/model/split';
import { missing, RecordError } from '../core/record-error';
import { applyChunk, type StepColumn } from '../core/transform/apply';
import { checkSpec } from '../core/transform/check';
import type { ChunkColumn } from '../core/transform/chunk';
import { chunkFromBatch } from '../core/transform/chunk-arrow';
import { TransformError } from '../core/transform/errors';
import { parseFitted, type FittedTransform } from '../core/transform/fitted';
import { analyzeTrainingRows, transformedStats as statsOfTransformed } from '../core/transform/rows';
import type { DatasetStats } from '../core/validate/stats';
import type { AnalyzeProgress, AnalyzeRequest, TransformImportRequest, PreviewValue, TransformDataChoice, TransformPreview } from '../protocol/transform';
import { newId, type DatasetVersion, type PipetteDB } from '../store/db';
import type { StatsLeftOut, TransformRecord } from '../store/transform-records';
import { splitOfVersion, takeRows, trainingChunks } from './transform-rows';
import { versionBatches } from './version-batches';

export { CancelledError } from '../protocol/jobs';

type OnProgress = (p: AnalyzeProgress) => void;

/** The Train stage's defaults (app/train.svelte.ts). */
export const DEFAULT_SEED = 42;

async function projectVersion(db: PipetteDB, projectId: string, versionId: string): Promise<DatasetVersion> {
  const meta = await db.versions.get(versionId);
  if (!meta || meta.status !== 'ready') throw missing('dataset-version', versionId);
  if (meta.projectId !== projectId) throw new RecordError('other-project', { what: 'dataset-version', id: versionId }, `dataset version ${versionId} is not in this project`);
  return meta;
}

export async function getTransform(db: PipetteDB, id: string): Promise<TransformRecord> {
  const row = await db.transforms.get(id);
  if (!row) throw missing('transform', id);
  return row;
}

/** A project's transform versions, by name, then by number. */
export async function listTransforms(db: PipetteDB, projectId: string): Promise<TransformRecord[]> {
  const rows = await db.transforms.where('projectId').equals(projectId).toArray();
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
}

/** Split the version as the Train stage would, reporting the label pass. */
function splitFor(db: PipetteDB, meta: DatasetVersion, req: TransformDataChoice, signal?: AbortSignal, onProgress?: OnProgress): Promise<Split> {
  const choice = { labelColumn: req.labelColumn || null, seed: req.seed ?? DEFAULT_SEED, fractions: req.fractions ?? DEFAULT_FRACTIONS };
  return splitOfVersion(db, meta, choice, signal, (rows) => onProgress?.({ phase: 'labels', pass: 0, passes: 0, rows, totalRows: meta.rowCount }));
}

/** The statistics of the transformed training rows (core/transform/rows.ts), reporting the pass. */
function transformedStats(db: PipetteDB, meta: DatasetVersion, split: Split, fitted: FittedTransform, signal?: AbortSignal, onProgress?: OnProgress): Promise<{ stats: DatasetStats; leftOut: StatsLeftOut[] }> {
  const chunks = trainingChunks(db, meta, split.train, fitted.columns.map((c) => c.name), signal);
  return statsOfTransformed(chunks, fitted, split.train.length, (rows, totalRows) => onProgress?.({ phase: 'stats', pass: 0, passes: 0, rows, totalRows }));
}

/** The record's own fields, and what its lineage is made from. */
type NewVersion = Pick<TransformRecord, 'projectId' | 'name' | 'parentId' | 'fitted' | 'stats' | 'statsLeftOut' | 'origin' | 'seconds' | 'timings'> & {
  meta: DatasetVersion;
  split: Split;
  labelColumn: string | null;
};

/** One transaction: the version number is taken where the row is added, so two writers never share one. */
function writeVersion(db: PipetteDB, v: NewVersion): Promise<TransformRecord> {
  return db.transaction('rw', db.transforms, async () => {
    const siblings = await db.transforms.where('[projectId+name]').equals([v.projectId, v.name]).toArray();
    const record: TransformRecord = {
      id: newId(),
      projectId: v.projectId,
      name: v.name,
      version: 1 + Math.max(0, ...siblings.map((s) => s.version)),
      parentId: v.parentId,
      source: { datasetVersionId: v.meta.id, split: splitRecord(v.split), labelColumn: v.labelColumn },
      fitted: v.fitted,
      stats: v.stats,
      statsLeftOut: v.statsLeftOut,
      origin: v.origin,
      seconds: v.seconds,
      ...(v.timings ? { timings: v.timings } : {}),
      createdAt: Date.now(),
    };
    await db.transforms.add(record);
    return record;
  });
}

function transformName(name: string): string {
  return name.trim() || 'transform';
}

async function checkParent(db: PipetteDB, projectId: string, parentId: string | null): Promise<void> {
  if (parentId === null) return;
  const parent = await getTransform(db, parentId);
  if (parent.projectId !== projectId) throw new RecordError('other-project', { what: 'transform', id: parentId }, `transform ${parentId} is not in this project`);
}

/** Check the spec, fit it on the Train stage's training rows, compute the transformed statistics, store it. */
export async function analyzeTransform(db: PipetteDB, req: Omit<AnalyzeRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnProgress): Promise<TransformRecord> {
  const started = performance.now();
  const meta = await projectVersion(db, req.projectId, req.datasetVersionId);
  // refused here, before any batch is read: the step and the column are named
  checkSpec(req.spec, meta.columns, { label: req.labelColumn });
  await checkParent(db, req.projectId, req.parentId);
  const split = await splitFor(db, meta, req, signal, onProgress);
  const splitDone = performance.now();
  const analyzed = await analyzeTrainingRows(req.spec, meta.columns, split.train, () => versionBatches(db, meta, signal), { signal, onProgress });
  const { fitted, stats, leftOut } = analyzed;
  const seconds = (performance.now() - started) / 1000;
  const timings = { split: (splitDone - started) / 1000, ...analyzed.seconds };
  const common = { projectId: req.projectId, name: transformName(req.name), parentId: req.parentId, meta, split, labelColumn: req.labelColumn || null };
  return writeVersion(db, { ...common, fitted, stats, statsLeftOut: leftOut, origin: { kind: 'analyzed' }, seconds, timings });
}

/**
 * A transform.json stored as a version as it is (fitted elsewhere: its state is not refitted), checked
 * first (a file that is not one is refused by what is wrong; a spec that cannot read this version's
 * columns names the step and column), its statistics computed on the chosen training rows.
 */
export async function importTransform(db: PipetteDB, req: Omit<TransformImportRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnProgress): Promise<TransformRecord> {
  const started = performance.now();
  const fitted = parseFitted(req.text);
  const meta = await projectVersion(db, req.projectId, req.datasetVersionId);
  const checked = checkSpec(fitted.spec, meta.columns, { label: req.labelColumn });
  const agrees =
    checked.steps.length === fitted.steps.length &&
    checked.steps.every((s, i) => {
      const f = fitted.steps[i]!;
      return s.name === f.name && s.op === f.op && s.kind === f.kind && s.inputs.join('\u0000') === f.inputs.join('\u0000');
    });
  if (!agrees) throw new TransformError('bad-fitted', { params: { why: 'step' } }, 'Not a fitted transform: its steps do not match its spec');
  const split = await splitFor(db, meta, req, signal, onProgress);
  const { stats, leftOut } = await transformedStats(db, meta, split, fitted, signal, onProgress);
  const seconds = (performance.now() - started) / 1000;
  const common = { projectId: req.projectId, name: transformName(req.name), parentId: null, meta, split, labelColumn: req.labelColumn || null };
  return writeVersion(db, { ...common, fitted, stats, statsLeftOut: leftOut, origin: { kind: 'imported', fileName: req.fileName }, seconds });
}

/** transform.json: the fitted transform, named after the version. */
export async function exportTransform(db: PipetteDB, id: string): Promise<{ fileName: string; text: string }> {
  const row = await getTransform(db, id);
  const base = row.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'transform';
  return { fileName: `${base}-v${row.version}.transform.json`, text: `${JSON.stringify(row.fitted, null, 2)}\n` };
}

function rawCell(col: ChunkColumn | undefined, r: number): number | string | null {
  if (!col) return null;
  if (col.kind === 'number') return Number.isNaN(col.values[r]!) ? null : col.values[r]!;
  if ('dictionary' in col) return col.indices[r]! < 0 ? null : col.dictionary[col.indices[r]!]!;
  return col.values[r] ?? null;
}

function previewValue(col: StepColumn, r: number): PreviewValue {
  switch (col.kind) {
    case 'number':
      return Number.isNaN(col.values[r]!) ? null : col.values[r]!;
    case 'string':
      // no operation gives text; raw columns are shown as raw cells
      return null;
    case 'index':
      return col.values[r]!;
    case 'tokens':
      return col.values.slice(col.offsets[r]!, col.offsets[r + 1]!);
    case 'indices':
      return Array.from(col.values.subarray(col.offsets[r]!, col.offsets[r + 1]!));
    case 'sparse': {
      const [from, to] = [col.offsets[r]!, col.offsets[r + 1]!];
      return { indices: Array.from(col.indices.subarray(from, to)), weights: Array.from(col.weights.subarray(from, to)) };
    }
    case 'vector':
      return Array.from(col.values.subarray(r * col.size, (r + 1) * col.size));
  }
}

/** The first `count` rows of the version's dataset version, raw and transformed (applyChunk). */
export async function previewTransform(db: PipetteDB, transformId: string, count: number): Promise<TransformPreview> {
  const record = await getTransform(db, transformId);
  const meta = await projectVersion(db, record.projectId, record.source.datasetVersionId);
  const { fitted } = record;
  const names = fitted.columns.map((c) => c.name);
  const rows: TransformPreview['rows'] = [];
  for await (const batch of versionBatches(db, meta)) {
    const take = Math.min(Math.max(0, count - rows.length), batch.numRows);
    if (take === 0) break;
    const chunk = takeRows(chunkFromBatch(batch, names), Uint32Array.from({ length: take }, (_, i) => i));
    const { columns } = applyChunk(fitted, chunk);
    for (let r = 0; r < take; r++) {
      rows.push({
        row: rows.length + 1,
        raw: names.map((n) => rawCell(chunk.columns[n], r)),
        values: fitted.steps.map((s) => previewValue(columns.get(s.name)!, r)),
      });
    }
  }
  return {
    transformId,
    columns: fitted.columns,
    steps: fitted.steps.map((s) => ({ name: s.name, op: s.op, kind: s.kind, size: s.size, output: s.output })),
    rows,
  };
}
