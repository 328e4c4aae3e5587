/**
 * Feature selection on a dataset version (data worker; testable in Node with fake-indexeddb). The request
 * is checked against the version's columns before any row is read (a missing column or a method that
 * does not fit the target's task is refused by name); the version is read once, split exactly as the
 * Train stage splits it (labelValues, splitRows: same seed, fractions and stratification), encoded
 * (select-matrix.ts), and each chosen method of core/select runs on the training rows. On a transform
 * (req.transformId) the features are its outputs on its own split instead (select-transform.ts). Either
 * way a large split is capped (sampleParts: at most MAX_SELECT_ROWS rows of each part, drawn with the
 * seed) and the result says how many rows were used of how many. The comparison
 * table trains the same small model on each method's subset and on all features and scores it on the
 * validation rows; the series scores the best 1, 2, ... features of each method's ranking. Nothing is
 * stored: the result goes back to the page.
 */
import type { ColumnType } from '../core/data/types';
import { TrainError } from '../core/model/errors';
import { tableFromBatches } from '../core/model/preprocess/columns';
import { labelValues } from '../core/model/preprocess/readers';
import { DEFAULT_FRACTIONS, splitRows, type Split } from '../core/model/split';
import { missing, RecordError } from '../core/record-error';
import {
  chi2,
  compareSubsets,
  dropCorrelated,
  fClassif,
  fRegression,
  l1Selection,
  mutualInfoClassif,
  mutualInfoRegression,
  permutationSelection,
  prepareSelection,
  rankByScore,
  rfe,
  rRegression,
  sampleParts,
  scoreByFeatureCount,
  SelectError,
  selectKBest,
  sequentialForward,
  varianceThreshold,
  type CountScore,
  type PreparedSelection,
  type Task,
} from '../core/select';
import { throwIfAborted } from '../protocol/jobs';
import { METHOD_TASK, type SelectMethodChoice, type SelectMethodId, type SelectProgress, type SelectRequest, type SelectResult, type SelectSeries, type SelectRow } from '../protocol/select';
import type { DatasetVersion, PipetteDB } from '../store/db';
import { labelTaskFor } from './transform-rows';
import { encodeSelection, targetOf, type EncodedSelection } from './select-matrix';
import { encodeTransform, projectTransform } from './select-transform';
import { versionBatches } from './version-batches';

export { CancelledError } from '../protocol/jobs';

type OnProgress = (p: SelectProgress) => void;

/** The Train stage's default seed (app/train.svelte.ts). */
export const DEFAULT_SEED = 42;
/** The score-against-count series trains at most this many subsets per method. */
export const MAX_SERIES_POINTS = 20;

/** sklearn's names, for messages. */
const SKLEARN_NAME: Record<SelectMethodId, (task: Task) => string> = {
  variance_threshold: () => 'VarianceThreshold',
  drop_correlated: () => 'correlation between features',
  r_regression: () => 'r_regression',
  f_test: (task) => (task === 'classification' ? 'f_classif' : 'f_regression'),
  chi2: () => 'chi2',
  mutual_info: (task) => (task === 'classification' ? 'mutual_info_classif' : 'mutual_info_regression'),
  rfe: () => 'RFE',
  sfs: () => 'SequentialFeatureSelector',
  l1: () => 'SelectFromModel(L1)',
  permutation: () => 'permutation_importance',
};

async function projectVersion(db: PipetteDB, projectId: string, versionId: string): Promise<DatasetVersion> {
  const meta = await db.versions.get(versionId);
  if (!meta || meta.status !== 'ready') throw missing('dataset-version', versionId);
  if (meta.projectId !== projectId) throw new RecordError('other-project', { what: 'dataset-version', id: versionId }, `dataset version ${versionId} is not in this project`);
  return meta;
}

/** Refuse a method that does not fit the target's task (before any row is read). */
function checkMethods(methods: readonly SelectMethodChoice[], task: Task): void {
  for (const { method } of methods) {
    const only = METHOD_TASK[method];
    if (only && only !== task) throw new SelectError('not-for-task', { params: { method: SKLEARN_NAME[method](task), task } }, `${method} does not apply to a ${task} target`);
  }
}

function columnType(meta: DatasetVersion, column: string): ColumnType {
  const type = meta.columns.find((c) => c.name === column)?.type;
  if (!type) throw new TrainError('missing-column', { column }, `Column "${column}" is not in this dataset version`);
  return type;
}

/** The target's task, the candidate columns and their types; refuses a missing column or a misfit method. */
function checkRequest(meta: DatasetVersion, req: Omit<SelectRequest, 'jobId'>): { task: Task; features: string[]; types: Map<string, ColumnType> } {
  const types = new Map(meta.columns.map((c) => [c.name, c.type]));
  const task = labelTaskFor(columnType(meta, req.target));
  const features = (req.features ?? meta.columns.map((c) => c.name)).filter((c) => c !== req.target);
  for (const c of features) columnType(meta, c);
  checkMethods(req.methods, task);
  return { task, features, types };
}

/** A core error about a matrix row names the dataset row (1-based) instead. */
function withDatasetRow(e: unknown, rows: Uint32Array): unknown {
  const row = e instanceof SelectError ? e.details.params?.row : undefined;
  if (!(e instanceof SelectError) || typeof row !== 'number' || row < 0 || row >= rows.length) return e;
  return new SelectError(e.code, { ...e.details, params: { ...e.details.params, row: rows[row]! + 1 } }, e.message);
}

interface MethodOutcome {
  features: number[];
  /** Features best first, for the series (when the method ranks them). */
  order?: number[];
  /** A series the method computed itself (the wrappers' paths). */
  path?: CountScore[];
}

async function runMethod(p: PreparedSelection, choice: SelectMethodChoice, signal: AbortSignal | undefined, onProgress: (done: number, total: number) => void): Promise<MethodOutcome> {
  const g = p.features.length;
  const k = Math.min(choice.k ?? Math.max(1, Math.floor(g / 2)), g);
  const work = { signal, onProgress };
  const ranked = (scores: ArrayLike<number>): MethodOutcome => ({ features: selectKBest(scores, k).sort((a, b) => a - b), order: rankByScore(scores) });
  switch (choice.method) {
    case 'variance_threshold':
      return { features: varianceThreshold(p, choice.threshold ?? 0).selected };
    case 'drop_correlated':
      return { features: dropCorrelated(p, choice.threshold ?? 0.9).selected };
    case 'r_regression':
      return ranked(rRegression(p).scores);
    case 'f_test':
      return ranked((p.task === 'classification' ? fClassif(p) : fRegression(p)).scores);
    case 'chi2':
      return ranked(chi2(p).scores);
    case 'mutual_info':
      return ranked((await (p.task === 'classification' ? mutualInfoClassif(p, work) : mutualInfoRegression(p, work))).scores);
    case 'rfe': {
      const r = await rfe(p, { ...work, nFeatures: k });
      return { features: r.selected, path: r.path };
    }
    case 'sfs': {
      const r = await sequentialForward(p, { ...work, nFeatures: k });
      return { features: r.selected, path: r.path };
    }
    case 'l1':
      return { features: (await l1Selection(p, work)).selected };
    case 'permutation': {
      const r = await permutationSelection(p, { ...work, k, seed: DEFAULT_SEED });
      return { features: r.selected, order: rankByScore(r.importances) };
    }
  }
}

/** At most MAX_SERIES_POINTS counts from 1 to g, always with 1 and g. */
export function seriesCounts(g: number): number[] {
  if (g <= MAX_SERIES_POINTS) return Array.from({ length: g }, (_, i) => i + 1);
  const counts = new Set<number>();
  for (let i = 0; i < MAX_SERIES_POINTS; i++) counts.add(1 + Math.round((i * (g - 1)) / (MAX_SERIES_POINTS - 1)));
  return [...counts];
}

async function readTable(db: PipetteDB, meta: DatasetVersion, names: readonly string[], signal?: AbortSignal, onProgress?: OnProgress) {
  const batches = [];
  const total = meta.batchRowCounts.length;
  for await (const batch of versionBatches(db, meta, signal)) {
    batches.push(batch);
    onProgress?.({ phase: 'read', done: batches.length, total });
  }
  return tableFromBatches(batches, names);
}

function splitOf(table: ReturnType<typeof tableFromBatches>, target: string, task: Task, seed: number, fractions: SelectRequest['fractions']): { split: Split; values: (string | number | null)[] } {
  const values = labelValues(table, target, task);
  const split = splitRows(table.rowCount, { seed, fractions: fractions ?? DEFAULT_FRACTIONS, labels: values, stratify: task === 'classification' });
  return { split, values };
}

/** What both kinds of data give the methods: the version, the target and its task, the split, the rows used, the matrix. */
interface SelectionInput {
  meta: DatasetVersion;
  target: string;
  task: Task;
  split: Split;
  used: { train: Uint32Array; validation: Uint32Array };
  encoded: EncodedSelection;
  /** The order the table lists a subset's features in (the version's columns, the transform's steps). */
  order: readonly string[];
  transform?: SelectResult['transform'];
}

/** The version's columns: read once, split as the Train stage splits, the rows used encoded. */
async function columnsInput(db: PipetteDB, req: Omit<SelectRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnProgress): Promise<SelectionInput> {
  const meta = await projectVersion(db, req.projectId, req.datasetVersionId);
  const { task, features, types } = checkRequest(meta, req);
  const table = await readTable(db, meta, [...features, req.target], signal, onProgress);
  const { split, values } = splitOf(table, req.target, task, req.seed ?? DEFAULT_SEED, req.fractions);
  const used = sampleParts(split, split.seed);
  const encoded = encodeSelection(table, types, features, { ...split, ...used }, targetOf(values, task));
  return { meta, target: req.target, task, split, used, encoded, order: meta.columns.map((c) => c.name) };
}

/** A transform's outputs on its own split and version, its label the target (select-transform.ts). */
async function transformInput(db: PipetteDB, req: Omit<SelectRequest, 'jobId'> & { transformId: string }, signal?: AbortSignal, onProgress?: OnProgress): Promise<SelectionInput> {
  const record = await projectTransform(db, req.projectId, req.transformId);
  const meta = await projectVersion(db, req.projectId, record.source.datasetVersionId);
  const target = record.source.labelColumn;
  const task = labelTaskFor(columnType(meta, target));
  checkMethods(req.methods, task);
  const { split, used, encoded } = await encodeTransform(db, meta, record, task, signal, onProgress);
  const transform = { id: record.id, name: record.name, version: record.version };
  return { meta, target, task, split, used, encoded, order: record.fitted.features.layout.map((s) => s.name), transform };
}

/**
 * Run the chosen methods and compare their subsets with all features on the Train stage's split: of the
 * version's columns, or (req.transformId) of a transform's outputs on the transform's own split.
 */
export async function selectFeatures(db: PipetteDB, req: Omit<SelectRequest, 'jobId'>, signal?: AbortSignal, onProgress?: OnProgress): Promise<SelectResult> {
  const started = performance.now();
  const { transformId } = req;
  const input = transformId ? await transformInput(db, { ...req, transformId }, signal, onProgress) : await columnsInput(db, req, signal, onProgress);
  const { meta, task, split, used, encoded } = input;
  try {
    const p = prepareSelection(encoded.data);
    const subsets: { method: SelectMethodId; features: number[] }[] = [];
    const series: SelectSeries[] = [];
    const counts = seriesCounts(p.features.length);
    for (const choice of req.methods) {
      throwIfAborted(signal);
      const method = choice.method;
      const outcome = await runMethod(p, choice, signal, (done, total) => onProgress?.({ phase: 'method', method, done, total }));
      subsets.push({ method, features: outcome.features });
      const path = outcome.path ?? (outcome.order ? await scoreByFeatureCount(p, outcome.order, { signal, counts, onProgress: (done, total) => onProgress?.({ phase: 'series', method, done, total }) }) : null);
      if (path) series.push({ method, points: [...path].sort((a, b) => a.count - b.count).map(({ count, scores }) => ({ count, scores })) });
    }
    const compared = await compareSubsets(p, subsets, { signal, onProgress: (done, total) => onProgress?.({ phase: 'compare', done, total }) });
    const order = new Map(input.order.map((name, i) => [name, i]));
    const rows: SelectRow[] = compared.map((row) => ({
      method: row.method as SelectRow['method'],
      columns: [...row.names].sort((a, b) => order.get(a)! - order.get(b)!),
      count: row.count,
      scores: row.scores,
    }));
    return {
      projectId: req.projectId,
      datasetVersionId: meta.id,
      target: input.target,
      task,
      classes: task === 'classification' ? [...p.classNames] : [],
      features: encoded.features,
      leftOut: encoded.leftOut,
      matrixColumns: p.d,
      split: { seed: split.seed, stratified: split.stratified, train: split.train.length, validation: split.validation.length, excluded: split.excluded.length },
      used: { train: used.train.length, validation: used.validation.length },
      ...(input.transform ? { transform: input.transform } : {}),
      table: rows,
      series,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    throw withDatasetRow(e, encoded.datasetRows);
  }
}
