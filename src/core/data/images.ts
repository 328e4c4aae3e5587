/**
 * Images from loose files and/or zips, as a table of three columns: image (the encoded bytes as given),
 * label (categorical: the name of the file's parent folder, null at the top level) and path (text).
 *
 * Images are recognized by their bytes (PNG, JPEG, GIF, WebP, BMP), not their names. Other files are
 * skipped and counted in one warning, and so are zip folders, __MACOSX/ entries and AppleDouble "._"
 * files. A file whose name says image but whose bytes are not one is an error ('bad-image'), since it
 * is most likely broken. Every PNG is checked to decode (pngProblem), and with `checkImage` (the
 * browser's decoder) every other image is decoded: one image file that does not decode is refused
 * ('undecodable-image'); in a zip or a set of files it is left out and listed in a warning, as are zip
 * entries that cannot be unpacked (a compression method fflate does not know, damaged data). So no row
 * holds an image the app cannot show.
 * Zips are read as a stream (fflate's Unzip), so memory stays bounded by a batch; a batch is cut at
 * batchRows rows or MAX_BATCH_BYTES of image bytes, whichever comes first.
 */
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { BatchEmitter, batchRowsOf, TableBuilder, throwIfCancelled } from './batcher';
import { DataError } from './errors';
import { concatBytes, readAll, readHead } from './io';
import { pngProblem, sniffImage, type ImageFormat } from './png';
import type { BatchSink, ImportOptions, ImportSource, ImportSummary, ImportWarning } from './types';

/** Bytes of image data per batch (one IndexedDB record) at most, besides the row limit. */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;

export const IMAGE_NAME = /\.(png|jpe?g|gif|webp|bmp)$/i;

export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** The label of an image path: its parent folder's name, or null for a file at the top level. */
export function labelOf(path: string): string | null {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts.length >= 2 ? parts[parts.length - 2]! : null;
}

/** Entries that are never data: folders, macOS resource forks and Finder/Explorer litter. */
function isJunk(path: string): boolean {
  const base = path.split(/[\\/]/).pop() ?? '';
  return path.startsWith('__MACOSX/') || path.includes('/__MACOSX/') || base.startsWith('._') || base === '.DS_Store' || base === 'Thumbs.db';
}

interface Found {
  path: string;
  bytes: Uint8Array;
  /** Set for a zip entry that could not be unpacked (a compression method fflate does not know, damaged data). */
  unreadable?: true;
}

/** Images decoded at once by `checkImage`; each one's bytes are held until its turn to be stored. */
const CHECKS_IN_FLIGHT = 8;

/** Up to three of the paths, for a warning (junk entries are counted, not named). */
function examplesOf(paths: string[]): string {
  const examples = paths.filter((p) => !isJunk(p)).slice(0, 3);
  return examples.join(', ') + (paths.length > examples.length ? ', …' : '');
}

export async function importImages(sources: ImportSource[], sink: BatchSink, opts: ImportOptions = {}): Promise<ImportSummary> {
  const label = sources.length === 1 ? sources[0]!.name : `${sources.length} files`;
  const total = sources.reduce((n, s) => n + s.size, 0);
  const emitter = new BatchEmitter(sink, opts, label, total);
  const builder = new TableBuilder(
    [
      { name: 'image', type: 'image' },
      { name: 'label', type: 'categorical' },
      { name: 'path', type: 'text' },
    ],
    emitter,
    batchRowsOf(opts),
  );
  const skipped: string[] = [];
  /** Images that did not decode and zip entries that could not be unpacked: left out, listed in a warning. */
  const undecodable: string[] = [];
  let firstUndecodable: { where: string; why: string } | null = null;
  // one loose image file is refused when it does not decode; a zip or a set of files goes on without it
  let many = sources.length > 1;
  let pendingBytes = 0;
  let images = 0;
  let doneBytes = 0;
  const checking: { found: Found; bytesSoFar: number; where: string; format: ImageFormat; why: Promise<string | null> }[] = [];

  const store = async (found: Found, bytesSoFar: number) => {
    images++;
    builder.set(0, found.bytes);
    builder.set(1, labelOf(found.path));
    builder.set(2, found.path);
    pendingBytes += found.bytes.length;
    if (builder.endRow() || pendingBytes >= MAX_BATCH_BYTES) {
      pendingBytes = 0;
      await builder.flush(bytesSoFar);
    }
  };
  const leaveOut = (found: Found, where: string, why: string) => {
    undecodable.push(found.path);
    firstUndecodable ??= { where, why };
  };
  /** Store (or leave out) the oldest checked images, in order, until at most `keep` are being decoded. */
  const settle = async (keep: number) => {
    while (checking.length > keep) {
      const c = checking.shift()!;
      const why = await c.why;
      if (why === null) await store(c.found, c.bytesSoFar);
      else if (many) leaveOut(c.found, c.where, why);
      else throw new DataError('undecodable-image', { file: c.where, params: { detail: why } }, `the bytes start like a ${c.format.toUpperCase()} image but do not decode: ${why}`);
    }
  };

  const add = async (found: Found, bytesSoFar: number, where: string) => {
    if (isJunk(found.path)) {
      skipped.push(found.path);
      return;
    }
    if (found.unreadable) {
      leaveOut(found, where, 'the zip entry cannot be unpacked');
      return;
    }
    const format = sniffImage(found.bytes);
    if (format === null) {
      if (IMAGE_NAME.test(found.path)) {
        throw new DataError('bad-image', { file: where }, 'the name says image, but the bytes are not a PNG, JPEG, GIF, WebP or BMP image');
      }
      skipped.push(found.path);
      return;
    }
    // PNGs (MNIST-sized ones by the ten thousand) are checked here, which is far cheaper than the browser's
    // decoder; the other formats by `checkImage` where there is one
    const check = opts.checkImage;
    const why = format === 'png' ? Promise.resolve(pngProblem(found.bytes)) : check ? check(found.bytes).catch((e: unknown) => (e instanceof Error ? e.message : String(e))) : null;
    if (why === null) return store(found, bytesSoFar); // nothing is being checked: the queue is empty
    checking.push({ found, bytesSoFar, where, format, why });
    await settle(CHECKS_IN_FLIGHT - 1);
  };

  for (const source of sources) {
    throwIfCancelled(opts.signal, source.name);
    const head = await readHead(source, 4);
    if (isZip(head)) {
      many = true;
      await readZip(source, opts, async (found, bytes) => add(found, doneBytes + bytes, `${source.name}/${found.path}`));
    } else {
      await add({ path: source.name, bytes: await readAll(source) }, doneBytes + source.size, source.name);
    }
    doneBytes += source.size;
  }
  await settle(0);
  if (images === 0 && firstUndecodable) {
    const { where, why } = firstUndecodable;
    throw new DataError('undecodable-image', { file: where, params: { detail: why } }, `no image of the import decodes; this one: ${why}`);
  }
  if (images === 0) throw new DataError('no-images', { file: label }, 'no PNG, JPEG, GIF, WebP or BMP images found');
  pendingBytes = 0;
  await builder.flush(total);
  const warnings: ImportWarning[] = [];
  if (undecodable.length > 0) {
    const list = examplesOf(undecodable);
    warnings.push({
      code: 'undecodable-files',
      params: { count: undecodable.length, examples: list },
      message: `Left out ${undecodable.length} file${undecodable.length === 1 ? '' : 's'} that could not be unpacked or decoded as an image (${list}).`,
    });
  }
  if (skipped.length > 0) {
    const list = examplesOf(skipped);
    warnings.push({
      code: 'skipped-files',
      params: { count: skipped.length, examples: list },
      message: `Skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not an image${list ? ` (${list})` : ''}.`,
    });
  }
  return emitter.summary('images', warnings);
}

const ZIP_SLICE = 16 * 1024;

/** Stream the files of a zip to `each` (folders left out), one whole file at a time. */
async function readZip(
  source: ImportSource,
  opts: ImportOptions,
  each: (found: Found, bytes: number) => Promise<void>,
): Promise<void> {
  const ready: Found[] = [];
  const unzip = new Unzip((file: UnzipFile) => {
    if (file.name.endsWith('/')) return; // a folder entry
    const parts: Uint8Array[] = [];
    // an entry that cannot be unpacked (a compression method fflate does not know, damaged deflate data)
    // is left out and listed in the import's warnings; the entries after it are read as usual
    let unreadable = false;
    const leaveOut = () => {
      if (unreadable) return;
      unreadable = true;
      ready.push({ path: file.name, bytes: new Uint8Array(0), unreadable: true });
    };
    file.ondata = (err, chunk, final) => {
      if (unreadable) return;
      if (err) return leaveOut();
      parts.push(chunk);
      if (final) ready.push({ path: file.name, bytes: concatBytes(parts) });
    };
    try {
      file.start();
    } catch {
      leaveOut();
    }
  });
  unzip.register(UnzipInflate);
  const reader = source.stream().getReader();
  let bytes = 0;
  const drain = async () => {
    while (ready.length > 0) await each(ready.shift()!, bytes);
  };
  try {
    for (;;) {
      throwIfCancelled(opts.signal, source.name);
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      // fflate's Unzip recurses once per entry found in a pushed chunk, so a big chunk of many small
      // stored files (a zip of PNGs) overflows the stack: feed it in slices.
      for (let at = 0; at < value.length; at += ZIP_SLICE) {
        unzip.push(value.subarray(at, at + ZIP_SLICE), false);
        await drain();
      }
    }
    unzip.push(new Uint8Array(0), true);
    await drain();
  } finally {
    await reader.cancel().catch(() => {});
  }
}
