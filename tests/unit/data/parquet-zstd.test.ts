import { describe, expect, it } from 'vitest';
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { importParquet } from '../../../src/core/data/parquet';
import type { BatchSink, EncodedBatch } from '../../../src/core/data/types';

describe('ZSTD-compressed Parquet', () => {
  it("reads the first row group of vega-datasets' flights-3m.parquet (ZSTD) in batches", async () => {
    const path = join(process.cwd(), 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');
    const blob = await openAsBlob(path);
    const file = Object.assign(blob, { name: 'flights-3m.parquet' }) as unknown as File;
    const controller = new AbortController();
    const batches: EncodedBatch[] = [];
    // Stop after the first batch: enough to prove the pages decompress; the whole file is the bench's job.
    const sink: BatchSink = {
      async write(b) {
        batches.push(b);
        controller.abort();
      },
      async reset() {},
    };
    await importParquet(file, sink, { signal: controller.signal, batchRows: 65_536 }).catch((e: { code?: string }) => {
      if (e.code !== 'cancelled') throw e;
    });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.rowCount).toBe(65_536);
  });
});
