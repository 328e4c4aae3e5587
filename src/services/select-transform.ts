/**
 * Feature selection among a transform version's outputs (data worker; Node tests). The rows are the
 * transform's own split (its dataset version, label, seed and fractions, checked part by part against the
 * counts it stored, as a run on it is), so the training rows are exactly those its analyzers read. The
 * chosen rows (capped by sampleParts) go through `applyChunk` one record batch at a time, and the matrix is
 * the model's input as a run on the transform would see it: each output step is one feature owning its
 * slots; the other steps are left out with the reason (transformGroups).
 */
import { trainErrorWhy } from '../core/model/errors';
import { tableFromBatches } from '../core/model/preprocess/columns';
import { labelValues } from '../core/model/preprocess/readers';
import type { Split } from '../core/model/split';
import { RecordError, missing } from '../core/record-error';
import { sampleParts, SelectError, type FeatureGroup, type Task } from '../core/select';
import { applyChunk } from '../core/transform/apply';
import { chunkFromBatch } from '../core/transform/chunk-arrow';
import { slotNames, type FittedTransform } from '../core/transform/fitted';
import { MAX_STEP_SLOTS, type LeftOutColumn, type SelectProgress } from '../protocol/select';
import type { DatasetVersion, PipetteDB } from '../store/db';
import type { TransformRecord } from '../store/transform-records';
import { targetOf, type EncodedSelection } from './select-matrix';
import { checkTransformRows, transformLabel } from './train-transform';
import { splitOfVersion, takeRows } from './transform-rows';
import { versionBatches } from './version-batches';

/** The project's transform version, refused when its split has no label column (there is no target then). */
export async function projectTransform(db: PipetteDB, projectId: string, id: string): Promise<TransformRecord & { source: { labelColumn: string } }> {
  const record = await db.transforms.get(id);
  if (!record) throw missing('transform', id);
  if (record.projectId !== projectId) throw new RecordError('other-project', { what: 'transform', id }, `transform ${id} is not in this project`);
  const name = transformLabel(record);
  const label = record.source.labelColumn;
  if (label === null) throw new SelectError('transform-no-label', { params: { transform: name } }, `Transform ${name} was analyzed on a split without a label column: there is no target to select for`);
  if (record.fitted.columns.some((c) => c.name === label)) {
    throw trainErrorWhy('bad-encoding', 'transform-reads-label', { column: label }, `The transform reads the label column "${label}": its features would give the answer away`);
  }
  return record as TransformRecord & { source: { labelColumn: string } };
}

/**
 * The output steps as features (each its slots), and the other steps left out: a step of strings or
 * tokens (no number to select on), an intermediate step (read by other steps, no model feature), an output
 * wider than MAX_STEP_SLOTS.
 */
export function transformGroups(fitted: FittedTransform): { groups: FeatureGroup[]; names: string[]; slots: number[]; leftOut: LeftOutColumn[] } {
  const all = slotNames(fitted);
  const layout = new Map(fitted.features.layout.map((slot) => [slot.name, slot]));
  const groups: FeatureGroup[] = [];
  const names: string[] = [];
  /** Slot of the transform's feature vector behind each matrix column. */
  const slots: number[] = [];
  const leftOut: LeftOutColumn[] = [];
  for (const step of fitted.steps) {
    const slot = layout.get(step.name);
    if (step.kind === 'string' || step.kind === 'tokens' || slot?.size === 0) leftOut.push({ column: step.name, why: 'not-numeric' });
    else if (!slot) leftOut.push({ column: step.name, why: 'not-output' });
    else if (slot.size > MAX_STEP_SLOTS) leftOut.push({ column: step.name, why: 'too-wide' });
    else {
      groups.push({ name: step.name, columns: Array.from({ length: slot.size }, (_, i) => slots.length + i) });
      for (let i = 0; i < slot.size; i++) {
        slots.push(slot.offset + i);
        names.push(all[slot.offset + i]!);
      }
    }
  }
  return { groups, names, slots, leftOut };
}

export interface TransformEncoding {
  split: Split;
  used: { train: Uint32Array; validation: Uint32Array };
  encoded: EncodedSelection;
}

/**
 * The transform's split, the rows used (training rows first in the matrix, then validation, as
 * encodeSelection lays them out) and their transformed features: one pass for the labels (the split),
 * one pass that applies the transform to each batch's chosen rows.
 */
export async function encodeTransform(
  db: PipetteDB,
  meta: DatasetVersion,
  record: TransformRecord & { source: { labelColumn: string } },
  task: Task,
  signal?: AbortSignal,
  onProgress?: (p: SelectProgress) => void,
): Promise<TransformEncoding> {
  const { labelColumn, split: stored } = record.source;
  const split = await splitOfVersion(db, meta, { labelColumn, seed: stored.seed, fractions: stored.fractions }, signal, (rows) => onProgress?.({ phase: 'labels', done: rows, total: meta.rowCount }));
  checkTransformRows(record, split);
  const used = sampleParts(split, split.seed);
  const fitted = record.fitted;
  const { groups, names, slots, leftOut } = transformGroups(fitted);
  const datasetRows = new Uint32Array(used.train.length + used.validation.length);
  datasetRows.set(used.train, 0);
  datasetRows.set(used.validation, used.train.length);
  // the matrix rows in dataset order, to visit each batch once
  const visit = Uint32Array.from(datasetRows.keys()).sort((a, b) => datasetRows[a]! - datasetRows[b]!);
  const n = datasetRows.length;
  const d = slots.length;
  const dim = fitted.features.dim;
  const x = new Float64Array(n * d);
  const labels: (string | number | null)[] = new Array<string | number | null>(meta.rowCount).fill(null);
  const reads = fitted.columns.map((c) => c.name);
  const total = meta.batchRowCounts.length;
  let at = 0;
  let offset = 0;
  let done = 0;
  for await (const batch of versionBatches(db, meta, signal)) {
    let end = at;
    while (end < n && datasetRows[visit[end]!]! < offset + batch.numRows) end++;
    if (end > at) {
      const local = Uint32Array.from(visit.subarray(at, end), (i) => datasetRows[i]! - offset);
      const applied = applyChunk(fitted, takeRows(chunkFromBatch(batch, reads), local));
      const values = labelValues(tableFromBatches([batch], [labelColumn]), labelColumn, task);
      for (let k = 0; k < local.length; k++) {
        const row = visit[at + k]!;
        for (let j = 0; j < d; j++) x[row * d + j] = applied.features[k * dim + slots[j]!]!;
        labels[offset + local[k]!] = values[local[k]!]!;
      }
    }
    at = end;
    offset += batch.numRows;
    onProgress?.({ phase: 'read', done: ++done, total });
  }
  const target = targetOf(labels, task);
  const encoded: EncodedSelection = {
    data: {
      x,
      rows: n,
      cols: d,
      columnNames: names,
      groups,
      target: { ...target, y: Float64Array.from(datasetRows, (r) => target.y[r]!) },
      train: Uint32Array.from({ length: used.train.length }, (_, i) => i),
      validation: Uint32Array.from({ length: used.validation.length }, (_, i) => used.train.length + i),
    },
    features: groups.map((g) => g.name),
    leftOut,
    datasetRows,
  };
  return { split, used, encoded };
}
