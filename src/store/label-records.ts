/** Records of the Label stage (issue 5). */
import type { LfSpec } from '../core/label/lf';

/** A project's classes and written labeling instructions (guidelines). Versioned like everything else. */
export interface LabelSchemaRecord {
  id: string;
  projectId: string;
  version: number;
  parentId?: string | null;
  classes: string[];
  instructions: string;
  createdAt: number;
}

/**
 * One label given in the labeling queue: an append-only log (undo appends a retraction), so nothing
 * a person did is lost and "who labeled what, when" is always known.
 */
export interface LabelEventRecord {
  seq?: number;
  projectId: string;
  datasetVersionId: string;
  labeler: string;
  row: number;
  /** Class index, or null for a retraction (undo / skip). */
  label: number | null;
  at: number;
  /** Set on an undo: the seq of the event it takes back (so undo keeps working after a reload). */
  undoes?: number;
}

/** Manual labels: one entry per labeled row, with who and when (the labeler's latest event wins). */
export interface ManualLabelData {
  schemaId: string | null;
  rows: Int32Array;
  labels: Int32Array;
  labelers: string[];
  at: Float64Array;
}

/** Weak labels from labeling functions: covered rows only (rows where every function abstained are left out). */
export interface WeakLabelData {
  schemaId: string | null;
  rows: Int32Array;
  /** The most likely class per row. */
  labels: Int32Array;
  /** rows.length x k, row-major (majority vote: the vote shares). */
  probs: Float32Array;
  /** The functions that voted, by id and name, as they were when this was computed. */
  lfs: { id: string; name: string }[];
  /**
   * rows.length x lfs.length, row-major: each function's vote on each row (-1 = abstain), so majority vote
   * can be scored later on any of these rows (the Train stage's comparison). Absent in older sets.
   */
  votes?: Int8Array | Int16Array;
  /** Per function: the label model's estimated accuracy (label-model only). */
  estimatedAccuracy?: number[];
}

/** An immutable label-set version: manual labels, or probabilistic labels from a label model. */
export type LabelSetRecord = {
  id: string;
  projectId: string;
  datasetVersionId: string;
  /** 1, 2, 3 ... within the dataset version. */
  version: number;
  parentId: string | null;
  classes: string[];
  note: string;
  createdAt: number;
} & ({ kind: 'manual'; data: ManualLabelData } | { kind: 'majority-vote' | 'label-model'; data: WeakLabelData });

/** A labeling function: no-code (keyword, regex, threshold) or JavaScript source. */
export interface LabelingFunctionRecord {
  id: string;
  projectId: string;
  name: string;
  /** spec.id === id and spec.name === name. */
  spec: LfSpec;
  createdAt: number;
  updatedAt: number;
}
