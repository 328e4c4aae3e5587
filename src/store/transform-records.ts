/**
 * Records of the Transform stage (issue 13): immutable transform versions. A version is a spec fitted on
 * the training split of one dataset version (tf.Transform's analyze phase), kept with its analyzers'
 * outputs so that training, evaluation and serving apply the same fixed function. Types only come from
 * core, so the page can import these without loading TF.js or Arrow.
 */
import type { SplitRecord } from '../core/model/split';
import type { FittedTransform } from '../core/transform/fitted';
import type { StatsLeftOut } from '../core/transform/rows';
import type { DatasetStats } from '../core/validate/stats';

/** A step the statistics leave out (core/transform/rows.ts). */
export type { StatsLeftOut };

/** Lineage: the rows the analyzers read. */
export interface TransformSource {
  datasetVersionId: string;
  /**
   * The split whose training part was analyzed: the same seed, fractions and label give the Train stage
   * the same rows, so a model trained on this transform never sees statistics of its own test rows.
   */
  split: SplitRecord;
  /** The column the split is stratified by (and the model's label); null: an unstratified split. */
  labelColumn: string | null;
}

/** Where the fitted state came from: analyzed here, or a transform.json imported as it was. */
export type TransformOrigin = { kind: 'analyzed' } | { kind: 'imported'; fileName: string };

export interface TransformRecord {
  id: string;
  projectId: string;
  /** Shared by a transform's versions. */
  name: string;
  /** 1, 2, 3 ... within its name in the project. */
  version: number;
  /** The version this one was edited from, if any. */
  parentId: string | null;
  source: TransformSource;
  /** The spec with its analyzers' outputs: what is applied, and what a model bundle ships (transform.json). */
  fitted: FittedTransform;
  /**
   * Statistics of the transformed training rows (the Validate stage's overview): one column per number or
   * index step (an index of -1, none, counts as missing), one per slot of a narrow multi-slot step.
   */
  stats: DatasetStats;
  /** Steps the statistics leave out, and why. */
  statsLeftOut: StatsLeftOut[];
  /**
   * Analyzed: the fitted state was computed on source's training rows. Imported: it was kept as the file
   * had it, and source names the rows its statistics describe.
   */
  origin: TransformOrigin;
  /** Seconds the analyze and statistics passes took in the worker. */
  seconds: number;
  /** Of those, each phase's seconds (an analyzed version; the transform bench reads them). */
  timings?: TransformTimings;
  createdAt: number;
}

/** Phases of an analyze: the split (reading the label), the analyzers' passes, the statistics pass (apply + accumulate). */
export interface TransformTimings {
  split: number;
  fit: number;
  stats: number;
}
