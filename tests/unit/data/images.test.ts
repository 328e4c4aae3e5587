import { unzlibSync, zipSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importImages, labelOf } from '../../../src/core/data/images';
import type { ImageCheck } from '../../../src/core/data/types';
import { encode as fastPngEncode } from 'fast-png';
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { crc32, decodePlainPng, encodePng, imageSize, pngProblem, sniffImage } from '../../../src/core/data/png';
import { chunkedSource, expectDataError, importOne, MemorySink, source } from './helpers';

function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** The chunks of a PNG: type, data, and whether the stored CRC matches. */
function pngChunks(png: Uint8Array): { type: string; data: Uint8Array; crcOk: boolean }[] {
  const out = [];
  let at = 8;
  while (at < png.length) {
    const len = u32be(png, at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    const crcOk = u32be(png, at + 8 + len) === crc32(png.subarray(at + 4, at + 8 + len));
    out.push({ type, data, crcOk });
    at += 12 + len;
  }
  return out;
}

describe('PNG encoder and image headers', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // continuing from a previous value gives the CRC of the concatenation
    const a = new TextEncoder().encode('1234');
    const b = new TextEncoder().encode('56789');
    expect(crc32(b, crc32(a))).toBe(0xcbf43926);
  });

  it('encodes 8-bit grayscale: signature, IHDR, filtered scanlines, valid CRCs', () => {
    const pixels = new Uint8Array([0, 64, 128, 255, 10, 20]);
    const png = encodePng(pixels, 3, 2, 1);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks = pngChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const ihdr = chunks[0]!.data;
    expect([u32be(ihdr, 0), u32be(ihdr, 4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([3, 2, 8, 0, 0, 0, 0]);
    expect(Array.from(unzlibSync(chunks[1]!.data))).toEqual([0, 0, 64, 128, 0, 255, 10, 20]);
    expect(imageSize(png)).toEqual({ format: 'png', width: 3, height: 2, channels: 1 });
  });

  it('encodes RGBA', () => {
    const pixels = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128]);
    const png = encodePng(pixels, 1, 2, 4);
    const chunks = pngChunks(png);
    expect(chunks[0]!.data[9]).toBe(6);
    expect(imageSize(png)).toEqual({ format: 'png', width: 1, height: 2, channels: 4 });
    expect(Array.from(unzlibSync(chunks[1]!.data))).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0, 128]);
    expect(() => encodePng(pixels, 2, 2, 4)).toThrow(RangeError);
  });

  it('reads width and height from GIF, JPEG, WebP and BMP headers', () => {
    const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), 0x40, 0x01, 0xf0, 0x00, 0, 0, 0]);
    expect(imageSize(gif)).toEqual({ format: 'gif', width: 320, height: 240, channels: 3 });
    // SOI, an APP0 segment, then SOF0 with height 480 and width 640
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 0, 0, 0, 0, 0, 0]);
    expect(imageSize(jpeg)).toEqual({ format: 'jpeg', width: 640, height: 480, channels: 3 });
    const riff = (kind: string, body: number[]) => new Uint8Array([...new TextEncoder().encode('RIFF'), 0, 0, 0, 0, ...new TextEncoder().encode('WEBP' + kind), 0, 0, 0, 0, ...body]);
    // VP8X: 24-bit width-1 and height-1 at bytes 24..29
    const vp8x = riff('VP8X', [0x10, 0, 0, 0, 99, 0, 0, 49, 0, 0]);
    expect(imageSize(vp8x)).toEqual({ format: 'webp', width: 100, height: 50, channels: 4 });
    // VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1
    const wl = 16 - 1;
    const hl = 8 - 1;
    const v = wl | (hl << 14);
    const vp8l = riff('VP8L', [0x2f, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff, 0, 0, 0, 0, 0]);
    expect(imageSize(vp8l)).toEqual({ format: 'webp', width: 16, height: 8, channels: 3 });
    // VP8 (lossy): frame tag, start code 9d 01 2a, 14-bit width and height
    const vp8 = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x2c, 0x01, 0xc8, 0x00]);
    expect(imageSize(vp8)).toEqual({ format: 'webp', width: 300, height: 200, channels: 3 });
    // BMP with a BITMAPINFOHEADER and a negative (top-down) height
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    const dv = new DataView(bmp.buffer);
    dv.setUint32(14, 40, true);
    dv.setInt32(18, 7, true);
    dv.setInt32(22, -5, true);
    dv.setUint16(28, 32, true);
    expect(imageSize(bmp)).toEqual({ format: 'bmp', width: 7, height: 5, channels: 4 });
    expect(sniffImage(new TextEncoder().encode('BM but not a bitmap header at all'))).toBeNull();
    expect(imageSize(new TextEncoder().encode('hello'))).toBeNull();
  });
});

const gray = (v: number) => encodePng(new Uint8Array(4).fill(v), 2, 2, 1);

describe('image import', () => {
  it('labels by parent folder', () => {
    expect(labelOf('cats/001.png')).toBe('cats');
    expect(labelOf('train/dogs/x.jpg')).toBe('dogs');
    expect(labelOf('top.png')).toBeNull();
    expect(labelOf('a\\b\\c.png')).toBe('b');
  });

  it('reads a zip with folders: image bytes, label, path; skips non-images with a warning', async () => {
    const files = {
      'cats/1.png': gray(1),
      'cats/2.png': gray(2),
      'dogs/a.png': gray(3),
      'top.png': gray(4),
      'notes.txt': new TextEncoder().encode('not an image'),
      '__MACOSX/cats/._1.png': new Uint8Array([0, 5, 22, 7]),
      'empty/': new Uint8Array(0),
    };
    const zip = zipSync(files);
    const { summary, table, types, sink } = await importOne(source('pets.zip', zip), { batchRows: 3 });
    expect(summary.format).toBe('images');
    expect(types).toEqual({ image: 'image', label: 'categorical', path: 'text' });
    expect(table.path).toEqual(['cats/1.png', 'cats/2.png', 'dogs/a.png', 'top.png']);
    expect(table.label).toEqual(['cats', 'cats', 'dogs', null]);
    expect(table.image).toEqual([gray(1), gray(2), gray(3), gray(4)]);
    expect(sink.batches.map((b) => b.rowCount)).toEqual([3, 1]);
    expect(summary.columns.find((c) => c.name === 'label')!.nullCount).toBe(1);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings[0].message).toMatch(/^Skipped 2 files/);
    expect(summary.warnings[0].message).toContain('notes.txt');
  });

  it('streams a zip from small chunks, deflated or stored', async () => {
    const files = { 'a/1.png': gray(9), 'b/2.png': gray(8) };
    for (const level of [0, 6] as const) {
      const zip = zipSync(files, { level });
      const { table } = await importOne(chunkedSource('s.zip', zip, Array.from({ length: 40 }, (_, i) => i * 7)));
      expect(table.label).toEqual(['a', 'b']);
      expect(table.image).toEqual([gray(9), gray(8)]);
    }
  });

  it('takes several loose files and zips together', async () => {
    const zip = zipSync({ 'birds/x.png': gray(5) });
    const { table, summary } = await importOne([source('cats/1.png', gray(1)), source('readme.md', '# hi'), source('more.zip', zip), source('2.png', gray(2))]);
    expect(table.path).toEqual(['cats/1.png', 'birds/x.png', '2.png']);
    expect(table.label).toEqual(['cats', 'birds', null]);
    expect(summary.warnings[0].message).toContain('readme.md');
  });

  it('recognizes images by their bytes, not their names', async () => {
    const { table } = await importOne([source('photo.dat', gray(7)), source('x/other.bin', gray(6))]);
    expect(table.path).toEqual(['photo.dat', 'x/other.bin']);
  });

  it('no-images for a zip without images', async () => {
    const zip = zipSync({ 'a.txt': new TextEncoder().encode('x'), 'b/c.csv': new TextEncoder().encode('a,b') });
    await expectDataError(importImages([source('docs.zip', zip)], new MemorySink()), 'no-images', { file: 'docs.zip' });
  });

  it('bad-image for a file named like an image whose bytes are not one', async () => {
    const zip = zipSync({ 'cats/ok.png': gray(1), 'cats/broken.png': new TextEncoder().encode('oops') });
    await expectDataError(importImages([source('pets.zip', zip)], new MemorySink()), 'bad-image', { file: 'pets.zip/cats/broken.png' });
    await expectDataError(importImages([source('fake.jpg', 'plain text')], new MemorySink()), 'bad-image', { file: 'fake.jpg' });
  });
});

describe('images that do not decode', () => {
  /** A PNG with the given header fields and raw (filtered) scanlines, CRCs right. */
  function pngOf(width: number, height: number, depth: number, colour: number, interlace: number, raw: Uint8Array, extra: [string, Uint8Array][] = []): Uint8Array {
    const chunk = (type: string, data: Uint8Array) => {
      const out = new Uint8Array(12 + data.length);
      const view = new DataView(out.buffer);
      view.setUint32(0, data.length);
      out.set(new TextEncoder().encode(type), 4);
      out.set(data, 8);
      view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
      return out;
    };
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, width);
    new DataView(ihdr.buffer).setUint32(4, height);
    ihdr.set([depth, colour, 0, 0, interlace], 8);
    const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...extra.map(([t, d]) => chunk(t, d)), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  }
  /** gray(v) cut off inside its pixel data: the header still says PNG. */
  const cut = (v: number) => gray(v).subarray(0, 8 + 25 + 12);

  it('pngProblem: every way a PNG cannot decode, and the ones that do', () => {
    expect(pngProblem(gray(1))).toBeNull();
    expect(pngProblem(encodePng(new Uint8Array(5 * 3 * 4), 5, 3, 4))).toBeNull();
    // Adam7, 5 x 3 gray: passes of 1x1, 1x1, none, 1x1, 3x1, 2x2 and 5x1 pixels, 7 scanlines: 7 + 15 bytes
    expect(pngProblem(pngOf(5, 3, 8, 0, 1, new Uint8Array(7 + 15)))).toBeNull();
    expect(pngProblem(pngOf(5, 3, 8, 0, 1, new Uint8Array(7 + 14)))).toBe('the pixel data holds 21 of the 22 bytes the header promises');
    // the last pass's one scanline starts at byte 16; a pixel byte of 9 elsewhere is just a pixel
    const lastPass = new Uint8Array(22);
    lastPass[15] = 9;
    expect(pngProblem(pngOf(5, 3, 8, 0, 1, lastPass))).toBeNull();
    lastPass[16] = 7;
    expect(pngProblem(pngOf(5, 3, 8, 0, 1, lastPass))).toBe('a scanline has the unknown filter type 7');
    // 1-bit gray, 9 pixels wide: 2 bytes a row
    expect(pngProblem(pngOf(9, 2, 1, 0, 0, new Uint8Array(6)))).toBeNull();
    expect(pngProblem(cut(1))).toBe('the file ends inside its IDAT chunk');
    expect(pngProblem(pngOf(2, 2, 8, 0, 0, new Uint8Array([0, 1, 2, 9, 3, 4])))).toBe('a scanline has the unknown filter type 9');
    expect(pngProblem(pngOf(2, 2, 8, 3, 0, new Uint8Array(6)))).toBe('a palette image without a palette (PLTE) before its pixel data');
    expect(pngProblem(pngOf(2, 2, 8, 3, 0, new Uint8Array(6), [['PLTE', new Uint8Array(3)]]))).toBeNull();
    expect(pngProblem(pngOf(2, 2, 3, 2, 0, new Uint8Array(6)))).toBe('colour type 2 with bit depth 3 is not a PNG format');
    expect(pngProblem(pngOf(0, 2, 8, 0, 0, new Uint8Array(2)))).toBe('the header says 0 x 2 pixels');
    const garbage = gray(1).slice();
    garbage.fill(0xff, 41, 45); // the first bytes of the zlib stream in IDAT
    expect(pngProblem(garbage)).toMatch(/^the pixel data does not inflate: /);
  });

  /** The injected decoder's verdict for GIFs in these tests: a GIF whose 11th byte is 0xEE does not decode. */
  const decodeGif: ImageCheck = async (bytes) => {
    // answers come back out of order (a few microtasks per byte count), as a real decoder's may
    for (let i = 0; i < bytes.length % 7; i++) await Promise.resolve();
    return bytes[10] === 0xee ? 'invalid GIF data' : null;
  };
  const gif = (v: number, broken = false) => new Uint8Array([...new TextEncoder().encode('GIF89a'), 1, 0, 1, 0, broken ? 0xee : 0, v, 0, ...new Array(v % 5).fill(0)]);

  it('one image file that does not decode is refused, naming the file and the reason', async () => {
    expect(sniffImage(cut(1))).toBe('png');
    const e = await expectDataError(importImages([source('scan.png', cut(1))], new MemorySink()), 'undecodable-image', { file: 'scan.png' });
    expect(e.details.params).toEqual({ detail: 'the file ends inside its IDAT chunk' });
    const g = await expectDataError(importImages([source('anim.gif', gif(1, true))], new MemorySink(), { checkImage: decodeGif }), 'undecodable-image', { file: 'anim.gif' });
    expect(g.details.params).toEqual({ detail: 'invalid GIF data' });
  });

  it('in a zip or a set of files it is left out and listed in a warning; the others keep their order', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) files[i % 2 ? `cats/${i}.gif` : `cats/${i}.png`] = i === 7 ? gif(i, true) : i === 12 ? cut(i) : i % 2 ? gif(i) : gray(i);
    const { table, summary } = await importOne(source('pets.zip', zipSync(files)), { checkImage: decodeGif });
    const kept = Object.keys(files).filter((_, i) => i !== 7 && i !== 12);
    expect(table.path).toEqual(kept);
    expect(table.image).toEqual(kept.map((p) => files[p]));
    expect(summary.warnings).toEqual([
      { code: 'undecodable-files', params: { count: 2, examples: 'cats/7.gif, cats/12.png' }, message: 'Left out 2 files that could not be unpacked or decoded as an image (cats/7.gif, cats/12.png).' },
    ]);
    const loose = await importOne([source('a.png', gray(1)), source('b.png', cut(2))]);
    expect(loose.table.path).toEqual(['a.png']);
    expect(loose.summary.warnings.map((w) => w.params)).toEqual([{ count: 1, examples: 'b.png' }]);
    // none decodes: refused, naming the first
    await expectDataError(importOne([source('a.png', cut(1)), source('b.png', cut(2))]), 'undecodable-image', { file: 'a.png' });
  });

  it('a zip entry packed with a method fflate cannot unpack is left out and listed, not refused as "not an image"', async () => {
    const zip = zipSync({ 'cats/ok.png': gray(1), 'cats/odd.png': gray(2) }, { level: 0 });
    // say the second entry is bzip2-compressed (method 12), in its local header and the central directory
    const name = new TextEncoder().encode('cats/odd.png');
    for (let at = 0; at < zip.length - 4; at++) {
      const sig = zip[at] === 0x50 && zip[at + 1] === 0x4b ? (zip[at + 2]! << 8) | zip[at + 3]! : 0;
      if (sig === 0x0304 && name.every((b, i) => zip[at + 30 + i] === b)) zip[at + 8] = 12;
      if (sig === 0x0102 && name.every((b, i) => zip[at + 46 + i] === b)) zip[at + 10] = 12;
    }
    const { table, summary } = await importOne(source('pets.zip', zip));
    expect(table.path).toEqual(['cats/ok.png']);
    expect(summary.warnings.map((w) => [w.code, w.params])).toEqual([['undecodable-files', { count: 1, examples: 'cats/odd.png' }]]);
  });
});

describe('decoding plain PNGs for training (decodePlainPng)', () => {
  /** The PNG with one more chunk before IDAT (its CRC computed). */
  function withChunk(png: Uint8Array, type: string, data: Uint8Array): Uint8Array {
    const idat = 33; // after the signature (8 bytes) and IHDR (25)
    const body = new Uint8Array(4 + data.length);
    body.set([...type].map((c) => c.charCodeAt(0)));
    body.set(data, 4);
    const chunk = new Uint8Array(12 + data.length);
    new DataView(chunk.buffer).setUint32(0, data.length);
    chunk.set(body, 4);
    new DataView(chunk.buffer).setUint32(8 + data.length, crc32(body));
    return new Uint8Array([...png.subarray(0, idat), ...chunk, ...png.subarray(idat)]);
  }

  it('gives the stored bytes of 8-bit gray and RGBA PNGs, with their channel count', () => {
    const gray = Uint8Array.from([0, 17, 255, 128, 3, 200]);
    expect(decodePlainPng(encodePng(gray, 3, 2, 1))).toEqual({ width: 3, height: 2, data: gray, channels: 1 });
    const rgba = Uint8Array.from({ length: 16 }, (_, i) => (i * 37) % 256);
    expect(decodePlainPng(encodePng(rgba, 2, 2, 4))).toEqual({ width: 2, height: 2, data: rgba, channels: 4 });
  });

  it("a demo digit: the pixels Chromium's createImageBitmap and a canvas give", () => {
    // Chromium 156, createImageBitmap(premultiplyAlpha 'none', colorSpaceConversion 'none') drawn on an
    // OffscreenCanvas, red channel of mnist/0/0000.png: sum 31,095, 176 nonzero, row 14 below (all 10,000
    // digits matched fast-png's values byte for byte in the same probe)
    const png = unzipSync(readFileSync('public/demo/mnist.zip'), { filter: (f) => f.name === 'mnist/0/0000.png' })['mnist/0/0000.png']!;
    const img = decodePlainPng(png)!;
    expect([img.width, img.height, img.channels]).toEqual([28, 28, 1]);
    expect(img.data.reduce((a, b) => a + b, 0)).toBe(31095);
    expect(img.data.filter((v) => v > 0).length).toBe(176);
    expect(Array.from(img.data.subarray(14 * 28, 15 * 28))).toEqual([0, 0, 0, 0, 0, 0, 0, 198, 253, 190, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 253, 196, 0, 0, 0, 0, 0]);
  });

  it('leaves palette, 16-bit and transparency-chunk PNGs, other formats and broken PNGs to the browser (null)', () => {
    const palette = fastPngEncode({ width: 2, height: 1, data: Uint8Array.from([0, 1]), depth: 8, channels: 1, palette: [[255, 0, 0], [0, 0, 255]] });
    expect(palette[25]).toBe(3);
    expect(decodePlainPng(palette)).toBeNull();
    expect(decodePlainPng(fastPngEncode({ width: 2, height: 1, data: Uint16Array.from([0, 65535]), depth: 16, channels: 1 }))).toBeNull();
    const gray = encodePng(Uint8Array.from([0, 255]), 2, 1, 1);
    expect(decodePlainPng(gray)).not.toBeNull();
    expect(decodePlainPng(withChunk(gray, 'tRNS', Uint8Array.from([0, 0])))).toBeNull();
    expect(decodePlainPng(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(40).fill(0)]))).toBeNull();
    expect(decodePlainPng(gray.subarray(0, gray.length - 20))).toBeNull();
  });
});

