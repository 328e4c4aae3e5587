/**
 * The rows a run trains on: a dataset version's columns read from the store, the seeded split, and the
 * preprocessing fitted on the training rows. Used by the training worker (and Node tests).
 */
import { decodeBatch } from '../core/data/arrow';
import { TrainError } from '../core/train/errors';
import {
  fitPreprocess,
  labelValues,
  tableFromBatches,
  type ColumnTable,
  type DecodeImage,
  type FeatureChoice,
  type PreprocessStats,
} from '../core/train/preprocess';
import { splitRows, type Split } from '../core/train/split';
import type { DatasetVersion, PipetteDB } from '../store/db';
import { readBatch } from '../store/datasets';
import type { RunConfig } from '../store/training-records';

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
  readonly #keep: number;
  readonly #tables = new Map<string, Promise<LoadedTable>>();

  constructor(db: PipetteDB, keep = 2) {
    this.#db = db;
    this.#keep = keep;
  }

  load(versionId: string, columns: readonly string[]): Promise<LoadedTable> {
    const key = `${versionId}\u0000${[...new Set(columns)].sort().join('\u0000')}`;
    let hit = this.#tables.get(key);
    if (hit) {
      this.#tables.delete(key);
    } else {
      hit = loadTable(this.#db, versionId, columns);
      // a failed read must not stay cached
      hit.catch(() => this.#tables.delete(key));
    }
    this.#tables.set(key, hit);
    while (this.#tables.size > this.#keep) this.#tables.delete(this.#tables.keys().next().value!);
    return hit;
  }
}

/** Read the named columns of a committed version, all batches laid end to end. */
export async function loadTable(db: PipetteDB, versionId: string, columns: readonly string[]): Promise<LoadedTable> {
  const version = await db.versions.get(versionId);
  if (!version || version.status !== 'ready') throw new Error(`Dataset version ${versionId} does not exist (it may have been deleted)`);
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
  split: Split;
  stats: PreprocessStats;
}

export function labelTaskOf(config: Pick<RunConfig, 'task'>): 'classification' | 'regression' {
  return config.task === 'tabular-regression' ? 'regression' : 'classification';
}

/**
 * Split the rows (stratified by the label for classification) and fit the preprocessing on the training
 * rows, or take the given statistics (a resumed run, or a base model whose input must not change).
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
  },
): Promise<PreparedData> {
  const { table, version } = loaded;
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
