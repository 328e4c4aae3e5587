/** An import as the page sees it: progress from the data worker, cancel, and the outcome or error. */
import * as Comlink from 'comlink';
import type { ImportProgress, SourceFormat } from '../core/data/types';
import type { ImportOutcome } from '../protocol/data';
import { dataWorker } from './workers';
import { settings } from './settings.svelte';

/**
 * A file picked from a folder knows its path only as webkitRelativePath, which does not survive the trip
 * to the worker; the image importer takes labels from the folder names, so name the file by its path.
 * Wrapping a File in a File shares its bytes, it does not copy them.
 */
function withFolderPath(file: File): File {
  return file.webkitRelativePath ? new File([file], file.webkitRelativePath, { type: file.type, lastModified: file.lastModified }) : file;
}

export class ImportTask {
  running = $state(false);
  progress = $state.raw<ImportProgress>({ bytes: 0, total: 0, rows: 0 });
  label = $state('');
  outcome = $state.raw<ImportOutcome | null>(null);
  error = $state.raw<unknown>(null);
  #jobId = '';

  async start(
    projectId: string,
    files: File[],
    target: { datasetId?: string; datasetName?: string },
    format?: SourceFormat,
  ): Promise<void> {
    if (this.running || files.length === 0) return;
    this.#jobId = crypto.randomUUID();
    this.running = true;
    this.outcome = null;
    this.error = null;
    this.label = files.length === 1 ? files[0].name : `${files.length} files`;
    this.progress = { bytes: 0, total: files.reduce((s, f) => s + f.size, 0), rows: 0 };
    try {
      this.outcome = await dataWorker.api.importFiles(
        { jobId: this.#jobId, projectId, files: files.map(withFolderPath), ...target, format, maxBytes: settings.maxImportBytes },
        Comlink.proxy((p: ImportProgress) => {
          this.progress = p;
        }),
      );
    } catch (e) {
      this.error = e;
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    if (this.running) void dataWorker.api.cancel(this.#jobId);
  }
}
