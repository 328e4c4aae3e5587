import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Dictionary,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  Null,
  Struct,
  Field,
  RecordBatch,
  Schema,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  List,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  type DataType,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  batchToColumns,
  buildBatch,
  decodeBatch,
  encodeBatch,
  encodeStrings,
  readColumn,
  TYPE_METADATA_KEY,
  type NamedColumn,
} from '../../../src/core/data/arrow';
import { importArrow } from '../../../src/core/data/arrowfile';
import { encodePng } from '../../../src/core/data/png';
import { chunkedSource, expectDataError, importOne, MemorySink, source } from './helpers';

/** Validity bitmap from booleans (true = present). */
function bits(present: boolean[]): Uint8Array {
  const b = new Uint8Array((present.length + 7) >> 3);
  present.forEach((p, i) => {
    if (p) b[i >> 3]! |= 1 << (i & 7);
  });
  return b;
}

const png = encodePng(new Uint8Array([0, 255, 128, 64]), 2, 2, 1);

function sampleColumns(): NamedColumn[] {
  const present = [true, false, true, true, false];
  return [
    { name: 'num', values: { type: 'number', values: new Float64Array([1.5, NaN, -2, 1e300, NaN]), validity: bits(present) } },
    { name: 'int', values: { type: 'integer', values: new Float64Array([1, 0, -3, 9007199254740991, 0]), validity: bits(present) } },
    { name: 'cat', values: { type: 'categorical', indices: new Int32Array([0, 0, 1, 0, 0]), dictionary: ['red', 'blue'], validity: bits(present) } },
    { name: 'txt', values: { type: 'text', values: ['a', null, 'é中😀', '', null] } },
    { name: 'bool', values: { type: 'boolean', values: new Uint8Array([1, 0, 0, 1, 0]), validity: bits(present) } },
    { name: 'when', values: { type: 'datetime', values: new Float64Array([0, NaN, Date.UTC(2024, 1, 29, 1, 2, 3, 4), -86400000, NaN]), validity: bits(present) } },
    { name: 'img', values: { type: 'image', values: [png, null, new Uint8Array([1, 2, 3]), new Uint8Array(0), null] } },
  ];
}

describe('our record batches', () => {
  it('round-trips every logical type with nulls through an IPC stream', () => {
    const batch = buildBatch(sampleColumns(), 5);
    const ipc = encodeBatch(batch);
    const back = decodeBatch(ipc);
    expect(back.numRows).toBe(5);
    expect(back.schema.fields.map((f) => [f.name, f.metadata.get(TYPE_METADATA_KEY)])).toEqual([
      ['num', 'number'],
      ['int', 'integer'],
      ['cat', 'categorical'],
      ['txt', 'text'],
      ['bool', 'boolean'],
      ['when', 'datetime'],
      ['img', 'image'],
    ]);
    // physical types as types.ts documents them
    // (decoded types are arrow-js's generic classes: compare type ids and parameters)
    expect(back.schema.fields.map((f) => String(f.type))).toEqual([
      'Float64',
      'Float64',
      'Dictionary<Int32, Utf8>',
      'Utf8',
      'Bool',
      'Timestamp<MILLISECOND>',
      'Binary',
    ]);
    const cols = batchToColumns(back);
    expect(cols).toEqual({
      num: [1.5, null, -2, 1e300, null],
      int: [1, null, -3, 9007199254740991, null],
      cat: ['red', null, 'blue', 'red', null],
      txt: ['a', null, 'é中😀', '', null],
      bool: [true, null, false, true, null],
      when: [0, null, Date.UTC(2024, 1, 29, 1, 2, 3, 4), -86400000, null],
      img: [png, null, new Uint8Array([1, 2, 3]), new Uint8Array(0), null],
    });
    expect(back.schema.fields.map((_, j) => back.getChildAt(j)!.nullCount)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    // arrow-js itself reads the same values
    expect(back.getChildAt(2)!.get(2)).toBe('blue');
    expect(back.getChildAt(3)!.get(2)).toBe('é中😀');
  });

  it('reads numbers and categorical indices as views on the batch buffers', () => {
    const back = decodeBatch(encodeBatch(buildBatch(sampleColumns(), 5)));
    const num = readColumn(back, 0);
    if (num.type !== 'number') throw new Error('expected number');
    const numData = back.getChildAt(0)!.data[0]!.values as Float64Array;
    expect(num.values.buffer).toBe(numData.buffer);
    expect(num.values.byteOffset).toBe(numData.byteOffset);
    // missing numbers hold NaN, so a typed-array scan can skip them
    expect(Number.isNaN(num.values[1])).toBe(true);
    const cat = readColumn(back, 2);
    if (cat.type !== 'categorical') throw new Error('expected categorical');
    const catData = back.getChildAt(2)!.data[0]!.values as Int32Array;
    expect(cat.indices.buffer).toBe(catData.buffer);
    expect(cat.indices.byteOffset).toBe(catData.byteOffset);
    expect(cat.dictionary).toEqual(['red', 'blue']);
  });

  it('decodes a batch whose bytes start at an odd offset', () => {
    const ipc = encodeBatch(buildBatch(sampleColumns(), 5));
    const shifted = new Uint8Array(ipc.length + 3);
    shifted.set(ipc, 3);
    expect(batchToColumns(decodeBatch(shifted.subarray(3))).num).toEqual([1.5, null, -2, 1e300, null]);
  });

  it('encodes strings as UTF-8 with offsets', () => {
    const { offsets, bytes } = encodeStrings(['ab', null, 'é', '😀']);
    expect(Array.from(offsets)).toEqual([0, 2, 2, 4, 8]);
    expect(new TextDecoder().decode(bytes)).toBe('abé😀');
  });
});

/** A foreign record batch of one column of `type`. */
function foreignBatch(columns: { name: string; type: DataType; data: ReturnType<typeof makeData> }[]): RecordBatch {
  const fields = columns.map((c) => new Field(c.name, c.type, true));
  const length = columns[0]!.data.length;
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.data) }));
}

describe('import of foreign Arrow IPC', () => {
  const validity = bits([true, true, false]);
  function foreignTable(): Table {
    const dictValues = makeVector(makeData({ type: new Utf8(), length: 2, nullCount: 0, valueOffsets: new Int32Array([0, 1, 2]), data: new TextEncoder().encode('xy') }));
    const strings = encodeStrings(['a', 'b', 'c']);
    const cols = [
      { name: 'i8', type: new Int8(), data: makeData({ type: new Int8(), length: 3, nullCount: 1, nullBitmap: validity, data: new Int8Array([-128, 127, 0]) }) },
      { name: 'i16', type: new Int16(), data: makeData({ type: new Int16(), length: 3, data: new Int16Array([-300, 300, 1]) }) },
      { name: 'i32', type: new Int32(), data: makeData({ type: new Int32(), length: 3, data: new Int32Array([-70000, 70000, 2]) }) },
      { name: 'i64', type: new Int64(), data: makeData({ type: new Int64(), length: 3, data: new BigInt64Array([-(2n ** 40n), 2n ** 40n, 3n]) }) },
      { name: 'u8', type: new Uint8(), data: makeData({ type: new Uint8(), length: 3, data: new Uint8Array([0, 255, 4]) }) },
      { name: 'u16', type: new Uint16(), data: makeData({ type: new Uint16(), length: 3, data: new Uint16Array([0, 65535, 5]) }) },
      { name: 'u32', type: new Uint32(), data: makeData({ type: new Uint32(), length: 3, data: new Uint32Array([0, 4294967295, 6]) }) },
      { name: 'u64', type: new Uint64(), data: makeData({ type: new Uint64(), length: 3, data: new BigUint64Array([0n, 2n ** 50n, 7n]) }) },
      // 1.0, -2.0, 0.5 in IEEE half precision
      { name: 'f16', type: new Float16(), data: makeData({ type: new Float16(), length: 3, data: new Uint16Array([0x3c00, 0xc000, 0x3800]) }) },
      { name: 'f32', type: new Float32(), data: makeData({ type: new Float32(), length: 3, nullCount: 1, nullBitmap: validity, data: new Float32Array([0.25, -1.5, 0]) }) },
      { name: 'f64', type: new Float64(), data: makeData({ type: new Float64(), length: 3, data: new Float64Array([0.1, 1e-300, 3]) }) },
      { name: 'utf8', type: new Utf8(), data: makeData({ type: new Utf8(), length: 3, nullCount: 1, nullBitmap: validity, valueOffsets: strings.offsets, data: strings.bytes }) },
      { name: 'large', type: new LargeUtf8(), data: makeData({ type: new LargeUtf8(), length: 3, valueOffsets: new BigInt64Array([0n, 1n, 2n, 3n]), data: new TextEncoder().encode('pqr') }) },
      { name: 'dict', type: new Dictionary(new Utf8(), new Int8()), data: makeData({ type: new Dictionary(new Utf8(), new Int8()), length: 3, data: new Int8Array([1, 0, 1]), dictionary: dictValues }) },
      { name: 'bool', type: new Bool(), data: makeData({ type: new Bool(), length: 3, data: new Uint8Array([0b101]) }) },
      { name: 'day', type: new DateDay(), data: makeData({ type: new DateDay(), length: 3, data: new Int32Array([0, 19782, -1]) }) },
      { name: 'dms', type: new DateMillisecond(), data: makeData({ type: new DateMillisecond(), length: 3, data: new BigInt64Array([0n, 86400000n, 1700000000000n]) }) },
      { name: 'ts_s', type: new TimestampSecond(), data: makeData({ type: new TimestampSecond(), length: 3, data: new BigInt64Array([1n, 1700000000n, -1n]) }) },
      { name: 'ts_ms', type: new TimestampMillisecond(), data: makeData({ type: new TimestampMillisecond(), length: 3, data: new BigInt64Array([1n, 2n, 3n]) }) },
      { name: 'ts_us', type: new TimestampMicrosecond(), data: makeData({ type: new TimestampMicrosecond(), length: 3, data: new BigInt64Array([1000n, 2500000n, 3000n]) }) },
      { name: 'ts_ns', type: new TimestampNanosecond(), data: makeData({ type: new TimestampNanosecond(), length: 3, data: new BigInt64Array([1000000n, 2000000n, 3000000n]) }) },
      { name: 'bin', type: new Binary(), data: makeData({ type: new Binary(), length: 3, valueOffsets: new Int32Array([0, 2, 2, 3]), data: new Uint8Array([0xde, 0xad, 0xff]) }) },
      { name: 'nothing', type: new Null(), data: makeData({ type: new Null(), length: 3 }) },
    ];
    return new Table([foreignBatch(cols)]);
  }

  const expectedTypes = {
    i8: 'integer', i16: 'integer', i32: 'integer', i64: 'integer', u8: 'integer', u16: 'integer', u32: 'integer', u64: 'integer',
    f16: 'number', f32: 'number', f64: 'number', utf8: 'text', large: 'text', dict: 'categorical', bool: 'boolean',
    day: 'datetime', dms: 'datetime', ts_s: 'datetime', ts_ms: 'datetime', ts_us: 'datetime', ts_ns: 'datetime', bin: 'text', nothing: 'text',
  };
  const expectedValues = {
    i8: [-128, 127, null],
    i16: [-300, 300, 1],
    i32: [-70000, 70000, 2],
    i64: [-(2 ** 40), 2 ** 40, 3],
    u8: [0, 255, 4],
    u16: [0, 65535, 5],
    u32: [0, 4294967295, 6],
    u64: [0, 2 ** 50, 7],
    f16: [1, -2, 0.5],
    f32: [0.25, -1.5, null],
    f64: [0.1, 1e-300, 3],
    utf8: ['a', 'b', null],
    large: ['p', 'q', 'r'],
    dict: ['y', 'x', 'y'],
    bool: [true, false, true],
    day: [0, 19782 * 86400000, -86400000],
    dms: [0, 86400000, 1700000000000],
    ts_s: [1000, 1700000000000, -1000],
    ts_ms: [1, 2, 3],
    ts_us: [1, 2500, 3],
    ts_ns: [1, 2, 3],
    bin: ['3q0=', '', '/w=='],
    nothing: [null, null, null],
  };

  it('maps every foreign type from an IPC file (random access)', async () => {
    const bytes = tableToIPC(foreignTable(), 'file');
    const { summary, table, types } = await importOne(source('foreign.arrow', bytes));
    expect(summary.format).toBe('arrow');
    expect(types).toEqual(expectedTypes);
    expect(table).toEqual(expectedValues);
    expect(summary.columns.find((c) => c.name === 'i8')!.nullCount).toBe(1);
    expect(summary.columns.find((c) => c.name === 'nothing')!.nullCount).toBe(3);
  });

  it('reads the same from an IPC stream, and from a file without random access', async () => {
    const stream = tableToIPC(foreignTable(), 'stream');
    const a = await importOne(chunkedSource('foreign.arrows', stream, [7, 100, 101, 500]));
    expect(a.table).toEqual(expectedValues);
    const file = tableToIPC(foreignTable(), 'file');
    const b = await importOne(chunkedSource('foreign.arrow', file, [10]));
    expect(b.table).toEqual(expectedValues);
  });

  it('re-batches to batchRows across input batches', async () => {
    const batches = [0, 1, 2].map((k) =>
      foreignBatch([{ name: 'x', type: new Int32(), data: makeData({ type: new Int32(), length: 4, data: new Int32Array([0, 1, 2, 3].map((i) => k * 4 + i)) }) }]),
    );
    const { sink, table } = await importOne(source('t.arrow', tableToIPC(new Table(batches), 'file')), { batchRows: 5 });
    expect(sink.batches.map((b) => b.rowCount)).toEqual([5, 5, 2]);
    expect(table.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('keeps image bytes as images, and nested values as JSON text', async () => {
    const imgs = [png, encodePng(new Uint8Array(16).fill(9), 2, 2, 4)];
    const offsets = new Int32Array([0, imgs[0]!.length, imgs[0]!.length + imgs[1]!.length]);
    const all = new Uint8Array(offsets[2]!);
    all.set(imgs[0]!, 0);
    all.set(imgs[1]!, imgs[0]!.length);
    const listType = new List(new Field('item', new Int32(), true));
    const child = makeData({ type: new Int32(), length: 3, data: new Int32Array([1, 2, 3]) });
    const batch = foreignBatch([
      { name: 'pic', type: new Binary(), data: makeData({ type: new Binary(), length: 2, valueOffsets: offsets, data: all }) },
      { name: 'list', type: listType, data: makeData({ type: listType, length: 2, valueOffsets: new Int32Array([0, 2, 3]), child }) },
    ]);
    const { types, table } = await importOne(source('n.arrow', tableToIPC(new Table([batch]), 'file')));
    expect(types).toEqual({ pic: 'image', list: 'text' });
    expect(table.pic).toEqual(imgs);
    expect(table.list).toEqual(['[1,2]', '[3]']);
  });

  it('bad-arrow for a truncated file or stream', async () => {
    const file = tableToIPC(foreignTable(), 'file');
    await expectDataError(importArrow(source('cut.arrow', file.slice(0, 200)), new MemorySink()), 'bad-arrow', { file: 'cut.arrow' });
    await expectDataError(importArrow(chunkedSource('cut.arrow', file.slice(0, 200), []), new MemorySink()), 'bad-arrow');
    const stream = tableToIPC(foreignTable(), 'stream');
    await expectDataError(importArrow(source('cut.arrows', stream.slice(0, stream.length - 40)), new MemorySink()), 'bad-arrow');
  });
});
