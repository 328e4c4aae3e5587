/** Records of the Label stage (issue 5). */

/** A project's classes and written labeling instructions (guidelines). Versioned like everything else. */
export interface LabelSchemaRecord {
  id: string;
  projectId: string;
  version: number;
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
}

/** An immutable label-set version: manual labels, or probabilistic labels from a label model. */
export interface LabelSetRecord {
  id: string;
  projectId: string;
  datasetVersionId: string;
  version: number;
  parentId: string | null;
  kind: 'manual' | 'majority-vote' | 'label-model';
  classes: string[];
  /** Rows labelled, label per row (and probabilities n x k for weak labels), who and when. */
  data: unknown;
  note: string;
  createdAt: number;
}

/** A labeling function: no-code (keyword, regex, threshold) or JavaScript source. */
export interface LabelingFunctionRecord {
  id: string;
  projectId: string;
  name: string;
  spec: unknown;
  createdAt: number;
  updatedAt: number;
}
