/**
 * The Label stage's heavy operations (run in the data worker; testable in Node with fake-indexeddb):
 * apply the project's labeling functions to a dataset version (no-code ones here, code ones through the
 * sandboxed LfRunner), the Snorkel analysis, majority vote and the label model, label-set versions from a
 * run, the uncertainty-ordered queue and row prefetch for the labeling queue.
 */
import type { Vector } from 'apache-arrow';
import { decodeBatch } from '../core/data/arrow';
import {
  ABSTAIN,
  applyLabelingFunctions,
  emptyLabelMatrix,
  fitLabelModel,
  goldClassReader,
  lfSummary,
  LfRunner,
  majorityVote,
  predictLabels,
  scoreLabels,
  uncertaintyOrder,
  type Cell as LfCell,
  type LabelMatrix,
  type LabelModelResult,
  type LfSpec,
  type WorkerLike,
} from '../core/label';
import { cellOf } from '../core/table/view';
import type { Cell } from '../protocol/data';
import type { GoldSource, LfResultRow, LfRunOutcome, LfRunRequest, QueueOrderRequest } from '../protocol/label';
import { readBatch } from '../store/datasets';
import { newId, type DatasetVersion, type PipetteDB } from '../store/db';
import type { LabelSetRecord } from '../store/label-records';
import { LabelError } from '../core/label/errors';
import { missing } from '../core/record-error';
import { addLabelSet, consensusLabels, latestLabelSchema, listLabelingFunctions, saveManualLabelSet, versionEvents } from './label-store';
import type { TableService } from './table';

async function readyVersion(db: PipetteDB, versionId: string): Promise<DatasetVersion> {
  const meta = await db.versions.get(versionId);
  if (!meta || meta.status !== 'ready') throw missing('dataset-version', versionId);
  return meta;
}

/** Non-image columns of a version as plain arrays (what labeling functions see as a row). */
export async function readColumns(db: PipetteDB, meta: DatasetVersion, signal?: AbortSignal): Promise<Record<string, LfCell[]>> {
  const cols = meta.columns.filter((c) => c.type !== 'image');
  const out: Record<string, LfCell[]> = Object.fromEntries(cols.map((c) => [c.name, new Array<LfCell>(meta.rowCount)]));
  let at = 0;
  for (let b = 0; b < meta.batchRowCounts.length; b++) {
    if (signal?.aborted) throw abortError();
    const batch = decodeBatch((await readBatch(db, meta.id, b)).ipc);
    for (const c of cols) {
      const vector = batch.getChild(c.name) as Vector;
      const dst = out[c.name]!;
      for (let i = 0; i < batch.numRows; i++) dst[at + i] = cellOf(vector, i, c.type) as LfCell;
    }
    at += batch.numRows;
  }
  return out;
}

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

/** Gold labels per row (-1 = none): the manual labels, or a column whose values are class names. */
async function goldLabels(db: PipetteDB, gold: GoldSource, versionId: string, columns: Record<string, LfCell[]>, n: number, classes: string[]): Promise<{ labels: Int32Array; unmatched: number } | null> {
  if (gold.kind === 'none') return null;
  const labels = new Int32Array(n).fill(ABSTAIN);
  let unmatched = 0;
  if (gold.kind === 'manual') {
    for (const [row, l] of consensusLabels(await versionEvents(db, versionId))) if (row < n) labels[row] = l.label;
  } else {
    const values = columns[gold.column];
    if (!values) throw missing('column', gold.column, `no column "${gold.column}" in this version`);
    const classOf = goldClassReader(classes);
    for (let i = 0; i < n; i++) {
      const c = classOf(values[i]);
      if (c === undefined) unmatched++;
      else labels[i] = c;
    }
  }
  return { labels, unmatched };
}

/** A finished run, kept in the worker so "Save" writes exactly what the person saw. */
interface Run {
  projectId: string;
  versionId: string;
  schemaId: string;
  classes: string[];
  lfs: { id: string; name: string }[];
  matrix: LabelMatrix;
  mv: Int32Array;
  fit: LabelModelResult | null;
}

export class LabelService {
  readonly #runs = new Map<string, Run>();

  /** Finished runs kept for their Save (the worker must not be stopped while it holds any). */
  get heldRuns(): number {
    return this.#runs.size;
  }

  constructor(
    private readonly db: PipetteDB,
    private readonly tables: TableService | null,
    private readonly createLfWorker: (() => WorkerLike) | null,
  ) {}

  async runLabelingFunctions(req: LfRunRequest, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<LfRunOutcome> {
    const started = performance.now();
    const meta = await readyVersion(this.db, req.versionId);
    const schema = await latestLabelSchema(this.db, req.projectId);
    if (!schema) throw new LabelError('no-schema', {}, 'the project has no label schema: define its classes first');
    const k = schema.classes.length;
    const records = await listLabelingFunctions(this.db, req.projectId);
    const specs: LfSpec[] = records.map((r) => ({ ...r.spec, id: r.id, name: r.name }));
    const columns = await readColumns(this.db, meta, signal);
    const n = meta.rowCount;
    const hasCode = specs.some((s) => s.kind === 'code');
    const runner = hasCode && this.createLfWorker ? new LfRunner(this.createLfWorker) : undefined;
    if (hasCode && !runner) throw new Error('code labeling functions need the labeling-function worker');
    const timeoutMs = req.timeoutMs ?? 5_000;
    onProgress?.(0, specs.length);
    const { matrix, reports } = await applyLabelingFunctions(specs, columns, n, k, runner, {
      timeoutMs,
      signal,
      // the runner counts code functions only; the no-code ones are already done by then
      onProgress: (done) => onProgress?.(specs.length - specs.filter((s) => s.kind === 'code').length + done, specs.length),
    });
    const gold = await goldLabels(this.db, req.gold, req.versionId, columns, n, schema.classes);
    const summary = lfSummary(matrix, gold?.labels);
    // Random tie-breaks (a fixed hash, so reruns agree) as Snorkel's spam tutorial scores majority vote.
    const mv = majorityVote(matrix, { tieBreak: 'random' });
    const fit = specs.length > 0 ? fitLabelModel(matrix) : null;
    const lmPred = fit ? predictLabels(fit.probs, k) : new Int32Array(n).fill(ABSTAIN);
    const runId = newId();
    this.#runs.set(runId, { projectId: req.projectId, versionId: req.versionId, schemaId: schema.id, classes: schema.classes, lfs: specs.map((s) => ({ id: s.id, name: s.name })), matrix, mv, fit });
    while (this.#runs.size > 3) this.#runs.delete(this.#runs.keys().next().value!);
    onProgress?.(specs.length, specs.length);
    const lfs: LfResultRow[] = specs.map((s, j) => ({
      id: s.id,
      name: s.name,
      status: reports[j]!.status,
      message: reports[j]!.message ?? null,
      specError: reports[j]!.specError ?? null,
      errors: reports[j]!.errors,
      firstError: reports[j]!.firstError ?? null,
      invalid: reports[j]!.invalid,
      firstInvalid: reports[j]!.firstInvalid ?? null,
      timeoutMs,
      stats: summary.lfs[j]!,
      estimatedAccuracy: fit ? fit.accuracy[j]! : NaN,
      ms: reports[j]!.ms,
    }));
    return {
      runId,
      versionId: req.versionId,
      rowCount: n,
      classes: schema.classes,
      gold: req.gold,
      goldRows: gold ? gold.labels.reduce((a, g) => a + (g === ABSTAIN ? 0 : 1), 0) : 0,
      goldUnmatched: gold?.unmatched ?? 0,
      lfs,
      coverage: summary.coverage,
      overlap: summary.overlap,
      conflict: summary.conflict,
      majorityVote: scoreLabels(mv, gold?.labels ?? null),
      labelModel: { ...scoreLabels(lmPred, gold?.labels ?? null), iterations: fit?.iterations ?? 0, converged: fit?.converged ?? true },
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** A run's labels as a label-set version; rows where every function abstains are left out. */
  async saveWeakLabels(runId: string, kind: 'majority-vote' | 'label-model', note = ''): Promise<LabelSetRecord> {
    const run = this.#runs.get(runId);
    if (!run) throw new LabelError('run-expired', {}, 'this result is no longer in memory: run the functions again');
    const { matrix, mv, fit } = run;
    const { n, m, k, data } = matrix;
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (kind === 'label-model' ? fit?.covered[i] : mv[i] !== ABSTAIN) rows.push(i);
    if (rows.length === 0) throw new LabelError('nothing-to-save', {}, 'no row has a label');
    const probs = new Float32Array(rows.length * k);
    const labels = new Int32Array(rows.length);
    // the functions' votes on these rows, so a later comparison can recompute majority vote on any of them
    const votes = emptyLabelMatrix(rows.length, m, k).data;
    rows.forEach((i, r) => votes.set(data.subarray(i * m, (i + 1) * m), r * m));
    rows.forEach((i, r) => {
      if (kind === 'label-model') {
        for (let c = 0; c < k; c++) probs[r * k + c] = fit!.probs[i * k + c]!;
      } else {
        // majority vote's probabilities: each class's share of the row's votes
        let cast = 0;
        for (let j = 0; j < m; j++) {
          const v = data[i * m + j]!;
          if (v !== ABSTAIN) {
            probs[r * k + v]!++;
            cast++;
          }
        }
        for (let c = 0; c < k; c++) probs[r * k + c]! /= cast;
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
      labels[r] = kind === 'label-model' ? best : mv[i]!;
    });
    return addLabelSet(this.db, {
      projectId: run.projectId,
      datasetVersionId: run.versionId,
      kind,
      classes: run.classes,
      note,
      data: {
        schemaId: run.schemaId,
        rows: Int32Array.from(rows),
        labels,
        probs,
        lfs: run.lfs,
        votes,
        estimatedAccuracy: kind === 'label-model' && fit ? Array.from(fit.accuracy) : undefined,
      },
    });
  }

  saveManualLabels(projectId: string, versionId: string, labeler?: string, note?: string): Promise<LabelSetRecord> {
    return saveManualLabelSet(this.db, projectId, versionId, labeler, note);
  }

  /** All rows of a probabilistic label set, most uncertain first; rows it does not cover are left out. */
  async uncertaintyQueue(req: QueueOrderRequest): Promise<Int32Array> {
    const meta = await readyVersion(this.db, req.versionId);
    const set = await this.db.labelSets.get(req.labelSetId);
    if (!set || set.datasetVersionId !== req.versionId || set.kind === 'manual') throw new LabelError('no-label-set', {}, 'no probabilistic label set for this version');
    const k = set.classes.length;
    const probs = new Float32Array(meta.rowCount * k).fill(NaN);
    set.data.rows.forEach((row, r) => {
      for (let c = 0; c < k; c++) probs[row * k + c] = set.data.probs[r * k + c]!;
    });
    return uncertaintyOrder(probs, k, { strategy: req.strategy });
  }

  /** The cells of the given rows, in order. */
  async rowsAt(versionId: string, rows: number[]): Promise<Cell[][]> {
    if (!this.tables) throw new Error('no table service');
    const out: Cell[][] = [];
    for (const r of rows) out.push((await this.tables.rows(versionId, r, 1)).rows[0] ?? []);
    return out;
  }
}
