/**
 * Property tests of the CSV path.
 *
 * Round trip: a random table of random strings, written by our exporter and imported again. How values
 * and types are compared: CSV carries strings only, so the imported column type must be exactly what
 * infer.ts says for the original strings (all rows are in the first batch), and each cell must be the
 * original string converted by that type, with missing-value tokens ("" NA null ...) as null. For text
 * and categorical columns that means the very same string.
 *
 * Chunking: any split of the input bytes into stream chunks (and any batch size) gives the same summary
 * and table as reading it in one piece, or the same error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBatch, encodeBatch } from '../../../src/core/data/arrow';
import { importCsv, uniqueColumnNames } from '../../../src/core/data/csv';
import { DataError } from '../../../src/core/data/errors';
import { exportCsv } from '../../../src/core/data/export';
import { inferStringColumn, isMissingToken, parseBooleanToken, parseDateTimeToken, parseNumberToken } from '../../../src/core/data/infer';
import type { ColumnType } from '../../../src/core/data/types';
import { chunkedSource, collect, columnsOf, MemorySink, source, tableOf, type Cell } from './helpers';

const specials = ['"', '""', ',', '\t', '\n', '\r', '\r\n', ' ', ';', '|', 'é', '中', '😀', 'NA', '1', '2.5', 'true', '2024-01-02', '\uFEFF'];

/** Strings with the characters that trouble CSV, mixed with random Unicode. */
const cellString = fc
  .array(fc.oneof(fc.constantFrom(...specials), fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 5 })
  .map((parts) => parts.join(''));

/** Whole columns of numbers, booleans, dates or category values, so typed columns are tried too. */
const typedColumn = (rows: number) =>
  fc.oneof(
    fc.array(fc.integer({ min: -1e6, max: 1e6 }).map(String), { minLength: rows, maxLength: rows }),
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map(String), { minLength: rows, maxLength: rows }),
    fc.array(fc.constantFrom('true', 'false', 'TRUE', ''), { minLength: rows, maxLength: rows }),
    fc.array(fc.constantFrom('2024-01-02', '2023-12-31T23:59:59.5Z', 'NA'), { minLength: rows, maxLength: rows }),
    fc.array(fc.constantFrom('red', 'green', 'blue'), { minLength: rows, maxLength: rows }),
    fc.array(cellString, { minLength: rows, maxLength: rows }),
  );

const table = fc
  .record({ rows: fc.integer({ min: 1, max: 30 }), cols: fc.integer({ min: 1, max: 4 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      names: fc.uniqueArray(
        cellString.filter((s) => s.trim() !== ''),
        { minLength: cols, maxLength: cols },
      ),
      columns: fc.array(typedColumn(rows), { minLength: cols, maxLength: cols }),
    }),
  );

function expected(s: string, type: ColumnType): Cell {
  if (isMissingToken(s)) return null;
  switch (type) {
    case 'number':
    case 'integer':
      return parseNumberToken(s);
    case 'boolean':
      return parseBooleanToken(s) === 1;
    case 'datetime':
      return parseDateTimeToken(s);
    default:
      return s;
  }
}

async function exportStrings(names: string[], columns: string[][]): Promise<string> {
  const rows = columns[0]!.length;
  const batch = buildBatch(
    names.map((name, j) => ({ name, values: { type: 'text' as const, values: columns[j]! } })),
    rows,
  );
  // the names go in as the version's column list, as the app passes them
  return (await collect(exportCsv([encodeBatch(batch)], names.map((name) => ({ name, type: 'text' }))))).join('');
}

type Outcome = { ok: true; summary: unknown; table: unknown } | { ok: false; code: string; row: number | undefined };

async function outcome(run: () => Promise<{ summary: unknown; sink: MemorySink }>): Promise<Outcome> {
  try {
    const { summary, sink } = await run();
    return { ok: true, summary, table: tableOf(sink.batches) };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return { ok: false, code: e.code, row: e.details.row };
  }
}

describe('CSV properties', () => {
  it('export then import round-trips random tables of random strings', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ names, columns }) => {
        const text = await exportStrings(names, columns);
        const sink = new MemorySink();
        const summary = await importCsv(source('p.csv', text), sink);
        expect(summary.rowCount).toBe(columns[0]!.length);
        // names come back as written, except that a leading U+FEFF is dropped (and a name it then repeats renamed)
        expect(summary.columns.map((c) => c.name)).toEqual(uniqueColumnNames(names).names);
        const got = columnsOf(sink.batches);
        names.forEach((_, j) => {
          const type = inferStringColumn(columns[j]!);
          expect(summary.columns[j]!.type).toBe(type);
          expect(got[j]).toEqual(columns[j]!.map((s) => expected(s, type)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('any split of the stream and any batch size give the same result as one piece', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.array(fc.nat({ max: 4000 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 7 }),
        async ({ names, columns }, cuts, batchRows) => {
          const bytes = new TextEncoder().encode(await exportStrings(names, columns));
          const whole = await outcome(async () => {
            const sink = new MemorySink();
            return { summary: await importCsv(source('c.csv', bytes), sink, { batchRows }), sink };
          });
          const split = await outcome(async () => {
            const sink = new MemorySink();
            const cutAt = cuts.map((c) => c % (bytes.length + 1));
            return { summary: await importCsv(chunkedSource('c.csv', bytes, cutAt), sink, { batchRows, parseChars: 1 }), sink };
          });
          expect(split).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('raw CSV-like text: any split gives the same table or the same error', async () => {
    const alphabet = fc.constantFrom('a', 'b', '1', ',', ';', '"', '\n', '\r\n', '\r', ' ', 'é', '');
    const text = fc.array(alphabet, { minLength: 1, maxLength: 300 }).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat({ max: 400 }), { maxLength: 10 }), async (t, cuts) => {
        const bytes = new TextEncoder().encode(t);
        const whole = await outcome(async () => {
          const sink = new MemorySink();
          return { summary: await importCsv(source('r.csv', bytes), sink, { batchRows: 3 }), sink };
        });
        const split = await outcome(async () => {
          const sink = new MemorySink();
          return { summary: await importCsv(chunkedSource('r.csv', bytes, cuts), sink, { batchRows: 3, parseChars: 1 }), sink };
        });
        expect(split).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
