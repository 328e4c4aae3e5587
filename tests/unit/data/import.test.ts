import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { exportParquet } from '../../../src/core/data/export';
import { detectFormat, FORMATS, importSources } from '../../../src/core/data/import';
import { buildBatch, encodeBatch } from '../../../src/core/data/arrow';
import { encodePng } from '../../../src/core/data/png';
import { expectDataError, importOne, MemorySink, source } from './helpers';

const enc = (s: string) => new TextEncoder().encode(s);

describe('format detection', () => {
  const arrowFile = tableToIPC(tableFromArrays({ a: new Float64Array([1]) }), 'file');
  const arrowStream = tableToIPC(tableFromArrays({ a: new Float64Array([1]) }), 'stream');
  const png = encodePng(new Uint8Array([0]), 1, 1, 1);

  it('goes by magic bytes first, whatever the name', async () => {
    const parquet = await exportParquet([encodeBatch(buildBatch([{ name: 'a', values: { type: 'text', values: ['x'] } }], 1))]);
    expect(detectFormat('data.csv', arrowFile)?.format).toBe('arrow');
    expect(detectFormat('x', arrowStream)?.format).toBe('arrow');
    expect(detectFormat('data.json', parquet)?.format).toBe('parquet');
    expect(detectFormat('data.csv', zipSync({ 'a.png': png }))?.format).toBe('images');
    expect(detectFormat('photo', png)?.format).toBe('images');
  });

  it('then by extension', () => {
    expect(detectFormat('a.CSV', enc('[1]'))?.format).toBe('csv');
    expect(detectFormat('a.tsv', enc('x'))?.format).toBe('csv');
    expect(detectFormat('a.json', enc('x,y'))?.format).toBe('json');
    expect(detectFormat('a.jsonl', enc('[1]'))?.format).toBe('ndjson');
    expect(detectFormat('a.ndjson', enc(''))?.format).toBe('ndjson');
    expect(detectFormat('a.parquet', enc('x'))?.format).toBe('parquet');
    expect(detectFormat('a.feather', enc('x'))?.format).toBe('arrow');
  });

  it('then by sniffing the text', () => {
    expect(detectFormat('data.txt', enc('  [{"a": 1}]'))?.format).toBe('json');
    expect(detectFormat('data.txt', enc('{"a": [1, 2]}'))?.format).toBe('json');
    expect(detectFormat('data', enc('{"a": 1}\n{"a": 2}\n'))?.format).toBe('ndjson');
    expect(detectFormat('data', enc('{"a": 1,\n "b": 2}\n'))?.format).toBe('json');
    expect(detectFormat('data.txt', enc('a;b\n1;2\n'))?.format).toBe('csv');
    expect(detectFormat('data', new Uint8Array([0, 1, 2, 3, 0, 0, 7, 8]))).toBeNull();
    expect(FORMATS.map((f) => f.format)).toEqual(['arrow', 'parquet', 'images', 'ndjson', 'json', 'csv']);
  });

  it('each plug-in answers match(name, head) by itself', () => {
    const csv = FORMATS.find((f) => f.format === 'csv')!;
    const json = FORMATS.find((f) => f.format === 'json')!;
    expect(csv.match('x.csv', enc('a'))).toBe(true);
    expect(json.match('x.bin', enc('[1]'))).toBe(true);
    expect(json.match('x.bin', enc('a,b'))).toBe(false);
  });
});

describe('importSources', () => {
  it('imports each format through the registry', async () => {
    const csv = await importOne(source('a.txt', 'x,y\n1,2\n'));
    expect(csv.summary.format).toBe('csv');
    expect(csv.table).toEqual({ x: [1], y: [2] });
    const ndjson = await importOne(source('a.log', '{"x": 1}\n{"x": 2}\n'));
    expect(ndjson.summary.format).toBe('ndjson');
    expect(ndjson.table).toEqual({ x: [1, 2] });
    const json = await importOne(source('a', '[{"x": true}]'));
    expect(json.summary.format).toBe('json');
    const tsv = await importOne(source('a.tsv', 'x\ty\n1\t2\n'));
    expect(tsv.summary.format).toBe('tsv');
  });

  it('counts nulls over all batches', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i % 3 === 0 ? '' : i},${i % 2 === 0 ? 'NA' : 'x'}`);
    const { summary, sink } = await importOne(source('n.csv', 'a,b\n' + rows.join('\n')), { batchRows: 4 });
    expect(sink.batches.length).toBe(3);
    // a is empty at rows 0, 3, 6, 9; b is NA at the 5 even rows
    expect(summary.columns).toEqual([
      { name: 'a', type: 'integer', nullCount: 4 },
      { name: 'b', type: 'categorical', nullCount: 5 },
    ]);
  });

  it('too-large before reading anything', async () => {
    const src = source('big.csv', 'a\n1\n');
    await expectDataError(importSources([src], new MemorySink(), { maxBytes: 3 }), 'too-large', { file: 'big.csv', params: { size: 4, limit: 3 } });
    await expectDataError(importSources([source('1.png', 'abcd'), source('2.png', 'efgh')], new MemorySink(), { maxBytes: 7 }), 'too-large', {
      file: '2 files',
      params: { size: 8, limit: 7 },
    });
    // at the limit is fine
    const ok = await importSources([src], new MemorySink(), { maxBytes: 4 });
    expect(ok.rowCount).toBe(1);
  });

  it('empty-file for a 0-byte file of any kind', async () => {
    for (const name of ['a.csv', 'a.json', 'a.parquet', 'a.arrow', 'a.zip', 'a']) {
      await expectDataError(importSources([source(name, '')], new MemorySink()), 'empty-file', { file: name });
    }
  });

  it('unknown-format for binary bytes no format claims', async () => {
    await expectDataError(importSources([source('blob.bin', new Uint8Array([0, 159, 146, 150, 0, 1]))], new MemorySink()), 'unknown-format', { file: 'blob.bin' });
  });

  it('no-columns for a table without columns', async () => {
    await expectDataError(importSources([source('e.json', '[{}]')], new MemorySink()), 'no-columns', { file: 'e.json' });
    const empty = tableToIPC(tableFromArrays({}), 'stream');
    await expectDataError(importSources([source('e.arrows', empty)], new MemorySink()), 'no-columns', { file: 'e.arrows' });
  });

  it('several files go to the image importer', async () => {
    const png = encodePng(new Uint8Array([0]), 1, 1, 1);
    const { summary, table } = await importOne([source('a/1.png', png), source('b/2.png', png)]);
    expect(summary.format).toBe('images');
    expect(table.label).toEqual(['a', 'b']);
    await expectDataError(importSources([source('a.csv', 'x\n1\n'), source('b.csv', 'x\n2\n')], new MemorySink()), 'no-images', { file: '2 files' });
  });
});
