import { describe, expect, it } from 'vitest';
import { importJson, importNdjson } from '../../../src/core/data/json';
import { chunkedSource, expectDataError, importOne, MemorySink, source } from './helpers';

describe('JSON', () => {
  it('reads an array of objects; the columns are the union of keys in first-seen order', async () => {
    const json = JSON.stringify([
      { id: 1, name: 'ann', tags: ['a', 'b'] },
      { id: 2, score: 2.5, when: '2024-01-02' },
      { id: 3, name: null, score: 1, when: '2024-01-03T10:00:00Z', ok: true },
    ]);
    const { summary, table, types } = await importOne(source('rows.json', json));
    expect(summary.format).toBe('json');
    expect(Object.keys(table)).toEqual(['id', 'name', 'tags', 'score', 'when', 'ok']);
    expect(types).toEqual({ id: 'integer', name: 'text', tags: 'text', score: 'number', when: 'datetime', ok: 'boolean' });
    expect(table).toEqual({
      id: [1, 2, 3],
      name: ['ann', null, null],
      tags: ['["a","b"]', null, null],
      score: [null, 2.5, 1],
      when: [null, Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3, 10)],
      ok: [null, null, true],
    });
    expect(summary.columns.map((c) => c.nullCount)).toEqual([0, 2, 2, 1, 1, 2]);
  });

  it('accepts {"data": [...]}, the split orientation, and column arrays', async () => {
    const expected = { a: [1, 2], b: ['x', 'y'] };
    for (const value of [
      { data: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }] },
      { columns: ['a', 'b'], data: [[1, 'x'], [2, 'y']] },
      { a: [1, 2], b: ['x', 'y'] },
    ]) {
      const { table } = await importOne(source('shape.json', JSON.stringify(value)));
      expect(table, JSON.stringify(value)).toEqual(expected);
    }
  });

  it('makes mixed columns text and keeps JSON strings as strings', async () => {
    const { types, table } = await importOne(source('m.json', '[{"v": 1, "z": "02134"}, {"v": "two", "z": "02134"}, {"v": {"k": 3}, "z": "10001"}, {"z": "10001"}]'));
    expect(types).toEqual({ v: 'text', z: 'categorical' });
    expect(table.v).toEqual(['1', 'two', '{"k":3}', null]);
    expect(table.z).toEqual(['02134', '02134', '10001', '10001']);
  });

  it('batches rows', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ i }));
    const { sink, table } = await importOne(source('b.json', JSON.stringify(rows)), { batchRows: 3 });
    expect(sink.batches.map((b) => b.rowCount)).toEqual([3, 3, 1]);
    expect(table.i).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('bad-json with the parser detail', async () => {
    const e = await expectDataError(importJson(source('bad.json', '[{"a": 1},\n {"a": }]'), new MemorySink()), 'bad-json', { file: 'bad.json' });
    expect(String(e.details.params?.detail)).toMatch(/JSON|token|position/i);
  });

  it('json-not-table for valid JSON that is not a table', async () => {
    await expectDataError(importJson(source('n.json', '42'), new MemorySink()), 'json-not-table', { file: 'n.json' });
    await expectDataError(importJson(source('n.json', '{"a": 1, "b": [1]}'), new MemorySink()), 'json-not-table');
    await expectDataError(importJson(source('n.json', '[{"a": 1}, 5]'), new MemorySink()), 'json-not-table', { row: 2 });
    await expectDataError(importJson(source('n.json', '{"a": [1, 2], "b": [1]}'), new MemorySink()), 'json-not-table');
  });

  it('empty-file for [] and no-columns for rows without keys', async () => {
    await expectDataError(importJson(source('e.json', '[]'), new MemorySink()), 'empty-file');
    await expectDataError(importJson(source('e.json', '  \n'), new MemorySink()), 'empty-file');
    await expectDataError(importJson(source('k.json', '[{}, {}]'), new MemorySink()), 'no-columns', { file: 'k.json' });
  });

  it('not-utf8 with the line', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('[{"a": 1},\n{"a": "'), 0xe9, ...new TextEncoder().encode('"}]')]);
    await expectDataError(importJson(source('l.json', bytes), new MemorySink()), 'not-utf8', { row: 2 });
  });
});

describe('NDJSON', () => {
  const text = '{"a": 1, "b": "x"}\n\n{"a": 2, "c": true}\r\n{"b": "y", "a": 3.5}';

  it('reads one object per line, skipping blank lines, with the union of keys', async () => {
    const { summary, table, types } = await importOne(source('rows.ndjson', text));
    expect(summary.format).toBe('ndjson');
    expect(types).toEqual({ a: 'number', b: 'text', c: 'boolean' });
    expect(table).toEqual({ a: [1, 2, 3.5], b: ['x', null, 'y'], c: [null, true, null] });
  });

  it('gives the same for any split of the stream and any batch size', async () => {
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { table } = await importOne(chunkedSource('rows.jsonl', bytes, [cut, cut + 7]), { batchRows: 2 });
      expect(table, `cut ${cut}`).toEqual({ a: [1, 2, 3.5], b: ['x', null, 'y'], c: [null, true, null] });
    }
  });

  it('bad-json naming the line, json-not-table for a line that is not an object', async () => {
    const e = await expectDataError(importNdjson(source('b.ndjson', '{"a": 1}\n\n{"a": 2,}\n'), new MemorySink()), 'bad-json', { file: 'b.ndjson', row: 3 });
    expect(e.details.params?.detail).toBeTruthy();
    await expectDataError(importNdjson(source('b.ndjson', '{"a": 1}\n[1, 2]\n'), new MemorySink()), 'json-not-table', { row: 2 });
    await expectDataError(importNdjson(source('b.ndjson', '\n\n'), new MemorySink()), 'empty-file');
    await expectDataError(importNdjson(source('b.ndjson', '{}\n{}\n'), new MemorySink()), 'no-columns');
  });
});
