/** What every column accumulator shares: row and missing counts, chunk iteration and the merge check. */
import type { Data } from 'apache-arrow';
import type { ColumnType } from '../../data/types';
import { forEachChunk, rowsIn, type Input } from '../arrowread';
import type { ColumnStats } from './types';

/** Counters shared by the column accumulators. */
export abstract class BaseAccumulator {
  count = 0;
  missing = 0;
  constructor(
    readonly name: string,
    readonly type: ColumnType,
  ) {}

  /** Add a column chunk (a Vector or Data), optionally only the rows in `rows` (ascending). */
  add(input: Input, rows: Int32Array | null = null): void {
    forEachChunk(input, rows, (data, sel) => {
      this.count += rowsIn(data, sel);
      this.addChunk(data, sel);
    });
  }

  protected abstract addChunk(data: Data, sel: Int32Array | null): void;
  abstract finish(): ColumnStats;

  protected mergeCommon(o: BaseAccumulator): void {
    if (o.name !== this.name || o.type !== this.type || o.constructor !== this.constructor) {
      throw new Error(`cannot merge statistics of "${o.name}" (${o.type}) into "${this.name}" (${this.type})`);
    }
    this.count += o.count;
    this.missing += o.missing;
  }

  protected common() {
    return { name: this.name, type: this.type, count: this.count, missing: this.missing };
  }
}
