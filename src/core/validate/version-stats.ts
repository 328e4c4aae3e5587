/**
 * The statistics options of the Validate stage for a whole dataset version, wherever its batches are read
 * (the tab's data worker, the command-line runner): the same options give the same statistics. Images'
 * width and height come from their headers (core/data/png), channels from the format's header fields.
 */
import { imageSize, sniffImage } from '../data/png';
import type { ColumnType } from '../data/types';
import type { ImageInfo, StatsOptions } from './stats';

/** Colour channels an image header declares, or 0 when the format does not say. */
export function imageChannels(b: Uint8Array): number {
  switch (sniffImage(b)) {
    case 'png': {
      // IHDR colour type: 0 grey, 2 RGB, 3 palette (RGB), 4 grey + alpha, 6 RGBA
      const type = b.length > 25 ? b[25] : -1;
      return type === 0 ? 1 : type === 2 || type === 3 ? 3 : type === 4 ? 2 : type === 6 ? 4 : 0;
    }
    case 'jpeg':
      return jpegComponents(b);
    case 'gif':
      return 3;
    case 'bmp': {
      const bits = b.length > 29 ? b[28]! | (b[29]! << 8) : 0;
      return bits === 32 ? 4 : bits > 0 ? 3 : 0;
    }
    case 'webp': {
      const kind = String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!);
      if (kind === 'VP8 ') return 3;
      // VP8L: bit 28 of the header word is alpha_is_used; VP8X: flag bit 4 is alpha
      if (kind === 'VP8L') return b.length > 24 && (b[24]! & 0x10) !== 0 ? 4 : 3;
      if (kind === 'VP8X') return b.length > 20 && (b[20]! & 0x10) !== 0 ? 4 : 3;
      return 0;
    }
    default:
      return 0;
  }
}

function jpegComponents(b: Uint8Array): number {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return 0;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    // a frame header (SOFn): length, precision, height, width, then the number of components
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b[i + 9]!;
    if (marker === 0xda || len < 2) return 0;
    i += 2 + len;
  }
  return 0;
}

export function imageInfo(bytes: Uint8Array): ImageInfo | null {
  const size = imageSize(bytes);
  return size ? { width: size.width, height: size.height, channels: imageChannels(bytes) } : null;
}

/** The Validate stage's options for a version's statistics, broken down by `labelColumn` when given. */
export function versionStatsOptions(table: { rowCount: number; columns: readonly { type: ColumnType }[] }, labelColumn: string | null): StatsOptions {
  return {
    expectedRows: table.rowCount,
    labelColumn,
    imageInfo: table.columns.some((c) => c.type === 'image') ? imageInfo : undefined,
  };
}
