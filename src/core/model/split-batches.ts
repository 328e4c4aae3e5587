/**
 * The Train stage's split of a table read one record batch at a time, wherever the batches come from (the
 * tab's IndexedDB, the command-line runner's Arrow file): the label read the way Train reads it
 * (preprocess's labelValues), then splitRows with the same seed and fractions, so the same seed, fractions
 * and label give the same training rows everywhere.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnInfo, ColumnType } from '../data/types';
import { TrainError } from './errors';
import { tableFromBatches } from './preprocess/columns';
import { labelValues } from './preprocess/readers';
import { splitRows, type Split, type SplitFractions } from './split';

/**
 * How the Train stage splits by this label column: a number column is a regression label (rows without
 * a value are left out, nothing is stratified), any other a class, stratified (train-presets' guessTask).
 */
export function labelTaskFor(type: ColumnType): 'classification' | 'regression' {
  return type === 'number' ? 'regression' : 'classification';
}

export interface SplitChoice {
  labelColumn: string | null;
  seed: number;
  fractions: SplitFractions;
}

/** The table being split: its row count and columns (a dataset version's metadata, an import's summary). */
export interface SplitTable {
  rowCount: number;
  columns: readonly Pick<ColumnInfo, 'name' | 'type'>[];
}

/**
 * The Train stage's split of a table: without a label column every row is split, unstratified (and no
 * batch is read); with one, `batches()` is read once for the labels. `onRows` reports the rows read.
 */
export async function splitOfBatches(table: SplitTable, choice: SplitChoice, batches: () => AsyncIterable<RecordBatch>, onRows?: (rows: number) => void): Promise<Split> {
  const { labelColumn, seed, fractions } = choice;
  if (labelColumn === null) return splitRows(table.rowCount, { seed, fractions });
  const info = table.columns.find((c) => c.name === labelColumn);
  if (!info) throw new TrainError('missing-column', { column: labelColumn }, `Column "${labelColumn}" is not in this dataset version`);
  const task = labelTaskFor(info.type);
  const labels: (string | number | null)[] = new Array(table.rowCount);
  let at = 0;
  for await (const batch of batches()) {
    const values = labelValues(tableFromBatches([batch], [labelColumn]), labelColumn, task);
    for (let i = 0; i < values.length; i++) labels[at + i] = values[i]!;
    at += values.length;
    onRows?.(at);
  }
  return splitRows(table.rowCount, { seed, fractions, labels, stratify: task === 'classification' });
}
