/** A stored version as a downloadable file: CSV, Arrow IPC file or Parquet. */
import { exportArrow, exportCsv, exportParquet } from '../core/data/export';
import type { ColumnInfo } from '../core/data/types';
import type { ExportFormat, ExportedFile } from '../protocol/data';

export async function exportVersion(
  batches: Uint8Array[],
  columns: ColumnInfo[],
  format: ExportFormat,
  baseName: string,
): Promise<ExportedFile> {
  const safe = baseName.replace(/[\\/:*?"<>|]+/g, '_');
  switch (format) {
    case 'csv': {
      const parts: BlobPart[] = [];
      for await (const chunk of exportCsv(batches, columns)) parts.push(chunk as BlobPart);
      const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
      return { fileName: `${safe}.csv`, mime: 'text/csv', bytes };
    }
    case 'arrow':
      return { fileName: `${safe}.arrow`, mime: 'application/vnd.apache.arrow.file', bytes: exportArrow(batches) };
    case 'parquet':
      return { fileName: `${safe}.parquet`, mime: 'application/vnd.apache.parquet', bytes: await exportParquet(batches, columns) };
  }
}
