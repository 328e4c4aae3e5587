/** The data worker's API, as the page sees it. The worker (workers/data.worker.ts) implements it. */
import type { Cell } from '../core/table/view';
import type { ColumnInfo, ImportProgress, ImportSummary, SourceFormat } from '../core/data/types';
import type { ValidateApi } from './validate';
import type { LabelApi } from './label';
import type { TransformApi } from './transform';
import type { SelectApi } from './select';
import type { ProjectFileApi } from './project-file';
import type { MonitoringApi } from './monitoring';

export interface ImportRequest {
  /** Chosen by the page so it can cancel the job. */
  jobId: string;
  projectId: string;
  files: File[];
  /** Add as a new version of this dataset, or create a new dataset with this name (default: file name). */
  datasetId?: string;
  datasetName?: string;
  /** Import size limit in bytes (settings). */
  maxBytes?: number;
  /** Skip format detection: 'images' for a picked folder. */
  format?: SourceFormat;
}

export interface ImportOutcome {
  versionId: string;
  datasetId: string;
  summary: ImportSummary;
}

/** A cell as the table shows it (defined in core, where the rows are read). */
export type { Cell } from '../core/table/view';

export interface SortSpec {
  column: string;
  descending: boolean;
}

export interface RowPage {
  start: number;
  /** Row numbers in the version (0-based) of each row, so the table can show them when sorted. */
  rowNumbers: number[];
  rows: Cell[][];
}

export type ExportFormat = 'csv' | 'arrow' | 'parquet';

export interface ExportedFile {
  fileName: string;
  mime: string;
  bytes: Uint8Array;
}

export interface DemoDatasetInfo {
  key: string;
  name: string;
  rows: number;
}

export interface DataWorkerApi extends ValidateApi, LabelApi, TransformApi, SelectApi, MonitoringApi, ProjectFileApi {
  /** Nothing runs and no labeling-function result waits for its Save: the page may stop this worker. */
  idle(): Promise<boolean>;
  importFiles(req: ImportRequest, onProgress: (p: ImportProgress) => void): Promise<ImportOutcome>;
  /** Create the demo project's datasets from the bundled demo files (through the same import path). */
  importDemo(jobId: string, projectId: string, demoBaseUrl: string, onProgress: (done: number, total: number, name: string) => void): Promise<ImportOutcome[]>;
  /** Rows [start, start+count) of a version, in sorted order when sort is given. */
  getRows(versionId: string, start: number, count: number, sort?: SortSpec): Promise<RowPage>;
  exportVersion(versionId: string, format: ExportFormat): Promise<ExportedFile>;
  describe(versionId: string): Promise<{ rowCount: number; columns: ColumnInfo[] }>;
  /** Repair after a crash or closed tab: drop half-written versions, mark lost jobs interrupted. */
  sweep(): Promise<{ versions: number; jobs: number }>;
  cancel(jobId: string): Promise<boolean>;
}
