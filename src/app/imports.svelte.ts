/**
 * Imports as the page sees them: `ImportTask` is one import in the data worker (a `Job`: progress, cancel,
 * the outcome or the error), and `Importer` is the Data page's import panel, which after an import into a
 * new dataset offers to make it the next version of a dataset with the same columns.
 */
import type { ImportProgress, SourceFormat } from '../core/data/types';
import { DataError } from '../core/data/errors';
import type { ImportOutcome } from '../protocol/data';
import { listVersions, moveVersionToDataset, sameColumns } from '../store/datasets';
import { db, type Dataset } from '../store/db';
import { router } from './router.svelte';
import { settings } from './settings.svelte';
import { t } from './i18n.svelte';
import { dataWorker } from './workers';
import { Job } from './workers/job.svelte';

/**
 * A file picked from a folder knows its path only as webkitRelativePath, which does not survive the trip
 * to the worker; the image importer takes labels from the folder names, so name the file by its path.
 * Wrapping a File in a File shares its bytes, it does not copy them.
 */
function withFolderPath(file: File): File {
  return file.webkitRelativePath ? new File([file], file.webkitRelativePath, { type: file.type, lastModified: file.lastModified }) : file;
}

export class ImportTask {
  readonly #job = new Job<ImportOutcome, ImportProgress>(dataWorker);
  /** The file's name, or how many files. */
  label = $state('');
  #totalBytes = $state(0);

  get running(): boolean {
    return this.#job.running;
  }
  /** Bytes read and rows written; before the worker's first report, nothing of the files' total. */
  get progress(): ImportProgress {
    return this.#job.progress ?? { bytes: 0, total: this.#totalBytes, rows: 0 };
  }
  get outcome(): ImportOutcome | null {
    return this.#job.result;
  }
  get error(): unknown {
    return this.#job.error;
  }
  /** The person cancelled: the import service ends a cancelled import with DataError 'cancelled'. */
  get cancelled(): boolean {
    const e = this.#job.error;
    return this.#job.cancelled || (e instanceof DataError && e.code === 'cancelled');
  }

  /** Import files (one import at a time: a call while one runs does nothing). */
  async start(projectId: string, files: File[], target: { datasetId?: string; datasetName?: string }, format?: SourceFormat): Promise<ImportOutcome | null> {
    if (this.running || files.length === 0) return null;
    this.label = files.length === 1 ? files[0]!.name : t('data.nFiles', { count: files.length });
    this.#totalBytes = files.reduce((s, f) => s + f.size, 0);
    const req = { projectId, files: files.map(withFolderPath), ...target, format, maxBytes: settings.maxImportBytes };
    return this.#job.start((jobId, onProgress) => dataWorker.api.importFiles({ jobId, ...req }, onProgress));
  }

  cancel(): void {
    this.#job.cancel();
  }
}

/** The offer to make a freshly imported dataset the next version of another one. */
export interface Proposal {
  versionId: string;
  dataset: Dataset;
  /** The version number it would get. */
  next: number;
}

export class Importer {
  readonly task = new ImportTask();
  /** '' imports into a new dataset; a dataset id makes the import its next version. */
  target = $state('');
  proposal = $state.raw<Proposal | null>(null);
  proposalError = $state.raw<unknown>(null);

  constructor(private readonly props: () => { projectId: string; datasets: Dataset[] }) {}

  async run(files: File[], format?: 'images'): Promise<void> {
    if (files.length === 0) return;
    const { projectId } = this.props();
    this.proposal = null;
    this.proposalError = null;
    const intoNew = !this.target;
    const out = await this.task.start(projectId, files, this.target ? { datasetId: this.target } : {}, format);
    if (!out) return;
    router.go({ page: 'project', projectId, stage: 'data', versionId: out.versionId });
    if (intoNew) this.proposal = await this.#matchingDataset(out.versionId, out.datasetId, out.summary.columns);
  }

  /** The dataset (of the others in this project) whose newest version has the same columns, if exactly one does. */
  async #matchingDataset(versionId: string, datasetId: string, columns: { name: string; type: string }[]): Promise<Proposal | null> {
    const { projectId, datasets } = this.props();
    const versions = await listVersions(db(), projectId);
    const matches: Proposal[] = [];
    for (const d of datasets) {
      if (d.id === datasetId) continue;
      const own = versions.filter((v) => v.datasetId === d.id);
      const newest = own.reduce<(typeof own)[number] | null>((a, v) => (a && a.version > v.version ? a : v), null);
      if (newest && sameColumns(newest.columns, columns)) matches.push({ versionId, dataset: d, next: newest.version + 1 });
    }
    return matches.length === 1 ? matches[0]! : null;
  }

  async acceptProposal(): Promise<void> {
    const proposal = this.proposal;
    if (!proposal) return;
    this.proposalError = null;
    try {
      const moved = await moveVersionToDataset(db(), proposal.versionId, proposal.dataset.id);
      this.proposal = null;
      router.go({ page: 'project', projectId: this.props().projectId, stage: 'data', versionId: moved.id });
    } catch (e) {
      this.proposalError = e;
    }
  }

  dismissProposal(): void {
    this.proposal = null;
  }
}
