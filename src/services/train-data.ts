/**
 * The rows a run trains on: a dataset version's columns read from the store, the seeded split, and the
 * preprocessing fitted on the training rows. Used by the training worker (and Node tests).
 */
import { missing } from '../core/record-error';
import { decodeBatch } from '../core/data/arrow';
import { TrainError } from '../core/model/errors';
import {
  choiceColumns,
  fitPreprocess,
  labelValues,
  tableFromBatches,
  type ColumnTable,
  type DecodeImage,
  type FeatureChoice,
  type LabelStats,
  type PreprocessStats,
} from '../core/model/preprocess';
import { majorityVote, predictLabels } from '../core/label/label-model';
import { ABSTAIN } from '../core/label/lf';
import { breakAbstains, goldClassReader, scoreLabels } from '../core/label/score';
import { splitRows, type Split } from '../core/model/split';
import type { DatasetVersion, PipetteDB } from '../store/db';
import { readBatch } from '../store/datasets';
import type { LabelSource, RunConfig, WeakScores } from '../store/training-records';
import { labelTargets, type LabelTargets } from './label-store';
import { Recent } from './recent';

export interface LoadedTable {
  version: DatasetVersion;
  table: ColumnTable;
}

/**
 * Keeps the last few tables read, keyed by version and columns: the model builder asks to prepare on
 * every change of the form, and the run then starts on the same columns. Versions never change, so a
 * cached table never goes stale.
 */
export class TableCache {
  readonly #db: PipetteDB;
  readonly #tables: Recent<LoadedTable>;

  constructor(db: PipetteDB, keep = 2) {
    this.#db = db;
    this.#tables = new Recent(keep);
  }

  load(versionId: string, columns: readonly string[]): Promise<LoadedTable> {
    const key = `${versionId}\u0000${[...new Set(columns)].sort().join('\u0000')}`;
    return this.#tables.get(key, () => loadTable(this.#db, versionId, columns));
  }
}

/** Read the named columns of a committed version, all batches laid end to end. */
export async function loadTable(db: PipetteDB, versionId: string, columns: readonly string[]): Promise<LoadedTable> {
  const version = await db.versions.get(versionId);
  if (!version || version.status !== 'ready') throw missing('dataset-version', versionId);
  for (const c of columns) {
    if (!version.columns.some((col) => col.name === c)) {
      throw new TrainError('missing-column', { column: c }, `Column "${c}" is not in this dataset version`);
    }
  }
  const batches = [];
  for (let i = 0; i < version.batchRowCounts.length; i++) batches.push(decodeBatch((await readBatch(db, versionId, i)).ipc));
  return { version, table: tableFromBatches(batches, columns) };
}

export interface PreparedData {
  table: ColumnTable;
  version: DatasetVersion;
  /**
   * For a label-set run: train and validation hold only the rows the set labels; test holds every test
   * row with a gold label (or, without a gold column, the covered test rows); the rest are excluded.
   */
  split: Split;
  stats: PreprocessStats;
  labelSet?: LabelSetData;
}

/** A run's targets from a label set: which rows it labels, with what probabilities, and the gold labels. */
export interface LabelSetData {
  targets: LabelTargets;
  goldColumn: string | null;
  /** Per dataset row: its position in the label set, or -1 where every function abstained. */
  position: Int32Array;
  /** Per dataset row: the gold class, or -1 (no value, or one naming no class); null without a gold column. */
  gold: Int32Array | null;
}

export function labelTaskOf(config: Pick<RunConfig, 'task'>): 'classification' | 'regression' {
  return config.task === 'tabular-regression' ? 'regression' : 'classification';
}

/** The columns a run reads: its features (a transform's inputs) and its label column (for a label-set run, the gold column if any). */
export function runColumns(features: readonly FeatureChoice[], label: string, source: LabelSource | undefined): string[] {
  const labelColumn = source?.kind === 'labelSet' ? source.goldColumn : label;
  return [...choiceColumns(features), ...(labelColumn ? [labelColumn] : [])];
}

/** Read a run's label set, refusing one that is gone (a clear TrainError instead of a bare not-found). */
export async function loadLabelSet(db: PipetteDB, source: LabelSource | undefined): Promise<{ targets: LabelTargets; goldColumn: string | null } | null> {
  if (source?.kind !== 'labelSet') return null;
  if (!(await db.labelSets.get(source.labelSetId))) throw new TrainError('label-set-missing', {}, `The label set this run trains on (${source.labelSetId}) does not exist`);
  return { targets: await labelTargets(db, source.labelSetId), goldColumn: source.goldColumn || null };
}

/** Where a row falls: the label set's class, or one more stratum for rows no function labeled. */
const NOT_COVERED = '\u0000not covered';

/**
 * Split the rows (stratified by the label for classification) and fit the preprocessing on the training
 * rows, or take the given statistics (a resumed run, or a base model whose input must not change). With
 * a label set, the split is over ALL rows of the version (stratified by the set's class, uncovered rows
 * as their own stratum), so the test split also holds rows no function covered.
 */
export async function prepareData(
  loaded: LoadedTable,
  options: {
    features: readonly FeatureChoice[];
    label: string;
    labelTask: 'classification' | 'regression';
    split: RunConfig['split'];
    stats?: PreprocessStats | null;
    decode?: DecodeImage;
    labelSet?: { targets: LabelTargets; goldColumn: string | null } | null;
  },
): Promise<PreparedData> {
  const { table, version } = loaded;
  if (options.labelSet) return prepareLabelSet(loaded, { ...options, labelSet: options.labelSet });
  const labels = labelValues(table, options.label, options.labelTask);
  const split = splitRows(table.rowCount, {
    seed: options.split.seed,
    fractions: options.split.fractions,
    labels,
    stratify: options.labelTask === 'classification',
  });
  const stats =
    options.stats ??
    (await fitPreprocess(table, split.train, { features: options.features, label: options.label, task: options.labelTask }, options.decode));
  return { table, version, split, stats };
}

async function prepareLabelSet(
  loaded: LoadedTable,
  options: Parameters<typeof prepareData>[1] & { labelSet: { targets: LabelTargets; goldColumn: string | null } },
): Promise<PreparedData> {
  const { table, version } = loaded;
  const { targets, goldColumn } = options.labelSet;
  const n = table.rowCount;
  if (targets.datasetVersionId !== version.id)
    throw new TrainError('label-set-version', { params: { version: targets.version } }, `Label set v${targets.version} belongs to another dataset version`);
  const position = new Int32Array(n).fill(-1);
  targets.rows.forEach((row, r) => {
    if (!(row >= 0 && row < n))
      throw new TrainError('label-set-rows', { row: row + 1, params: { version: targets.version, rows: n } }, `Label set v${targets.version} labels row ${row + 1}, but the version has ${n} rows`);
    position[row] = r;
  });
  if (goldColumn && choiceColumns(options.features).includes(goldColumn))
    throw new TrainError('gold-feature', { column: goldColumn }, `Column "${goldColumn}" is the gold column the model is scored against; it cannot also be a feature`);

  const strata = Array.from({ length: n }, (_, i) => (position[i]! < 0 ? NOT_COVERED : targets.classes[targets.labels[position[i]!]!]!));
  const all = splitRows(n, { seed: options.split.seed, fractions: options.split.fractions, labels: strata, stratify: true });
  let gold: Int32Array | null = null;
  if (goldColumn) {
    const classOf = goldClassReader(targets.classes);
    gold = Int32Array.from(labelValues(table, goldColumn, 'classification'), (v) => classOf(v) ?? -1);
  }
  const covered = (rows: Uint32Array) => rows.filter((i) => position[i]! >= 0);
  const test = gold ? all.test.filter((i) => gold[i]! >= 0) : covered(all.test);
  const train = covered(all.train);
  const validation = covered(all.validation);
  const used = new Uint8Array(n);
  for (const part of [train, validation, test]) for (const i of part) used[i] = 1;
  const excluded = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => !used[i]);
  const split: Split = { ...all, train, validation, test, excluded };

  const k = targets.classes.length;
  const counts = new Array<number>(k).fill(0);
  for (const i of train) counts[targets.labels[position[i]!]!]!++;
  const labelColumn = goldColumn ?? `label set v${targets.version}`;
  const labelStats: LabelStats = {
    column: labelColumn,
    sourceType: version.columns.find((c) => c.name === goldColumn)?.type ?? 'categorical',
    task: 'classification',
    classes: targets.classes.slice(),
    counts,
  };
  const stats =
    options.stats ??
    (await fitPreprocess(table, train, { features: options.features, label: labelColumn, task: 'classification', labelStats }, options.decode));
  return { table, version, split, stats, labelSet: { targets, goldColumn, position, gold } };
}

/** The label set's probabilities of the given rows (all covered), rows x classes: the soft targets. */
export function softTargets(data: LabelSetData, rows: ArrayLike<number>): Float32Array {
  const k = data.targets.classes.length;
  const out = new Float32Array(rows.length * k);
  for (let t = 0; t < rows.length; t++) {
    const r = data.position[rows[t]!]!;
    out.set(data.targets.probs.subarray(r * k, (r + 1) * k), t * k);
  }
  return out;
}

/** The class each of the given rows is scored against: its gold label, or (without gold) the set's label. */
export function scoringLabels(data: LabelSetData, rows: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: rows.length }, (_, t) => {
    const i = rows[t]!;
    return data.gold ? data.gold[i]! : data.targets.labels[data.position[i]!]!;
  });
}

/**
 * Majority vote's and the label model's accuracy on the given (test) rows against the gold column, scored
 * as the Label page scores them (core/label/score.ts), except that every row counts: where every
 * function abstained, both give the deterministic random tie-break (as Snorkel's tutorial scores them).
 * null for a method the set cannot give (manual labels; a weak set saved without its votes).
 * `covered` scores all three, with the end model's predicted classes (one per row of `rows`), on the rows
 * some function voted on alone, so no method's margin comes from coin flips on the others.
 */
export function weakBaselines(
  data: LabelSetData,
  rows: Uint32Array,
  endModel: ArrayLike<number>,
): { majorityVote: number | null; labelModel: number | null; coveredRows: number; covered: WeakScores } {
  const t = data.targets;
  const k = t.classes.length;
  const gold = scoringLabels(data, rows);
  const coveredAt = Uint32Array.from(rows.keys()).filter((r) => data.position[rows[r]!]! >= 0);
  const labels = (set: Int32Array | null): Int32Array | null =>
    set && data.gold ? breakAbstains(Int32Array.from(rows, (i) => (data.position[i]! >= 0 ? set[data.position[i]!]! : ABSTAIN)), k, { rows }) : null;
  const accuracy = (pred: ArrayLike<number> | null, at?: Uint32Array): number | null => (pred ? scoreLabels(pred, gold, at).accuracy : null);
  const mv = labels(t.votes ? majorityVote(t.votes, { tieBreak: 'random', rows: t.rows }) : null);
  const lm = labels(t.kind === 'label-model' ? predictLabels(t.probs, k) : null);
  return {
    majorityVote: accuracy(mv),
    labelModel: accuracy(lm),
    coveredRows: coveredAt.length,
    covered: { majorityVote: accuracy(mv, coveredAt), labelModel: accuracy(lm, coveredAt), endModel: data.gold ? accuracy(endModel, coveredAt) : null },
  };
}
