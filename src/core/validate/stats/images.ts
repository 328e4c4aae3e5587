/** Statistics of an image column: encoded sizes and, given imageInfo, widths, heights and channels. */
import type { Data } from 'apache-arrow';
import type { ColumnType } from '../../data/types';
import { rowsIn, stringParts, validityOf } from '../arrowread';
import { BaseAccumulator } from './base';
import { NumberSummarizer } from './numbers';
import type { ResolvedOptions } from './options';
import type { ImageInfo, ImageStats } from './types';

export class ImageAccumulator extends BaseAccumulator {
  readonly bytes: NumberSummarizer;
  readonly width: NumberSummarizer;
  readonly height: NumberSummarizer;
  readonly channels = new Map<number, number>();
  unreadable = 0;

  constructor(
    name: string,
    type: ColumnType,
    private readonly opts: ResolvedOptions,
  ) {
    super(name, type);
    this.bytes = new NumberSummarizer(opts);
    this.width = new NumberSummarizer(opts);
    this.height = new NumberSummarizer(opts);
  }

  protected addChunk(data: Data, sel: Int32Array | null): void {
    const { offsets, bytes } = stringParts(data, this.name, this.type);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    const info = this.opts.imageInfo;
    // three value lists live at once, so they get their own buffers rather than the shared scratch
    const sizes = new Float64Array(n);
    const widths = info ? new Float64Array(n) : sizes;
    const heights = info ? new Float64Array(n) : sizes;
    let m = 0;
    let mi = 0;
    let missing = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      const j = off + i;
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) {
        missing++;
        continue;
      }
      const a = offsets[i]!;
      const b = offsets[i + 1]!;
      sizes[m++] = b - a;
      if (info) {
        let d: ImageInfo | null = null;
        try {
          d = info(bytes.subarray(a, b));
        } catch {
          d = null;
        }
        if (d === null || !Number.isFinite(d.width) || !Number.isFinite(d.height)) {
          this.unreadable++;
          continue;
        }
        widths[mi] = d.width;
        heights[mi++] = d.height;
        this.channels.set(d.channels, (this.channels.get(d.channels) ?? 0) + 1);
      }
    }
    this.missing += missing;
    this.bytes.addFinite(sizes, m);
    if (info) {
      this.width.addFinite(widths, mi);
      this.height.addFinite(heights, mi);
    }
  }

  merge(o: ImageAccumulator): void {
    this.mergeCommon(o);
    this.bytes.merge(o.bytes);
    this.width.merge(o.width);
    this.height.merge(o.height);
    for (const [c, k] of o.channels) this.channels.set(c, (this.channels.get(c) ?? 0) + k);
    this.unreadable += o.unreadable;
  }

  finish(): ImageStats {
    const hasInfo = this.opts.imageInfo !== null;
    return {
      kind: 'image',
      ...this.common(),
      bytes: this.bytes.summary(),
      width: hasInfo ? this.width.summary() : null,
      height: hasInfo ? this.height.summary() : null,
      channels: [...this.channels].map(([channels, count]) => ({ channels, count })).sort((a, b) => b.count - a.count || a.channels - b.channels),
      unreadable: this.unreadable,
    };
  }
}
