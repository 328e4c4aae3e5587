/** Statistics of a categorical or text column: value counts, distinct count and lengths. */
import type { Data } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import { isValid } from '../../data/arrow';
import type { ColumnType } from '../../data/types';
import { DictionaryCache, codePoints, indicesOf, rowsIn, stringParts, utf8, validityOf } from '../arrowread';
import { ValueCounter, valueKey } from '../sketches';
import { BaseAccumulator } from './base';
import type { ResolvedOptions } from './options';
import type { StringStats } from './types';

let countScratch = new Int32Array(0);

export class StringAccumulator extends BaseAccumulator {
  readonly values: ValueCounter;
  private lengthMin = Infinity;
  private lengthMax = -Infinity;
  private lengthSum = 0;
  private readonly dictionaries = new DictionaryCache();

  constructor(
    name: string,
    type: ColumnType,
    private readonly opts: ResolvedOptions,
  ) {
    super(name, type);
    this.values = new ValueCounter(opts.maxTrackedValues);
  }

  protected addChunk(data: Data, sel: Int32Array | null): void {
    if (DataType.isDictionary(data.type)) this.addDictionary(data, sel);
    else this.addUtf8(data, sel);
  }

  /** Count dictionary indices in an Int32Array first, then decode only the entries that occur. */
  private addDictionary(data: Data, sel: Int32Array | null): void {
    const dict = this.dictionaries.get(data, this.name, this.type);
    const size = dict.size;
    if (countScratch.length < size + 1) countScratch = new Int32Array(Math.max(size + 1, countScratch.length * 2));
    const counts = countScratch;
    counts.fill(0, 0, size + 1);
    const idx = indicesOf(data);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    let missing = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      if (!isValid(bm, off + i)) {
        missing++;
        continue;
      }
      const k = idx[i]!;
      // an index outside the dictionary reads as missing (slot `size` collects them)
      counts[k >= 0 && k < size ? k : size]!++;
    }
    missing += counts[size]!;
    for (let k = 0; k < size; k++) {
      const c = counts[k]!;
      if (c === 0) continue;
      const s = dict.get(k);
      if (s === null) {
        missing += c;
        continue;
      }
      const len = dict.length(k);
      if (len < this.lengthMin) this.lengthMin = len;
      if (len > this.lengthMax) this.lengthMax = len;
      this.lengthSum += len * c;
      this.values.add(valueKey(s), c);
    }
    this.missing += missing;
  }

  private addUtf8(data: Data, sel: Int32Array | null): void {
    const { offsets, bytes } = stringParts(data, this.name, this.type);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    const values = this.values;
    let missing = 0;
    let lmin = this.lengthMin;
    let lmax = this.lengthMax;
    let lsum = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      if (!isValid(bm, off + i)) {
        missing++;
        continue;
      }
      const a = offsets[i]!;
      const b = offsets[i + 1]!;
      const len = codePoints(bytes, a, b);
      if (len < lmin) lmin = len;
      if (len > lmax) lmax = len;
      lsum += len;
      values.add(valueKey(utf8(bytes, a, b)), 1);
    }
    this.missing += missing;
    this.lengthMin = lmin;
    this.lengthMax = lmax;
    this.lengthSum += lsum;
  }

  merge(o: StringAccumulator): void {
    this.mergeCommon(o);
    this.values.merge(o.values);
    this.lengthMin = Math.min(this.lengthMin, o.lengthMin);
    this.lengthMax = Math.max(this.lengthMax, o.lengthMax);
    this.lengthSum += o.lengthSum;
  }

  finish(): StringStats {
    const present = this.count - this.missing;
    const v = this.values;
    const top = v.sorted(this.opts.maxValueCounts);
    return {
      kind: 'string',
      ...this.common(),
      unique: v.distinct(),
      uniqueExact: v.exact,
      topValues: top,
      topValuesComplete: v.exact && top.length === v.counts.size,
      countError: v.error,
      length: present > 0 ? { min: this.lengthMin, mean: this.lengthSum / present, max: this.lengthMax } : null,
    };
  }
}
