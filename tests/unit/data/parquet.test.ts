import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { buildBatch, encodeBatch } from '../../../src/core/data/arrow';
import { exportParquet } from '../../../src/core/data/export';
import { importParquet, PARQUET_TYPES_KEY } from '../../../src/core/data/parquet';
import { encodePng } from '../../../src/core/data/png';
import { chunkedSource, expectDataError, importOne, MemorySink, source } from './helpers';

function bits(present: boolean[]): Uint8Array {
  const b = new Uint8Array((present.length + 7) >> 3);
  present.forEach((p, i) => {
    if (p) b[i >> 3]! |= 1 << (i & 7);
  });
  return b;
}

const png = encodePng(new Uint8Array([1, 2, 3, 4]), 2, 2, 1);

function ourBatches(): Uint8Array[] {
  const v = bits([true, false, true]);
  const a = buildBatch(
    [
      { name: 'num', values: { type: 'number', values: new Float64Array([1.5, NaN, -3]), validity: v } },
      { name: 'int', values: { type: 'integer', values: new Float64Array([7, NaN, -9007199254740991]), validity: v } },
      { name: 'cat', values: { type: 'categorical', indices: new Int32Array([1, 0, 1]), dictionary: ['a', 'b'], validity: v } },
      { name: 'txt', values: { type: 'text', values: ['héllo', null, ''] } },
      { name: 'ok', values: { type: 'boolean', values: new Uint8Array([1, 0, 0]), validity: v } },
      { name: 'at', values: { type: 'datetime', values: new Float64Array([Date.UTC(2020, 5, 1, 2, 3, 4, 5), NaN, -1]), validity: v } },
      { name: 'img', values: { type: 'image', values: [png, null, png] } },
    ],
    3,
  );
  const b = buildBatch(
    [
      { name: 'num', values: { type: 'number', values: new Float64Array([0.25]), validity: null } },
      { name: 'int', values: { type: 'integer', values: new Float64Array([1]), validity: null } },
      { name: 'cat', values: { type: 'categorical', indices: new Int32Array([0]), dictionary: ['c'], validity: null } },
      { name: 'txt', values: { type: 'text', values: ['z'] } },
      { name: 'ok', values: { type: 'boolean', values: new Uint8Array([1]), validity: null } },
      { name: 'at', values: { type: 'datetime', values: new Float64Array([0]), validity: null } },
      { name: 'img', values: { type: 'image', values: [png] } },
    ],
    1,
  );
  return [encodeBatch(a), encodeBatch(b)];
}

describe('Parquet', () => {
  it('round-trips our batches: write then read gives the same table and types', async () => {
    const bytes = await exportParquet(ourBatches());
    const md = parquetMetadata(bytes);
    // one row group per batch, and our types in the key-value metadata
    expect(md.row_groups.map((g) => Number(g.num_rows))).toEqual([3, 1]);
    expect(md.key_value_metadata?.find((k) => k.key === PARQUET_TYPES_KEY)?.value).toContain('"cat":"categorical"');
    const { summary, table, types } = await importOne(source('out.parquet', bytes));
    expect(summary.format).toBe('parquet');
    expect(types).toEqual({ num: 'number', int: 'integer', cat: 'categorical', txt: 'text', ok: 'boolean', at: 'datetime', img: 'image' });
    expect(table).toEqual({
      num: [1.5, null, -3, 0.25],
      int: [7, null, -9007199254740991, 1],
      cat: ['b', null, 'b', 'c'],
      txt: ['héllo', null, '', 'z'],
      ok: [true, null, false, true],
      at: [Date.UTC(2020, 5, 1, 2, 3, 4, 5), null, -1, 0],
      img: [png, null, png, png],
    });
    expect(summary.columns.map((c) => c.nullCount)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('maps foreign Parquet types and re-batches across row groups', async () => {
    const n = 5;
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: 'i32', data: new Int32Array([1, 2, 3, 4, 5]), type: 'INT32' },
        { name: 'i64', data: [10n, null, 30n, 40n, 50n], type: 'INT64' },
        { name: 'f32', data: new Float32Array([0.5, 1.5, 2.5, 3.5, 4.5]), type: 'FLOAT' },
        { name: 'f64', data: [0.1, 0.2, null, 0.4, 0.5], type: 'DOUBLE' },
        { name: 'flag', data: [true, false, true, null, false], type: 'BOOLEAN' },
        { name: 'kind', data: ['x', 'y', 'x', 'y', 'x'], type: 'STRING' },
        { name: 'note', data: ['p', 'q', 'r', 's', null], type: 'STRING' },
        { name: 'ts', data: [0, 1000, 2000, null, 4000], type: 'TIMESTAMP' },
        { name: 'obj', data: [{ a: 1 }, [1, 2], null, 'x', 3], type: 'JSON' },
        { name: 'raw', data: [new Uint8Array([1]), new Uint8Array([2, 3]), null, new Uint8Array(0), new Uint8Array([255])], type: 'BYTE_ARRAY' },
      ],
      rowGroupSize: 2,
    }));
    expect(parquetMetadata(bytes).row_groups.length).toBe(3);
    const { table, types, sink } = await importOne(source('f.parquet', bytes), { batchRows: 4 });
    expect(sink.batches.map((b) => b.rowCount)).toEqual([4, 1]);
    expect(types).toEqual({
      i32: 'integer',
      i64: 'integer',
      f32: 'number',
      f64: 'number',
      flag: 'boolean',
      kind: 'categorical',
      note: 'text',
      ts: 'datetime',
      obj: 'text',
      raw: 'text',
    });
    expect(table.i32).toEqual([1, 2, 3, 4, 5]);
    expect(table.i64).toEqual([10, null, 30, 40, 50]);
    expect(table.f32).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    expect(table.f64).toEqual([0.1, 0.2, null, 0.4, 0.5]);
    expect(table.flag).toEqual([true, false, true, null, false]);
    expect(table.kind).toEqual(['x', 'y', 'x', 'y', 'x']);
    expect(table.note).toEqual(['p', 'q', 'r', 's', null]);
    expect(table.ts).toEqual([0, 1000, 2000, null, 4000]);
    expect(table.obj).toEqual(['{"a":1}', '[1,2]', null, 'x', '3']);
    expect(table.raw).toEqual(['AQ==', 'AgM=', null, '', '/w==']);
    expect(n).toBe(table.i32!.length);
  });

  it('reads DATE and microsecond/nanosecond TIMESTAMP columns as milliseconds', async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        schema: [
          { name: 'root', num_children: 3 },
          { name: 'd', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
          { name: 'us', type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type: 'OPTIONAL' },
          { name: 'ns', type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' }, repetition_type: 'OPTIONAL' },
        ],
        columnData: [
          { name: 'd', data: [0, 19782, null] },
          { name: 'us', data: [1500n, -1500n, null] },
          { name: 'ns', data: [2_000_000n, null, -1n] },
        ],
      }),
    );
    const { table, types } = await importOne(source('dates.parquet', bytes));
    expect(types).toEqual({ d: 'datetime', us: 'datetime', ns: 'datetime' });
    // whole milliseconds, rounded down (so -1.5 ms is -2)
    expect(table).toEqual({ d: [0, 19782 * 86_400_000, null], us: [1, -2, null], ns: [2, null, -1] });
  });

  it('reads the same without random access (whole file in memory)', async () => {
    const bytes = await exportParquet(ourBatches());
    const a = await importOne(source('x.parquet', bytes));
    const b = await importOne(chunkedSource('x.parquet', bytes, [100]));
    expect(b.table).toEqual(a.table);
  });

  it('bad-parquet for a truncated or corrupt file', async () => {
    const bytes = await exportParquet(ourBatches());
    await expectDataError(importParquet(source('t.parquet', bytes.slice(0, bytes.length - 10)), new MemorySink()), 'bad-parquet', { file: 't.parquet' });
    // the markers intact but the footer garbled
    const garbled = bytes.slice();
    for (let i = garbled.length - 60; i < garbled.length - 8; i++) garbled[i] = 0xff;
    await expectDataError(importParquet(source('g.parquet', garbled), new MemorySink()), 'bad-parquet', { file: 'g.parquet' });
    await expectDataError(importParquet(source('n.parquet', 'PAR1 not really'), new MemorySink()), 'bad-parquet');
  });

  it('writes a schema-only file when there is no batch', async () => {
    const bytes = await exportParquet([], [{ name: 'a', type: 'number' }]);
    const md = parquetMetadata(bytes);
    expect(md.schema.map((s) => s.name)).toEqual(['root', 'a']);
    expect(Number(md.num_rows)).toBe(0);
  });
});
