import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { buildBatch, encodeBatch } from '../../../src/core/data/arrow';
import { exportArrow, exportArrowChunks, exportCsv, formatDateTime, formatNumber, quoteField } from '../../../src/core/data/export';
import { encodePng } from '../../../src/core/data/png';
import { collect, concatBytes, importOne, importText, source } from './helpers';

describe('CSV export', () => {
  it('formats values so that they read back as the same type', () => {
    expect(formatNumber(3, 'number')).toBe('3.0');
    expect(formatNumber(-0, 'number')).toBe('0.0');
    expect(formatNumber(0.1, 'number')).toBe('0.1');
    expect(formatNumber(1e21, 'number')).toBe('1e+21');
    expect(formatNumber(1.5e-7, 'number')).toBe('1.5e-7');
    expect(formatNumber(42, 'integer')).toBe('42');
    expect(formatDateTime(Date.UTC(2024, 0, 2))).toBe('2024-01-02');
    expect(formatDateTime(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('2024-01-02T03:04:05.006Z');
    expect(formatDateTime(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(quoteField('plain', ',')).toBe('plain');
    expect(quoteField('a,b', ',')).toBe('"a,b"');
    expect(quoteField('a;b', ',')).toBe('"a;b"');
    expect(quoteField('a|b', ',')).toBe('"a|b"');
    expect(quoteField('a\tb', ',')).toBe('"a\tb"');
    expect(quoteField('say "hi"', ',')).toBe('"say ""hi"""');
    expect(quoteField('two\nlines', ',')).toBe('"two\nlines"');
    expect(quoteField('cr\r', ',')).toBe('"cr\r"');
    expect(quoteField('\uFEFFbom', ',')).toBe('"\uFEFFbom"');
  });

  it('writes RFC 4180 CSV with a header, one chunk per batch', async () => {
    const a = buildBatch(
      [
        { name: 'n', values: { type: 'number', values: new Float64Array([1, 2.5]), validity: null } },
        { name: 't', values: { type: 'text', values: ['x,y', null] } },
        { name: 'img', values: { type: 'image', values: [new Uint8Array(12), null] } },
      ],
      2,
    );
    const b = buildBatch(
      [
        { name: 'n', values: { type: 'number', values: new Float64Array([NaN]), validity: new Uint8Array([0]) } },
        { name: 't', values: { type: 'text', values: ['q"'] } },
        { name: 'img', values: { type: 'image', values: [new Uint8Array(3)] } },
      ],
      1,
    );
    const chunks = await collect(exportCsv([encodeBatch(a), encodeBatch(b)]));
    expect(chunks).toEqual(['n,t,img\r\n1.0,"x,y",<image 12 bytes>\r\n2.5,,\r\n', ',"q""",<image 3 bytes>\r\n']);
    // no batch: the header alone, from the column list
    expect(await collect(exportCsv([], [{ name: 'a', type: 'text' }, { name: 'b c', type: 'number' }]))).toEqual(['a,b c\r\n']);
  });

  it('export then import gives the same table and types', async () => {
    const csv =
      'id,score,ratio,ok,day,at,kind,note\n' +
      '1,10,0.5,true,2024-01-01,2024-01-01T10:00:00Z,a,"hello, world"\n' +
      '2,,1.0,false,2024-01-02,2024-01-01 11:30,b,"quote ""x"""\n' +
      '3,30,NA,TRUE,,2024-01-01T12:00:00.123+01:00,a,"multi\nline"\n' +
      '4,40,2,false,2024-02-29,,b,\n';
    const first = await importText(csv, 'orig.csv', { batchRows: 3 });
    const text = (await collect(exportCsv(first.sink.ipcs()))).join('');
    const second = await importText(text, 'again.csv', { batchRows: 3 });
    expect(second.summary.columns).toEqual(first.summary.columns);
    expect(second.table).toEqual(first.table);
    expect(first.types).toEqual({
      id: 'integer',
      score: 'integer',
      ratio: 'number',
      ok: 'boolean',
      day: 'datetime',
      at: 'datetime',
      kind: 'categorical',
      note: 'text',
    });
  });
});

describe('Arrow IPC file export', () => {
  it('writes all batches with one schema; categorical dictionaries grow by deltas', async () => {
    const mk = (cats: string[], idx: number[], xs: number[]) =>
      encodeBatch(
        buildBatch(
          [
            { name: 'c', values: { type: 'categorical', indices: new Int32Array(idx), dictionary: cats, validity: null } },
            { name: 'x', values: { type: 'number', values: new Float64Array(xs), validity: null } },
          ],
          xs.length,
        ),
      );
    const batches = [mk(['b', 'a'], [0, 1, 0], [1, 2, 3]), mk(['c', 'a'], [0, 1], [4, 5]), mk(['a'], [0], [6])];
    const bytes = exportArrow(batches);
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe('ARROW1');
    // arrow-js reads it back as one table
    const t = tableFromIPC(bytes);
    expect(t.numRows).toBe(6);
    expect(t.batches.length).toBe(3);
    expect(t.getChild('c')!.toArray()).toEqual(['b', 'a', 'b', 'c', 'a', 'a']);
    // the streaming form gives the same bytes
    expect(concatBytes(await collect(exportArrowChunks(batches)))).toEqual(bytes);
    // and our importer brings back the same table and types
    const { table, types } = await importOne(source('out.arrow', bytes));
    expect(types).toEqual({ c: 'categorical', x: 'number' });
    expect(table).toEqual({ c: ['b', 'a', 'b', 'c', 'a', 'a'], x: [1, 2, 3, 4, 5, 6] });
  });

  it('keeps every type, with nulls, through export and import', async () => {
    const png = encodePng(new Uint8Array([9]), 1, 1, 1);
    const v = new Uint8Array([0b101]);
    const batch = buildBatch(
      [
        { name: 'n', values: { type: 'number', values: new Float64Array([1.5, NaN, 2]), validity: v } },
        { name: 'i', values: { type: 'integer', values: new Float64Array([1, NaN, 3]), validity: v } },
        { name: 'b', values: { type: 'boolean', values: new Uint8Array([1, 0, 0]), validity: v } },
        { name: 'd', values: { type: 'datetime', values: new Float64Array([5, NaN, 7]), validity: v } },
        { name: 't', values: { type: 'text', values: ['x', null, 'z'] } },
        { name: 'c', values: { type: 'categorical', indices: new Int32Array([0, 0, 0]), dictionary: ['k'], validity: v } },
        { name: 'img', values: { type: 'image', values: [png, null, png] } },
      ],
      3,
    );
    const { table, types, summary } = await importOne(source('all.arrow', exportArrow([encodeBatch(batch)])));
    expect(types).toEqual({ n: 'number', i: 'integer', b: 'boolean', d: 'datetime', t: 'text', c: 'categorical', img: 'image' });
    expect(table).toEqual({ n: [1.5, null, 2], i: [1, null, 3], b: [true, null, false], d: [5, null, 7], t: ['x', null, 'z'], c: ['k', null, 'k'], img: [png, null, png] });
    expect(summary.columns.every((c) => c.nullCount === 1)).toBe(true);
  });

  it('writes a schema-only file when there is no batch', () => {
    const bytes = exportArrow([], [{ name: 'a', type: 'integer' }]);
    const t = tableFromIPC(bytes);
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['a']);
  });
});
