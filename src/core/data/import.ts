/**
 * The import entry point and the format registry (in the style of Netron's model formats: each format
 * is a plug-in that says whether it recognizes a file and then imports it).
 *
 * Choosing a format: several files -> images (loose images and/or zips). One file: first by magic bytes
 * over all formats (Arrow "ARROW1" or a stream's continuation marker, Parquet "PAR1", zip "PK\3\4", image
 * signatures), then by extension, then by sniffing the text ('[' or '{' -> JSON, lines of objects ->
 * NDJSON, other text -> CSV). Binary bytes that no format claims -> 'unknown-format'.
 */
import { importArrow, isArrowFile, isArrowStream } from './arrowfile';
import { importCsv, looksBinary } from './csv';
import { DataError } from './errors';
import { importImages, isZip } from './images';
import { findInvalidUtf8, readHead } from './io';
import { importJson, importNdjson } from './json';
import { importParquet } from './parquet';
import { sniffImage } from './png';
import type { BatchSink, ImportOptions, ImportSource, ImportSummary, SourceFormat } from './types';

export interface FormatPlugin {
  readonly format: SourceFormat;
  /** Recognizes a file by its first bytes (magic numbers): the strongest evidence. */
  magic?(head: Uint8Array): boolean;
  /** Recognizes a file by its name. */
  readonly extension?: RegExp;
  /** Recognizes text by its start, when neither bytes nor name decided. */
  sniff?(text: string, head: Uint8Array): boolean;
  /** Whether this format claims the file by any of the above (magic, then extension, then sniffing). */
  match(name: string, head: Uint8Array): boolean;
  import(sources: ImportSource[], sink: BatchSink, opts: ImportOptions): Promise<ImportSummary>;
}

type PluginSpec = Omit<FormatPlugin, 'match'>;

function plugin(spec: PluginSpec): FormatPlugin {
  return {
    ...spec,
    match(name: string, head: Uint8Array) {
      if (spec.magic?.(head)) return true;
      if (spec.extension?.test(name)) return true;
      return spec.sniff ? spec.sniff(headText(head), head) : false;
    },
  };
}

/** Bytes read from the start of a file for detection. */
export const HEAD_BYTES = 64 * 1024;

const decoder = new TextDecoder();

/** The head as text, when it is text: '' for binary or invalid UTF-8. */
function headText(head: Uint8Array): string {
  if (looksBinary(head.subarray(0, 8192)) || findInvalidUtf8(head, true) >= 0) return '';
  return decoder.decode(head).replace(/^\uFEFF/, '');
}

function firstLines(text: string, n: number): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    lines.push(line.trim());
    if (lines.length === n) break;
  }
  return lines;
}

function isJsonObjectLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

export const arrowFormat = plugin({
  format: 'arrow',
  magic: (head) => isArrowFile(head) || isArrowStream(head),
  extension: /\.(arrow|arrows|feather|ipc)$/i,
  import: (sources, sink, opts) => importArrow(sources[0]!, sink, opts),
});

export const parquetFormat = plugin({
  format: 'parquet',
  magic: (head) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31,
  extension: /\.(parquet|pq)$/i,
  import: (sources, sink, opts) => importParquet(sources[0]!, sink, opts),
});

export const imagesFormat = plugin({
  format: 'images',
  magic: (head) => isZip(head) || sniffImage(head) !== null,
  extension: /\.(zip|png|jpe?g|gif|webp|bmp)$/i,
  import: (sources, sink, opts) => importImages(sources, sink, opts),
});

export const ndjsonFormat = plugin({
  format: 'ndjson',
  extension: /\.(ndjson|jsonl)$/i,
  sniff: (text) => {
    const lines = firstLines(text, 2);
    return lines.length === 2 && isJsonObjectLine(lines[0]!) && lines[1]!.startsWith('{');
  },
  import: (sources, sink, opts) => importNdjson(sources[0]!, sink, opts),
});

export const jsonFormat = plugin({
  format: 'json',
  extension: /\.json$/i,
  sniff: (text) => /^\s*[[{]/.test(text),
  import: (sources, sink, opts) => importJson(sources[0]!, sink, opts),
});

export const csvFormat = plugin({
  format: 'csv',
  extension: /\.(csv|tsv|tab)$/i,
  // any other text; headText() is '' for binary bytes, but an empty file is text too
  sniff: (text, head) => text !== '' || head.length === 0,
  import: (sources, sink, opts) => importCsv(sources[0]!, sink, opts),
});

/** The registry, in the order sniffing tries them (NDJSON before JSON: both may start with '{'). */
export const FORMATS: readonly FormatPlugin[] = [arrowFormat, parquetFormat, imagesFormat, ndjsonFormat, jsonFormat, csvFormat];

/** The format for one file: magic bytes first over all formats, then the extension, then sniffing. */
export function detectFormat(name: string, head: Uint8Array, formats: readonly FormatPlugin[] = FORMATS): FormatPlugin | null {
  return (
    formats.find((f) => f.magic?.(head)) ??
    formats.find((f) => f.extension?.test(name)) ??
    (() => {
      const text = headText(head);
      return formats.find((f) => f.sniff?.(text, head)) ?? null;
    })()
  );
}

function describe(sources: readonly ImportSource[]): string {
  return sources.length === 1 ? sources[0]!.name : `${sources.length} files`;
}

/** Import one file, or several images/zips, into batches written to `sink` (`format` skips detection). */
export async function importSources(
  sources: ImportSource[],
  sink: BatchSink,
  opts: ImportOptions & { maxBytes?: number; format?: SourceFormat } = {},
): Promise<ImportSummary> {
  if (sources.length === 0) throw new RangeError('importSources needs at least one source');
  const file = describe(sources);
  const size = sources.reduce((n, s) => n + s.size, 0);
  if (opts.maxBytes !== undefined && size > opts.maxBytes) {
    throw new DataError('too-large', { file, params: { size, limit: opts.maxBytes } }, `${size} bytes is over the import limit of ${opts.maxBytes}`);
  }
  if (sources.length === 1 && size === 0) throw new DataError('empty-file', { file }, 'the file is empty (0 bytes)');
  const { maxBytes: _, format: forced, ...importOpts } = opts;
  let format: FormatPlugin | null;
  // The person said what it is (e.g. an image folder): believe them, so a stray readme is not a table.
  if (forced) format = FORMATS.find((f) => f.format === forced) ?? null;
  else if (sources.length > 1) format = imagesFormat;
  else format = detectFormat(sources[0]!.name, await readHead(sources[0]!, HEAD_BYTES));
  if (!format) throw new DataError('unknown-format', { file }, 'no importer recognizes this file');
  const summary = await format.import(sources, sink, importOpts);
  if (summary.columns.length === 0) throw new DataError('no-columns', { file }, 'the table has no columns');
  return summary;
}
