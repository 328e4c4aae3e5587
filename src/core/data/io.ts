/** Reading ImportSources: the first bytes, the last bytes, the whole file, or UTF-8 text as a stream. */
import type { AsyncBuffer } from 'hyparquet';
import type { ImportSource } from './types';

/** The first `n` bytes (fewer if the file is shorter). Reads no more than needed. */
export async function readHead(source: ImportSource, n: number): Promise<Uint8Array> {
  if (source.slice) return new Uint8Array(await source.slice(0, Math.min(n, source.size)).arrayBuffer());
  const reader = source.stream().getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  try {
    while (got < n) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      got += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return concatBytes(parts, Math.min(got, n));
}

/** The last `n` bytes, when the source allows random access; otherwise null. */
export async function readTail(source: ImportSource, n: number): Promise<Uint8Array | null> {
  if (!source.slice) return null;
  const start = Math.max(0, source.size - n);
  return new Uint8Array(await source.slice(start, source.size).arrayBuffer());
}

export async function readAll(source: ImportSource): Promise<Uint8Array> {
  return new Uint8Array(await source.arrayBuffer());
}

export function concatBytes(parts: readonly Uint8Array[], limit = Infinity): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  total = Math.min(total, limit);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    if (o >= total) break;
    const take = Math.min(p.length, total - o);
    out.set(take === p.length ? p : p.subarray(0, take), o);
    o += take;
  }
  return out;
}

/**
 * A hyparquet AsyncBuffer over a source: random access through slice() when the source has it (memory
 * then stays bounded by what the reader asks for), else the whole file in memory.
 */
export async function asyncBufferOf(source: ImportSource): Promise<AsyncBuffer> {
  if (source.slice) {
    const slice = source.slice.bind(source);
    return { byteLength: source.size, slice: (start: number, end?: number) => slice(start, end ?? source.size).arrayBuffer() };
  }
  const all = await source.arrayBuffer();
  return { byteLength: all.byteLength, slice: (start: number, end?: number) => all.slice(start, end) };
}

/**
 * Index of the first byte that starts an invalid UTF-8 sequence, or -1. Up to three leading continuation
 * bytes are skipped: a chunk of a stream may begin in the middle of a character.
 */
export function findInvalidUtf8(b: Uint8Array, allowTruncatedEnd = true): number {
  let i = 0;
  while (i < 3 && i < b.length && (b[i]! & 0xc0) === 0x80) i++;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if ((c & 0xe0) === 0xc0) {
      need = 1;
      min = 0x80;
    } else if ((c & 0xf0) === 0xe0) {
      need = 2;
      min = 0x800;
    } else if ((c & 0xf8) === 0xf0) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= b.length) {
      // the sequence runs past the end: fine for a chunk of a stream (the next chunk continues it)
      if (!allowTruncatedEnd) return i;
      for (let k = i + 1; k < b.length; k++) if ((b[k]! & 0xc0) !== 0x80) return i;
      return -1;
    }
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Thrown by decodeStream when the bytes are not UTF-8; `newlines` counts '\n' before the bad byte in its chunk. */
export class Utf8Error extends Error {
  constructor(readonly newlines: number) {
    super('invalid UTF-8');
  }
}

function countNewlines(b: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 10) n++;
  return n;
}

export interface TextChunk {
  text: string;
  /** Bytes of the input consumed so far. */
  bytes: number;
}

/**
 * The source as UTF-8 text, chunk by chunk (fatal decoder in stream mode, BOM stripped). Throws
 * Utf8Error on invalid bytes. `first` is called with the first bytes before any decoding (the CSV
 * importer checks them for binary junk).
 */
export async function* decodeStream(source: ImportSource, first?: (head: Uint8Array) => void): AsyncGenerator<TextChunk> {
  const reader = source.stream().getReader();
  // ignoreBOM false: the decoder drops a leading BOM itself
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  // chunks held back until the first 8 KB can be checked (streams may hand out tiny chunks); they are
  // then decoded one by one, so the chunk boundaries downstream stay those of the stream
  let held: Uint8Array[] | null = first ? [] : null;
  let heldBytes = 0;
  const release = function* (): Generator<TextChunk> {
    const parts = held!;
    held = null;
    first!(concatBytes(parts, 8192));
    let at = bytes - heldBytes;
    for (const p of parts) {
      at += p.length;
      yield { text: decodeChunk(decoder, p, true), bytes: at };
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (held) {
        held.push(value);
        heldBytes += value.length;
        if (heldBytes >= 8192) yield* release();
        continue;
      }
      yield { text: decodeChunk(decoder, value, true), bytes };
    }
    if (held) yield* release();
    const tail = decodeChunk(decoder, new Uint8Array(0), false);
    if (tail) yield { text: tail, bytes };
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function decodeChunk(decoder: TextDecoder, chunk: Uint8Array, stream: boolean): string {
  try {
    return decoder.decode(chunk, { stream });
  } catch {
    const at = findInvalidUtf8(chunk, stream);
    throw new Utf8Error(countNewlines(chunk, at < 0 ? chunk.length : at));
  }
}
