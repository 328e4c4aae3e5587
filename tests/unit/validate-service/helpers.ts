/** Store fixtures for the validate service tests: versions written the way the importer writes them. */
import { buildBatch, encodeBatch, type NamedColumn } from '../../../src/core/data/arrow';
import type { ColumnType } from '../../../src/core/data/types';
import { importIntoStore } from '../../../src/services/import';
import { VersionWriter } from '../../../src/store/datasets';
import type { PipetteDB } from '../../../src/store/db';

export type Value = number | string | boolean | Uint8Array | null;

export interface Col {
  name: string;
  type: ColumnType;
  values: Value[];
}

function bitmap(values: readonly Value[]): Uint8Array | null {
  if (values.every((v) => v !== null)) return null;
  const bits = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

/** One column of rows [start, end) in the physical form of arrow.ts. */
function named(c: Col, start: number, end: number): NamedColumn {
  const vs = c.values.slice(start, end);
  switch (c.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return { name: c.name, values: { type: c.type, values: Float64Array.from(vs, (v) => (v === null ? NaN : (v as number))), validity: bitmap(vs) } };
    case 'boolean':
      return { name: c.name, values: { type: 'boolean', values: Uint8Array.from(vs, (v) => (v ? 1 : 0)), validity: bitmap(vs) } };
    case 'categorical': {
      const dictionary = [...new Set(vs.filter((v): v is string => v !== null))];
      const indices = Int32Array.from(vs, (v) => (v === null ? 0 : dictionary.indexOf(v as string)));
      return { name: c.name, values: { type: 'categorical', indices, dictionary, validity: bitmap(vs) } };
    }
    case 'text':
      return { name: c.name, values: { type: 'text', values: vs as (string | null)[] } };
    case 'image':
      return { name: c.name, values: { type: 'image', values: vs as (Uint8Array | null)[] } };
  }
}

/** Write a committed version of `columns`, split into record batches of `batchRows` rows. */
export async function writeVersion(db: PipetteDB, projectId: string, columns: Col[], batchRows = 65_536, datasetId?: string): Promise<{ versionId: string; datasetId: string }> {
  const rows = columns[0]?.values.length ?? 0;
  const writer = new VersionWriter(db, { projectId, datasetId, datasetName: 'fixture' });
  const source = { fileName: 'fixture.arrow', size: 0, format: 'arrow' as const };
  await writer.begin(source);
  let index = 0;
  for (let start = 0; start < rows; start += batchRows) {
    const end = Math.min(rows, start + batchRows);
    const batch = buildBatch(
      columns.map((c) => named(c, start, end)),
      end - start,
    );
    await writer.write({ index: index++, rowCount: end - start, ipc: encodeBatch(batch) });
  }
  const summary = {
    format: 'arrow' as const,
    rowCount: rows,
    columns: columns.map((c) => ({ name: c.name, type: c.type, nullCount: c.values.filter((v) => v === null).length })),
    warnings: [],
  };
  const v = await writer.commit(summary, source);
  return { versionId: v.id, datasetId: v.datasetId };
}

/** Import CSV text through the app's import path. */
export async function importCsv(db: PipetteDB, projectId: string, name: string, text: string, datasetId?: string) {
  return importIntoStore(db, { jobId: crypto.randomUUID(), projectId, sources: [new File([text], name)], datasetId }, new AbortController().signal, () => {});
}
