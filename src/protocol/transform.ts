/**
 * The Transform stage's part of the data worker API (services/transform.ts does the work). Type-only
 * imports: the page gets plain JSON and never loads Arrow.
 *
 * Long calls take a job id (the page passes it to `cancel(jobId)`) and an optional progress callback
 * (a Comlink.proxy). A cancelled call rejects with an Error named 'AbortError' and writes nothing.
 */
import type { SplitFractions } from '../core/model/split';
import type { SpecColumn } from '../core/transform/check';
import type { ValueKind } from '../core/transform/spec';
import type { TransformRecord } from '../store/transform-records';

/** The data a transform is analyzed on: a dataset version, split as the Train stage splits it. */
export interface TransformDataChoice {
  projectId: string;
  datasetVersionId: string;
  /** The label column: the split is stratified by it when it is a class (not a number); null: no label. */
  labelColumn: string | null;
  /** Default 42, the Train stage's. */
  seed?: number;
  /** Default 0.7 / 0.15 / 0.15, the Train stage's. */
  fractions?: SplitFractions;
}

export interface AnalyzeRequest extends TransformDataChoice {
  jobId: string;
  /** Shared by a transform's versions; the new version is numbered within it. */
  name: string;
  /** The version this one was edited from. */
  parentId: string | null;
  /** The spec as JSON (checked before any row is read). */
  spec: unknown;
}

export interface TransformImportRequest extends TransformDataChoice {
  jobId: string;
  name: string;
  fileName: string;
  /** A transform.json's text: kept as it is, its statistics computed on the chosen training rows. */
  text: string;
}

export interface AnalyzeProgress {
  /** labels: reading the label column for the split; fit: an analyzer pass; stats: the transformed rows' statistics. */
  phase: 'labels' | 'fit' | 'stats';
  /** The fitting pass (1-based) and how many there are; 0 outside fitting. */
  pass: number;
  passes: number;
  rows: number;
  /** Rows the phase reads: the version's for labels, the training rows' otherwise. */
  totalRows: number;
}

/** A transformed value as the preview shows it: null for a missing number. */
export type PreviewValue = number | null | string[] | number[] | { indices: number[]; weights: number[] };

export interface TransformPreview {
  transformId: string;
  /** The raw columns the transform reads. */
  columns: SpecColumn[];
  steps: { name: string; op: string; kind: ValueKind; size: number; output: boolean }[];
  /** Row number (1-based) in the dataset version, its raw cells (by columns) and its values (by steps). */
  rows: { row: number; raw: (number | string | null)[]; values: PreviewValue[] }[];
}

export interface TransformApi {
  /** Check a spec, fit it on the training rows, compute the transformed rows' statistics, store a version. */
  analyzeTransform(req: AnalyzeRequest, onProgress?: (p: AnalyzeProgress) => void): Promise<TransformRecord>;
  /** Store a transform.json as a version as it is (its statistics on the chosen training rows). */
  importTransform(req: TransformImportRequest, onProgress?: (p: AnalyzeProgress) => void): Promise<TransformRecord>;
  /** The first rows of the version's dataset version: raw cells next to every step's value. */
  previewTransform(transformId: string, rows: number): Promise<TransformPreview>;
  /** transform.json: the fitted transform. */
  exportTransform(transformId: string): Promise<{ fileName: string; text: string }>;
}
