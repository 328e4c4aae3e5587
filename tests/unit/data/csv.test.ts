import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectNewline, importCsv, looksBinary, uniqueColumnNames } from '../../../src/core/data/csv';
import type { ImportProgress } from '../../../src/core/data/types';
import { chunkedSource, expectDataError, importText, MemorySink, source, tableOf } from './helpers';

describe('CSV parsing', () => {
  it('reads a simple table with inferred types', async () => {
    const { table, types, summary } = await importText('name,age,score,member,joined\nann,31,1.5,true,2024-01-02\nbob,,2,FALSE,2024-01-03T04:05:06Z\n');
    expect(summary.format).toBe('csv');
    expect(summary.rowCount).toBe(2);
    expect(types).toEqual({ name: 'text', age: 'integer', score: 'number', member: 'boolean', joined: 'datetime' });
    expect(table).toEqual({
      name: ['ann', 'bob'],
      age: [31, null],
      score: [1.5, 2],
      member: [true, false],
      joined: [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3, 4, 5, 6)],
    });
    expect(summary.columns.map((c) => c.nullCount)).toEqual([0, 1, 0, 0, 0]);
  });

  it('handles quotes, doubled quotes, separators and newlines inside quotes', async () => {
    const csv = 'a,b\n"x, y","say ""hi"""\n"line1\nline2","crlf\r\ninside"\n"",plain\n';
    const { table } = await importText(csv);
    expect(table.a).toEqual(['x, y', 'line1\nline2', null]);
    expect(table.b).toEqual(['say "hi"', 'crlf\r\ninside', 'plain']);
  });

  it('reads CRLF files, with and without a trailing newline', async () => {
    for (const csv of ['a,b\r\n1,x\r\n2,y\r\n', 'a,b\r\n1,x\r\n2,y']) {
      const { table } = await importText(csv);
      expect(table).toEqual({ a: [1, 2], b: ['x', 'y'] });
    }
    const { table } = await importText('a,b\n1,x\n2,y');
    expect(table).toEqual({ a: [1, 2], b: ['x', 'y'] });
  });

  it('reads old-Mac CR line ends', async () => {
    const { table } = await importText('a,b\r1,x\r2,y\r');
    expect(table).toEqual({ a: [1, 2], b: ['x', 'y'] });
  });

  it('strips a UTF-8 BOM', async () => {
    const { table } = await importText('\uFEFFid,v\n1,a\n2,a\n');
    expect(Object.keys(table)).toEqual(['id', 'v']);
    expect(table.id).toEqual([1, 2]);
  });

  it('detects each separator', async () => {
    for (const sep of [',', '\t', ';', '|']) {
      const csv = ['a', 'b', 'c'].join(sep) + '\n' + ['1', 'x y', '2.5'].join(sep) + '\n' + ['2', 'z', '3'].join(sep) + '\n';
      const { table, summary } = await importText(csv, 'data.txt');
      expect(table, JSON.stringify(sep)).toEqual({ a: [1, 2], b: ['x y', 'z'], c: [2.5, 3] });
      expect(summary.format).toBe(sep === '\t' ? 'tsv' : 'csv');
    }
  });

  it('takes tab for a .tsv file even when commas are more common', async () => {
    const { table } = await importText('a\tb\n1,2,3\tx\n4,5,6\ty\n', 'data.tsv');
    expect(table).toEqual({ a: ['1,2,3', '4,5,6'], b: ['x', 'y'] });
  });

  it('prefers the separator that splits lines consistently', () => {
    expect(detectDelimiter('a;b;c\n1,5;2,5;x\n3;4;y\n')).toBe(';');
    expect(detectDelimiter('"a,b";c\n"1,2";3\n')).toBe(';');
    expect(detectDelimiter('just one column\nvalue\n')).toBe(',');
    expect(detectNewline('"a\nb",c\r\n1,2\r\n')).toBe('\r\n');
    expect(detectNewline('a,b\n')).toBe('\n');
  });

  it('makes empty fields and NA tokens null in every type', async () => {
    const { table, summary } = await importText('i,n,b,t,c\n1,1.5,true,x,a\n,,,,\nNA,NaN,null,N/A,NULL\n3,2.5,false,y,a\n');
    expect(table.i).toEqual([1, null, null, 3]);
    expect(table.n).toEqual([1.5, null, null, 2.5]);
    expect(table.b).toEqual([true, null, null, false]);
    expect(table.t).toEqual(['x', null, null, 'y']);
    expect(table.c).toEqual(['a', null, null, 'a']);
    expect(summary.columns.map((c) => c.nullCount)).toEqual([2, 2, 2, 2, 2]);
  });

  it('keeps spaces and quotes inside unquoted fields as they are', async () => {
    const { table } = await importText('a,b\n  x  ,5"\n y,6"\n');
    expect(table.a).toEqual(['  x  ', ' y']);
    expect(table.b).toEqual(['5"', '6"']);
  });

  it('skips blank lines in a table of several columns, and keeps them as missing in one column', async () => {
    const several = await importText('a,b\n1,2\n\n3,4\n\n');
    expect(several.table).toEqual({ a: [1, 3], b: [2, 4] });
    const one = await importText('v\n1\n\n3\n');
    expect(one.table).toEqual({ v: [1, null, 3] });
  });

  it('names empty and repeated headers, with a warning naming each column', async () => {
    const { table, summary } = await importText('name,,name,x,name,\n1,2,3,4,5,6\n');
    expect(Object.keys(table)).toEqual(['name', 'column_2', 'name_2', 'x', 'name_3', 'column_6']);
    expect(summary.warnings).toHaveLength(4);
    expect(summary.warnings[0].message).toContain('column_2');
    expect(summary.warnings[1].message).toContain('"name"');
    expect(summary.warnings[1].message).toContain('name_2');
    expect(summary.warnings[2].message).toContain('name_3');
    expect(summary.warnings[3].message).toContain('column_6');
    expect(uniqueColumnNames(['a', 'a', 'a_2']).names).toEqual(['a', 'a_3', 'a_2']);
  });

  it('a name that differs from another only by a leading U+FEFF is renamed, and each column keeps its type', async () => {
    // arrow-js drops the U+FEFF when it decodes a schema: kept, the two names would collide in every batch
    const { table, types, summary } = await importText('n,x,\uFEFFn\n1,a,\n2,b,\n');
    expect(Object.keys(table)).toEqual(['n', 'x', 'n_2']);
    expect(types).toEqual({ n: 'integer', x: 'text', n_2: 'text' });
    expect(table.n).toEqual([1, 2]);
    expect(table.n_2).toEqual([null, null]);
    expect(summary.warnings.map((w) => w.code)).toEqual(['duplicate-column']);
  });

  it('reports progress with bytes, total and rows', async () => {
    const progress: ImportProgress[] = [];
    const text = 'a\n' + Array.from({ length: 10 }, (_, i) => String(i)).join('\n') + '\n';
    const sink = new MemorySink();
    await importCsv(source('p.csv', text), sink, { batchRows: 4, onProgress: (p) => progress.push(p) });
    expect(sink.batches.map((b) => b.rowCount)).toEqual([4, 4, 2]);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const last = progress[progress.length - 1]!;
    expect(last).toEqual({ bytes: text.length, total: text.length, rows: 10 });
    expect(progress.map((p) => p.rows)).toEqual(expect.arrayContaining([4, 8, 10]));
  });
});

describe('CSV batches and type widening', () => {
  it('cuts batches of batchRows rows', async () => {
    const text = 'x,y\n' + Array.from({ length: 7 }, (_, i) => `${i},s${i % 2}`).join('\n');
    const { sink, table, summary } = await importText(text, 'b.csv', { batchRows: 3 });
    expect(sink.batches.map((b) => b.rowCount)).toEqual([3, 3, 1]);
    expect(sink.batches.map((b) => b.index)).toEqual([0, 1, 2]);
    expect(table.x).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(summary.rowCount).toBe(7);
    expect(sink.resets).toBe(0);
  });

  it('restarts once when a later batch holds a value that does not fit, widening integer to number and to text', async () => {
    // first batch (3 rows): a integer, b integer, c boolean; batch 2 brings 2.5 into a, "abc" into b
    const text = 'a,b,c\n1,10,true\n2,20,false\n3,30,true\n4,40,true\n2.5,abc,false\n6,60,true\n7,70,false\n';
    const sink = new MemorySink();
    const summary = await importCsv(source('w.csv', text), sink, { batchRows: 3 });
    expect(sink.resets).toBe(1);
    // before the reset the first batch had been written with the first guess
    expect(sink.dropped[0]!.length).toBe(1);
    expect(tableOf(sink.dropped[0]!).a).toEqual([1, 2, 3]);
    expect(summary.columns.map((c) => [c.name, c.type])).toEqual([
      ['a', 'number'],
      ['b', 'text'],
      ['c', 'boolean'],
    ]);
    const table = tableOf(sink.batches);
    expect(table.a).toEqual([1, 2, 3, 4, 2.5, 6, 7]);
    // nothing lost: the integers of b are now their text
    expect(table.b).toEqual(['10', '20', '30', '40', 'abc', '60', '70']);
    expect(sink.batches.map((b) => b.rowCount)).toEqual([3, 3, 1]);
  });

  it('finds every conflict before the single restart', async () => {
    // a conflicts in batch 2, b only in batch 3: still one reset
    const text = 'a,b\n1,1\n2,2\n3,3\nx,4\n5,5\n6,6\n7,7\n8,y\n';
    const sink = new MemorySink();
    const summary = await importCsv(source('w.csv', text), sink, { batchRows: 3 });
    expect(sink.resets).toBe(1);
    expect(summary.columns.map((c) => c.type)).toEqual(['text', 'text']);
    expect(tableOf(sink.batches).b).toEqual(['1', '2', '3', '4', '5', '6', '7', 'y']);
  });

  it('types a column that is empty in the first batch from the first batch with values', async () => {
    const text = 'id,late\n1,\n2,\n3,\n4,5\n5,6\n';
    const sink = new MemorySink();
    const summary = await importCsv(source('late.csv', text), sink, { batchRows: 3 });
    expect(summary.columns[1]).toEqual({ name: 'late', type: 'integer', nullCount: 3 });
    expect(tableOf(sink.batches).late).toEqual([null, null, null, 5, 6]);
    expect(sink.resets).toBe(1);
  });

  it('keeps a categorical column categorical when later batches bring new values', async () => {
    const text = 'c\n' + ['a', 'b', 'a', 'b', 'c', 'c', 'd', 'd'].join('\n') + '\n';
    const { summary, table, sink } = await importText(text, 'c.csv', { batchRows: 4 });
    expect(summary.columns[0]!.type).toBe('categorical');
    expect(table.c).toEqual(['a', 'b', 'a', 'b', 'c', 'c', 'd', 'd']);
    expect(sink.resets).toBe(0);
  });

  it('gives the same result for any split of the input stream', async () => {
    // more than the 20 lines the separator sniffing waits for, so later records are cut and carried
    const filler = Array.from({ length: 22 }, (_, i) => `${i},f`).join('\n');
    const text = 'a,b\n' + filler + '\n"q,1","multi\nline"\n2,"x""y"\r\n3,\u00e9\u4e2d\ud83d\ude00\n';
    const bytes = new TextEncoder().encode(text);
    const whole = await importCsv(source('s.csv', bytes), new MemorySink(), { batchRows: 5 });
    for (let cut = 1; cut < bytes.length; cut++) {
      const sink = new MemorySink();
      const seen: number[] = [];
      // parseChars 1: every stream chunk goes to the parser, so records are cut and carried over
      const summary = await importCsv(chunkedSource('s.csv', bytes, [cut, cut + 3, cut + 50, cut + 51]), sink, {
        parseChars: 1,
        batchRows: 5,
        onProgress: (p) => seen.push(p.bytes),
      });
      expect(summary, `cut at ${cut}`).toEqual(whole);
      // batches were written before the end of the input: the import really streamed
      if (cut > 150) expect(seen.some((b) => b < bytes.length)).toBe(true);
      expect(tableOf(sink.batches).b!.slice(22)).toEqual(['multi\nline', 'x"y', '\u00e9\u4e2d\ud83d\ude00']);
    }
  });
});

describe('CSV errors', () => {
  it('empty-file for 0 bytes, whitespace, or a header alone', async () => {
    await expectDataError(importText('', 'e.csv'), 'empty-file', { file: 'e.csv' });
    await expectDataError(importText('  \n\n \t\n', 'w.csv'), 'empty-file', { file: 'w.csv' });
    await expectDataError(importText('a,b,c\n', 'h.csv'), 'empty-file', { file: 'h.csv' });
    await expectDataError(importText('a,b,c', 'h2.csv'), 'empty-file', { file: 'h2.csv' });
  });

  it('binary-file for NUL bytes at the start', async () => {
    const bytes = new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02, 0x31, 0x0a]);
    await expectDataError(importCsv(source('bin.csv', bytes), new MemorySink()), 'binary-file', { file: 'bin.csv' });
    expect(looksBinary(new TextEncoder().encode('plain,text\n1,2\n'))).toBe(false);
    expect(looksBinary(new Uint8Array([1, 2, 3, 4, 5, 6, 65, 66]))).toBe(true);
  });

  it('ragged-row naming the data row and the counts', async () => {
    const e = await expectDataError(importText('a,b,c\n1,2,3\n4,5\n', 'r.csv'), 'ragged-row', {
      file: 'r.csv',
      row: 2,
      params: { expected: 3, actual: 2 },
    });
    expect(e.message).toContain('r.csv');
    // too many fields, after a multi-line quoted field and a blank line (blank lines are not rows)
    await expectDataError(importText('a,b\n"x\ny",1\n\n2,3\n4,5,6\n', 'r2.csv'), 'ragged-row', {
      row: 3,
      params: { expected: 2, actual: 3 },
    });
  });

  it('ragged-row in a later batch, after the first batches were written', async () => {
    const text = 'a,b\n' + Array.from({ length: 10 }, (_, i) => `${i},${i}`).join('\n') + '\n10\n';
    await expectDataError(importText(text, 'late.csv', { batchRows: 4 }), 'ragged-row', { row: 11, params: { expected: 2, actual: 1 } });
  });

  it('not-utf8 with the approximate row', async () => {
    const head = new TextEncoder().encode('a,b\n1,x\n2,y\n3,');
    const bytes = new Uint8Array([...head, 0xff, 0xfe, 0x41, 0x0a]);
    await expectDataError(importCsv(source('latin.csv', bytes), new MemorySink()), 'not-utf8', { file: 'latin.csv', row: 3 });
    // same when the bad byte arrives in a later stream chunk, after batches were parsed
    const many = 'a,b\n' + Array.from({ length: 2000 }, (_, i) => `${i},x`).join('\n') + '\n';
    const later = new Uint8Array([...new TextEncoder().encode(many), 0x41, 0xc3, 0x28, 0x0a]);
    await expectDataError(
      importCsv(chunkedSource('latin.csv', later, [9000, 12000, 15000]), new MemorySink(), { parseChars: 1, batchRows: 100 }),
      'not-utf8',
      { row: 2001 },
    );
  });

  it('bad-csv for a quoted field that never ends', async () => {
    await expectDataError(importText('a,b\n1,2\n3,"open\n4,5\n', 'q.csv'), 'bad-csv', { file: 'q.csv', row: 2 });
  });

  it('cancelled when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectDataError(importText('a\n1\n', 'c.csv', { signal: controller.signal }), 'cancelled', { file: 'c.csv' });
  });

  it('cancelled mid-import stops writing', async () => {
    const controller = new AbortController();
    const text = 'a\n' + Array.from({ length: 100 }, (_, i) => i).join('\n');
    const sink = new MemorySink();
    const written = sink.write.bind(sink);
    sink.write = async (b) => {
      await written(b);
      if (sink.batches.length === 2) controller.abort();
    };
    await expectDataError(importCsv(source('c.csv', text), sink, { batchRows: 10, signal: controller.signal }), 'cancelled');
    expect(sink.batches.length).toBe(2);
  });
});
