/**
 * Streaming CSV/TSV import with bounded memory: bytes -> UTF-8 text -> records -> batches of batchRows.
 *
 * Tokenizing is papaparse's. Papa.parse() streams only from a browser File (FileReader, which Node does
 * not have) or a Node stream (which a Worker does not have), not from a web ReadableStream. So we drive
 * papaparse's core Parser the way its own ChunkStreamer does: parse(text, 0, ignoreLastRow = true)
 * returns the complete records and meta.cursor, the end of the last one; the rest (an incomplete record,
 * maybe inside a quoted field with newlines) is carried over and parsed again with the next text. The
 * last call passes ignoreLastRow = false. This is the same code path in a Worker and in Node.
 *
 * Types are inferred from the first batch. A later cell that does not fit its column's type switches the
 * import to checking only: it reads on to the end, widening types as needed (integer -> number, else
 * -> text), then calls sink.reset() and imports again once with the final types. Nothing becomes null
 * silently. A column with no value in the first batch is provisionally text and gets its type from the
 * first batch that has values.
 *
 * Other rules: the first non-blank record is the header; in a table of two or more columns blank lines
 * are skipped, in a one-column table an empty line is a missing value. Header names are kept as written
 * (not trimmed); empty names become column_N and repeats get _2, _3 with a warning each.
 */
import Papa, { type ParseError, type Parser } from 'papaparse';
import { BatchEmitter, batchRowsOf, throwIfCancelled } from './batcher';
import { CellColumn, widenToFit } from './convert';
import { DataError } from './errors';
import { hasValues, inferStringColumn, inferStrings, isMissingToken } from './infer';
import { decodeStream, Utf8Error } from './io';
import type { BatchSink, ColumnType, ImportOptions, ImportSource, ImportSummary, ImportWarning } from './types';

export interface CsvOptions extends ImportOptions {
  /** Use this separator instead of detecting it. */
  delimiter?: string;
  /** Characters of text per parser call (default 64 Ki); small values exercise the carry-over in tests. */
  parseChars?: number;
}

export const DELIMITERS = [',', '\t', ';', '|'] as const;
/** Characters of text per parser call: 64 Ki measured fastest (bigger chunks keep more cells alive past
 * a young-generation collection; smaller ones re-parse more carried tails). */
const PARSE_CHARS = 1 << 16;
const SNIFF_CHARS = 1 << 16;
const SNIFF_LINES = 20;

/** Split the start of a CSV text into lines and count each candidate outside quotes. */
function sniffLines(sample: string, complete: boolean): { counts: number[][]; newline: '\n' | '\r\n' | '\r' | null } {
  const counts: number[][] = [];
  let line = DELIMITERS.map(() => 0);
  let inQuotes = false;
  let newline: '\n' | '\r\n' | '\r' | null = null;
  let blank = true;
  const end = Math.min(sample.length, SNIFF_CHARS);
  for (let i = 0; i < end && counts.length < SNIFF_LINES; i++) {
    const c = sample[i]!;
    if (c === '"') {
      inQuotes = !inQuotes; // a doubled quote toggles twice: still right
      blank = false;
    } else if (!inQuotes && (c === '\n' || c === '\r')) {
      if (newline === null) newline = c === '\r' ? (sample[i + 1] === '\n' ? '\r\n' : i + 1 < sample.length || complete ? '\r' : '\r\n') : '\n';
      if (c === '\r' && sample[i + 1] === '\n') i++;
      if (!blank) counts.push(line);
      line = DELIMITERS.map(() => 0);
      blank = true;
    } else if (!inQuotes) {
      const k = DELIMITERS.indexOf(c as (typeof DELIMITERS)[number]);
      if (k >= 0) line[k]!++;
      blank = false;
    }
  }
  // an unfinished last line only counts when it is the end of the file
  if (!blank && complete && end === sample.length) counts.push(line);
  return { counts, newline };
}

/**
 * The separator of a CSV text: among , tab ; | the one that splits the first lines (outside quotes) into
 * the same number of fields, preferring more fields; if none is consistent, the one that agrees with
 * the header on most lines, when that is at least half of them; else ','.
 */
export function detectDelimiter(sample: string, complete = true): string {
  const { counts } = sniffLines(sample, complete);
  if (counts.length === 0) return ',';
  let best = -1;
  let bestScore = 0;
  DELIMITERS.forEach((_, k) => {
    const header = counts[0]![k]!;
    if (header === 0) return;
    const agreeing = counts.filter((l) => l[k] === header).length;
    const consistent = agreeing === counts.length;
    if (!consistent && agreeing * 2 < counts.length) return;
    // consistent candidates win over the rest, then the most lines agreeing, then more fields
    const score = (consistent ? 1e9 : 0) + agreeing * 1e4 + header;
    if (score > bestScore) {
      best = k;
      bestScore = score;
    }
  });
  return best < 0 ? ',' : DELIMITERS[best]!;
}

/** The line break of a CSV text: the first one outside quotes, '\n' when there is none. */
export function detectNewline(sample: string, complete = true): '\n' | '\r\n' | '\r' {
  return sniffLines(sample, complete).newline ?? '\n';
}

/**
 * Unique, non-empty column names, with a warning for each one we changed. A leading U+FEFF is not part of
 * a name: arrow-js drops it when it decodes a schema, so "\uFEFFa" next to "a" would become two fields
 * called "a", which arrow-js then mixes up.
 */
export function uniqueColumnNames(written: readonly string[]): { names: string[]; warnings: ImportWarning[] } {
  const raw = written.map((r) => r.replace(/^\uFEFF+/, ''));
  const warnings: ImportWarning[] = [];
  const used = new Set<string>();
  // names as written are reserved first, so a later "a_2" keeps its name and a repeated "a" gets "a_3"
  for (const r of raw) if (r.trim() !== '') used.add(r);
  const firstSeen = new Set<string>();
  const names = raw.map((r, i) => {
    const empty = r.trim() === '';
    if (!empty && !firstSeen.has(r)) {
      firstSeen.add(r);
      return r;
    }
    const base = empty ? `column_${i + 1}` : r;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    warnings.push(
      empty
        ? { code: 'unnamed-column', params: { index: i + 1, name }, message: `Column ${i + 1} has no name; it is called "${name}".` }
        : {
            code: 'duplicate-column',
            params: { index: i + 1, original: r, name },
            message: `Column ${i + 1} "${r}" repeats an earlier name; it is called "${name}".`,
          },
    );
    return name;
  });
  return { names, warnings };
}

/** NUL bytes, or many control characters, in the first bytes: not a text file. */
export function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27) control++;
  }
  return control > 0 && control * 10 > head.length;
}

interface Records {
  rows: string[][];
  bytes: number;
}

/**
 * The records of a CSV text, a parse chunk at a time. `state.records` counts what was yielded so far,
 * for error rows.
 */
async function* readRecords(
  source: ImportSource,
  opts: CsvOptions,
  state: { delimiter: string; records: number },
): AsyncGenerator<Records> {
  const file = source.name;
  let parser: Parser | null = null;
  let carry = '';
  let pending: string[] = [];
  let pendingLength = 0;
  let bytes = 0;
  let sawText = false;
  const makeParser = (text: string, complete: boolean) => {
    const isTsv = /\.(tsv|tab)$/i.test(file);
    state.delimiter = opts.delimiter ?? (isTsv ? '\t' : detectDelimiter(text, complete));
    return new Papa.Parser({ delimiter: state.delimiter, newline: detectNewline(text, complete), quoteChar: '"' });
  };
  const checkHead = (head: Uint8Array) => {
    if (looksBinary(head)) throw new DataError('binary-file', { file }, 'this looks like a binary file, not text');
  };
  try {
    for await (const chunk of decodeStream(source, checkHead)) {
      throwIfCancelled(opts.signal, file);
      bytes = chunk.bytes;
      if (!sawText && /\S/.test(chunk.text)) sawText = true;
      pending.push(chunk.text);
      pendingLength += chunk.text.length;
      if (pendingLength < (opts.parseChars ?? PARSE_CHARS)) continue;
      // separator and line break are detected once, from enough lines of text
      if (!parser && pendingLength < SNIFF_CHARS && sniffLines(pending.join(''), false).counts.length < SNIFF_LINES) continue;
      const input = carry + pending.join('');
      pending = [];
      pendingLength = 0;
      parser ??= makeParser(input, false);
      const result = parser.parse(input, 0, true);
      carry = input.slice(result.meta.cursor);
      state.records += result.data.length;
      yield { rows: result.data, bytes };
    }
  } catch (e) {
    if (e instanceof Utf8Error) {
      const text = carry + pending.join('');
      let lines = e.newlines;
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
      // records so far include the header; the bad byte is on the line after `lines` more newlines
      const row = Math.max(1, state.records + lines);
      throw new DataError('not-utf8', { file, row }, `not valid UTF-8 near data row ${row}; save the file as UTF-8`);
    }
    throw e;
  }
  if (!sawText) throw new DataError('empty-file', { file }, 'the file is empty');
  const input = carry + pending.join('');
  parser ??= makeParser(input, true);
  const result = parser.parse(input, 0, false);
  const missing = (result.errors as ParseError[]).find((err) => err.code === 'MissingQuotes');
  if (missing) {
    const row = Math.max(1, state.records + (missing.row ?? 0));
    throw new DataError('bad-csv', { file, row, params: { detail: 'a quoted field never ends' } }, `a quoted field that starts in data row ${row} never ends`);
  }
  // text ending in a line break makes papaparse report one more, empty record after it: not a row
  const rows = result.data as string[][];
  const last = input.charCodeAt(input.length - 1);
  const tail = rows[rows.length - 1];
  if ((last === 10 || last === 13) && tail && tail.length === 1 && tail[0] === '') rows.pop();
  state.records += rows.length;
  yield { rows, bytes };
}

/** How the current pass treats batches: write them, or (after a type conflict) only check them. */
type Mode = 'write' | 'scan';

interface PassOutcome {
  summary: ImportSummary | null;
  /** Types for the restart, when a conflict was found. */
  types: ColumnType[] | null;
}

export async function importCsv(source: ImportSource, sink: BatchSink, opts: CsvOptions = {}): Promise<ImportSummary> {
  const file = source.name;
  if (source.size === 0) throw new DataError('empty-file', { file }, 'the file is empty (0 bytes)');
  const batchRows = batchRowsOf(opts);
  const emitter = new BatchEmitter(sink, opts, file, source.size);
  const first = await runPass(source, opts, emitter, batchRows, null);
  if (first.summary) return first.summary;
  await emitter.reset();
  const second = await runPass(source, opts, emitter, batchRows, first.types);
  if (!second.summary) throw new Error('CSV import: types changed again after widening');
  return second.summary;
}

async function runPass(
  source: ImportSource,
  opts: CsvOptions,
  emitter: BatchEmitter,
  batchRows: number,
  fixedTypes: ColumnType[] | null,
): Promise<PassOutcome> {
  const file = source.name;
  const state = { delimiter: ',', records: 0 };
  let names: string[] = [];
  let ncols = -1; // until the header is read
  let warnings: ImportWarning[] = [];
  let types: ColumnType[] | null = fixedTypes ? [...fixedTypes] : null;
  // columns with no value so far are text for now; each takes its type from the first batch with values
  let undecided: boolean[] = [];
  let late: string[][] = [];
  let mode: Mode = 'write';
  let dataRows = 0;
  let first: string[][] = []; // the first batch's rows, held until their types are inferred
  let cols: CellColumn[] = [];
  let inBatch = 0;
  let bytes = 0;

  const startColumns = (t: ColumnType[]) => {
    types = t;
    cols = t.map((type) => new CellColumn(type, batchRows));
    late = t.map(() => []);
    if (undecided.length === 0) undecided = t.map(() => false);
  };

  const inferFirst = (rows: string[][]) => {
    const t: ColumnType[] = [];
    undecided = [];
    for (let j = 0; j < ncols; j++) {
      let any = false;
      for (let i = 0; i < rows.length && !any; i++) any = !isMissingToken(rows[i]![j]!);
      undecided.push(!any);
      t.push(any ? inferStrings(rows.length, (i) => rows[i]![j]!) : 'text');
    }
    startColumns(t);
  };

  const endBatch = async () => {
    if (inBatch === 0) return;
    for (let j = 0; j < ncols; j++) {
      if (!undecided[j]) continue;
      const values = late[j]!;
      late[j] = [];
      if (!hasValues(values)) continue;
      undecided[j] = false;
      const t = inferStringColumn(values);
      if (t !== 'text') {
        types![j] = t;
        mode = 'scan';
      }
    }
    if (mode === 'write') {
      const named = cols.map((c, j) => ({ name: names[j]!, values: c.take(inBatch) }));
      await emitter.emit(named, inBatch, bytes);
      for (const c of cols) c.clear();
    } else emitter.progress(bytes);
    inBatch = 0;
  };

  /** Put rows[from..to) into batches: convert them (write mode) or only widen types (scan mode). */
  const feed = async (rows: string[][], from: number, to: number) => {
    let i = from;
    while (i < to) {
      const end = i + Math.min(to - i, batchRows - inBatch);
      for (let j = 0; j < ncols && mode === 'write'; j++) {
        const bad = cols[j]!.append(rows, j, i, end, inBatch);
        if (bad < 0) continue;
        if (fixedTypes) {
          throw new Error(`CSV import: "${rows[bad]![j]}" does not fit ${types![j]} after widening`);
        }
        // a cell that does not fit: from here on only check, then import again with wider types
        mode = 'scan';
      }
      if (mode === 'scan') {
        for (let j = 0; j < ncols; j++) if (!undecided[j]) types![j] = widenToFit(rows, j, i, end, types![j]!);
      }
      for (let j = 0; j < ncols; j++) {
        if (!undecided[j]) continue;
        const values = late[j]!;
        for (let r = i; r < end; r++) values.push(rows[r]![j]!);
      }
      inBatch += end - i;
      i = end;
      if (inBatch === batchRows) await endBatch();
    }
  };

  for await (const chunk of readRecords(source, opts, state)) {
    bytes = chunk.bytes;
    const good: string[][] = [];
    for (const record of chunk.rows) {
      const blank = record.length === 1 && record[0] === '';
      if (ncols < 0) {
        if (blank) continue;
        const header = uniqueColumnNames(record);
        names = header.names;
        warnings = header.warnings;
        ncols = names.length;
        if (fixedTypes) startColumns([...fixedTypes]);
        continue;
      }
      // blank lines separate nothing in a table of several columns; in one column they are missing values
      if (blank && ncols > 1) continue;
      dataRows++;
      if (record.length !== ncols) {
        throw new DataError(
          'ragged-row',
          { file, row: dataRows, params: { expected: ncols, actual: record.length } },
          `data row ${dataRows} has ${record.length} fields, the header has ${ncols}`,
        );
      }
      good.push(record);
    }
    if (types) {
      await feed(good, 0, good.length);
      continue;
    }
    // the first batch: hold its rows until there are batchRows of them, then infer the types
    let k = 0;
    while (k < good.length && first.length < batchRows) first.push(good[k++]!);
    if (first.length === batchRows) {
      inferFirst(first);
      const held = first;
      first = [];
      await feed(held, 0, held.length);
      await feed(good, k, good.length);
    }
  }
  if (ncols < 0 || dataRows === 0) {
    throw new DataError('empty-file', { file }, ncols < 0 ? 'the file is empty' : 'the file has a header but no data rows');
  }
  if (!types) {
    inferFirst(first);
    await feed(first, 0, first.length);
  }
  await endBatch();
  if ((mode as Mode) === 'scan') return { summary: null, types };
  const format = state.delimiter === '\t' ? 'tsv' : 'csv';
  return { summary: emitter.summary(format, warnings), types };
}
