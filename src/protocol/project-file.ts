/** A project in one file (issue 18): the data worker's export and import, as the page calls them. */
import type { Workshop } from '../core/project-file/manifest';

export interface ProjectExportRequest {
  jobId: string;
  projectId: string;
  /**
   * A workshop file: the project as prepared, with the lessons chosen on the Lessons page and without the
   * teacher's own progress; students who open it start at the first chosen lesson.
   */
  workshop?: boolean;
}

export interface ProjectFileProgress {
  /** 0..1 */
  fraction: number;
  /** The table being written or read. */
  table: string;
}

export interface ProjectExport {
  /** A zip assembled from Blobs (the browser may keep them on disk). */
  file: Blob;
  fileName: string;
  /** Records per table. */
  counts: Record<string, number>;
}

export interface ProjectImportRequest {
  jobId: string;
  file: Blob;
  fileName: string;
}

export interface ProjectImportOutcome {
  projectId: string;
  name: string;
  workshop?: Workshop;
  counts: Record<string, number>;
}

export interface ProjectFileApi {
  exportProject(req: ProjectExportRequest, onProgress?: (p: ProjectFileProgress) => unknown): Promise<ProjectExport>;
  /** Refused files throw a ProjectFileError naming the entry, table and record; nothing is written then. */
  importProject(req: ProjectImportRequest, onProgress?: (p: ProjectFileProgress) => unknown): Promise<ProjectImportOutcome>;
}
