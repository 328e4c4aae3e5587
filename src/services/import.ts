/**
 * An import from files into a new dataset version: a job row, the writer's lock (so a closed tab is
 * detected and cleaned up), batches streamed into the store as the parser makes them, and one commit.
 * On any failure or cancel the partial version is removed: nothing half written is ever visible.
 */
import { DataError } from '../core/data/errors';
import { importSources } from '../core/data/import';
import type { ImageCheck, ImportProgress, ImportSource, SourceFormat, SourceInfo } from '../core/data/types';
import type { ImportOutcome } from '../protocol/data';
import { VersionWriter } from '../store/datasets';
import type { PipetteDB } from '../store/db';
import { createJob, updateJob } from '../store/jobs';
import { holdingWriterLock } from '../store/sweep';

export interface StoreImportRequest {
  jobId: string;
  projectId: string;
  sources: ImportSource[];
  datasetId?: string;
  datasetName?: string;
  maxBytes?: number;
  format?: SourceFormat;
  kind?: 'import' | 'demo';
}

/**
 * The browser's image decoder (workers have createImageBitmap), so an image import keeps only images the
 * app can show and train on. Node has none: there images are checked by their header alone.
 */
export const browserImageCheck: ImageCheck | undefined =
  typeof createImageBitmap === 'function'
    ? async (bytes) => {
        try {
          (await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]))).close();
          return null;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      }
    : undefined;

function describeSources(sources: ImportSource[]): string {
  const first = sources[0]?.name ?? '';
  return sources.length === 1 ? first : `${sources.length} files (${first}, …)`;
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string; inner?: { name?: string } })?.name;
  const inner = (e as { inner?: { name?: string } })?.inner?.name;
  return name === 'QuotaExceededError' || inner === 'QuotaExceededError';
}

export async function importIntoStore(
  db: PipetteDB,
  req: StoreImportRequest,
  signal: AbortSignal,
  onProgress: (p: ImportProgress) => void,
  checkImage: ImageCheck | undefined = browserImageCheck,
): Promise<ImportOutcome> {
  const label = describeSources(req.sources);
  const size = req.sources.reduce((s, f) => s + f.size, 0);
  return holdingWriterLock(req.jobId, async () => {
    await createJob(db, { id: req.jobId, projectId: req.projectId, kind: req.kind ?? 'import', label });
    const writer = new VersionWriter(db, { projectId: req.projectId, datasetId: req.datasetId, datasetName: req.datasetName });
    return holdingWriterLock(writer.versionId, async () => {
      try {
        const pending: SourceInfo = { fileName: label, size, format: 'csv' };
        await writer.begin(pending);
        const summary = await importSources(req.sources, writer, { signal, onProgress, maxBytes: req.maxBytes, format: req.format, checkImage });
        const version = await writer.commit(summary, { fileName: label, size, format: summary.format });
        await updateJob(db, req.jobId, { status: 'done', progress: 1, output: { versionId: version.id, datasetId: version.datasetId } });
        return { versionId: version.id, datasetId: version.datasetId, summary };
      } catch (e) {
        await writer.abort();
        const error = isQuotaError(e) ? new DataError('storage-full', { file: label }, 'the browser storage quota is exhausted') : e;
        const cancelled = error instanceof DataError && error.code === 'cancelled';
        await updateJob(db, req.jobId, {
          status: cancelled ? 'cancelled' : 'failed',
          error: error instanceof DataError ? error.toJSON() : { message: String((error as Error)?.message ?? error) },
        });
        throw error;
      }
    });
  });
}
