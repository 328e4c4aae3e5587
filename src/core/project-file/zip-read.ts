/**
 * The zip's directory, read from its end by slices: a project file is never read whole. Only what a
 * project file uses is read (stored or deflated entries, no zip64: Pipette's files stay under 4 GB).
 */
import { ProjectFileError } from './errors';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  /** Of the local header; the data starts after it (dataStart). */
  headerOffset: number;
}

/** Reads `length` bytes at `offset` (a Blob slice in the app, a buffer in tests). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The entries of the zip of `size` bytes, by name. */
export async function readZipDirectory(size: number, read: ReadAt): Promise<Map<string, ZipEntry>> {
  const head = await read(0, Math.min(4, size));
  const isZip = head.length === 4 && u32(head, 0) === LOCAL;
  if (!isZip) throw new ProjectFileError('not-project-file', {}, 'not a zip file: it does not start with a zip entry');
  const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT);
  const tail = await read(size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (u32(tail, i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ProjectFileError('truncated', { params: { entry: '' } }, 'the file ends early: it has no zip directory');
  const count = u16(tail, at + 10);
  const dirSize = u32(tail, at + 12);
  const dirOffset = u32(tail, at + 16);
  const eocdOffset = size - tailLength + at;
  if (dirOffset + dirSize > eocdOffset) throw new ProjectFileError('truncated', { params: { entry: '' } }, 'the zip directory points past the end of the file');
  const dir = await read(dirOffset, dirSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || u32(dir, p) !== CENTRAL) throw new ProjectFileError('truncated', { params: { entry: '' } }, `the zip directory is broken at entry ${i + 1}`);
    const nameLength = u16(dir, p + 28);
    const name = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLength));
    entries.set(name, {
      name,
      method: u16(dir, p + 10),
      compressedSize: u32(dir, p + 20),
      size: u32(dir, p + 24),
      headerOffset: u32(dir, p + 42),
    });
    p += 46 + nameLength + u16(dir, p + 30) + u16(dir, p + 32);
  }
  return entries;
}

/** Where an entry's data starts (after its local header), checked to lie inside the file. */
export async function dataStart(entry: ZipEntry, size: number, read: ReadAt): Promise<number> {
  const local = entry.headerOffset + 30 <= size ? await read(entry.headerOffset, 30) : new Uint8Array();
  if (local.length < 30 || u32(local, 0) !== LOCAL) throw new ProjectFileError('truncated', { params: { entry: entry.name } }, `entry ${entry.name}: its header is missing`);
  const start = entry.headerOffset + 30 + u16(local, 26) + u16(local, 28);
  if (start + entry.compressedSize > size) throw new ProjectFileError('truncated', { params: { entry: entry.name } }, `entry ${entry.name} reaches past the end of the file`);
  return start;
}
