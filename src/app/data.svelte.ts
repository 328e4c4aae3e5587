/**
 * Page state of the Data stage: the project's datasets and versions, import jobs a closed tab left behind,
 * export of a version, and deleting a dataset. Create it while a component initializes (it holds live
 * queries and an effect).
 */
import type { ExportFormat } from '../protocol/data';
import { deleteDataset, listVersions } from '../store/datasets';
import { db, type Dataset, type DatasetVersion, type Job as JobRecord } from '../store/db';
import { sweepJobWhenFree } from '../store/sweep';
import { downloadBlob } from './download';
import { live, type Live } from './live.svelte';
import { dataWorker } from './workers';

export class DataPageState {
  readonly datasets: Live<Dataset[]>;
  readonly versions: Live<DatasetVersion[]>;
  /** Imports a closed tab left unfinished, to be dismissed. */
  readonly interrupted: Live<JobRecord[]>;
  exporting = $state<ExportFormat | null>(null);
  exportError = $state.raw<unknown>(null);

  constructor(projectId: () => string) {
    this.datasets = live(() => db().datasets.where('projectId').equals(projectId()).sortBy('createdAt'), [] as Dataset[]);
    this.versions = live(() => listVersions(db(), projectId()), [] as DatasetVersion[]);
    this.interrupted = live(() => db().jobs.where('projectId').equals(projectId()).filter((j) => j.status === 'interrupted').toArray(), [] as JobRecord[]);

    // imports still marked running: wait for their writer locks (a reload can outrun the old page's worker)
    const running = live(() => db().jobs.where('projectId').equals(projectId()).filter((j) => j.status === 'running' || j.status === 'queued').toArray(), [] as JobRecord[]);
    const watched = new Set<string>();
    $effect(() => {
      for (const job of running.value) {
        if (watched.has(job.id)) continue;
        watched.add(job.id);
        void sweepJobWhenFree(db(), job.id)
          .catch((e) => console.error('sweep failed', e))
          .finally(() => watched.delete(job.id));
      }
    });
  }

  /** Export a version in the data worker and offer the file as a download. */
  async exportVersion(versionId: string, format: ExportFormat): Promise<void> {
    this.exporting = format;
    this.exportError = null;
    try {
      const file = await dataWorker.api.exportVersion(versionId, format);
      downloadBlob(file.fileName, new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mime }));
    } catch (e) {
      this.exportError = e;
    } finally {
      this.exporting = null;
    }
  }

  deleteDataset(id: string): Promise<void> {
    return deleteDataset(db(), id);
  }

  async dismissInterrupted(jobId: string): Promise<void> {
    await db().jobs.delete(jobId);
  }
}
