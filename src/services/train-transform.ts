/**
 * Training on a transform version (issue 13): its fitted transform becomes the run's one feature, and the
 * run must split its rows exactly as the transform's analysis did. A transform's analyzers read the
 * training part of one split only; a run on another split would test on rows whose values shaped the
 * transform (a mean, a vocabulary), so any difference is refused, naming what differs.
 */
import type { FeatureChoice } from '../core/model/preprocess';
import { trainErrorWhy } from '../core/model/errors';
import { missing } from '../core/record-error';
import type { Split } from '../core/model/split';
import type { PipetteDB } from '../store/db';
import type { TransformRecord } from '../store/transform-records';

/** The transform version a run trains on, or a RecordError when it was deleted. */
export async function loadTransform(db: PipetteDB, id: string): Promise<TransformRecord> {
  const record = await db.transforms.get(id);
  if (!record) throw missing('transform', id, `The transform this run trains on (${id}) does not exist`);
  return record;
}

/** The transform's name as people see it: "penguins-prep v2". */
export function transformLabel(record: Pick<TransformRecord, 'name' | 'version'>): string {
  return `${record.name} v${record.version}`;
}

/** The feature choice of a run on this transform: its outputs (or the chosen ones of them) are the features. */
export function transformChoice(record: TransformRecord, outputs?: readonly string[] | null): FeatureChoice {
  const transform = { id: record.id, name: record.name, version: record.version };
  return { column: transformLabel(record), encoding: 'transform', transform, fitted: record.fitted, ...(outputs ? { outputs: [...outputs] } : {}) };
}

export interface TransformRun {
  datasetVersionId: string;
  label: string;
  labelTask: 'classification' | 'regression';
  split: { seed: number; fractions: { train: number; validation: number; test: number } };
}

/**
 * The run's settings against the transform's split, before any rows are read: the same dataset version,
 * label column, seed and fractions, and a task that stratifies as the transform's split did.
 */
export function checkTransformSettings(record: TransformRecord, run: TransformRun): void {
  const source = record.source;
  const bad = (why: Parameters<typeof trainErrorWhy<'bad-split'>>[1], params: Record<string, string | number>, message: string) =>
    trainErrorWhy('bad-split', why, { params }, `Transform ${transformLabel(record)}: ${message}`);
  if (source.datasetVersionId !== run.datasetVersionId) throw bad('transform-version', {}, 'it was analyzed on another dataset version');
  if (source.labelColumn === null) throw bad('transform-no-label', { label: run.label }, 'its split has no label column');
  if (source.labelColumn !== run.label) throw bad('transform-label', { label: run.label, expected: source.labelColumn }, `its split is by "${source.labelColumn}", the run's by "${run.label}"`);
  if (source.split.seed >>> 0 !== run.split.seed >>> 0) throw bad('transform-seed', { seed: run.split.seed, expected: source.split.seed }, `its split has seed ${source.split.seed}, the run ${run.split.seed}`);
  const f = source.split.fractions;
  const g = run.split.fractions;
  if (Math.abs(f.train - g.train) > 1e-9 || Math.abs(f.validation - g.validation) > 1e-9 || Math.abs(f.test - g.test) > 1e-9) throw bad('transform-fractions', {}, 'its split has other fractions');
  const stratified = run.labelTask === 'classification';
  if (source.split.stratified !== stratified) {
    throw bad('transform-stratified', { stratified: String(source.split.stratified), task: run.labelTask }, `its split was ${source.split.stratified ? '' : 'not '}stratified, which a ${run.labelTask} run does not match`);
  }
}

/** The run's split against the transform's: the same rows in each part (the counts tell, seed and fractions being equal). */
export function checkTransformRows(record: TransformRecord, split: Split): void {
  const expected = record.source.split.counts;
  const parts = ['train', 'validation', 'test', 'excluded'] as const;
  if (parts.every((p) => split[p].length === expected[p])) return;
  throw trainErrorWhy(
    'bad-split',
    'transform-rows',
    { params: { train: split.train.length, expected: expected.train } },
    `Transform ${transformLabel(record)} was analyzed on ${expected.train} training rows, this run's split has ${split.train.length}`,
  );
}
