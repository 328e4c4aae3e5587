/** Statistics of a boolean column. */
import type { Data } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import { rowsIn, typeError, validityOf } from '../arrowread';
import { BaseAccumulator } from './base';
import type { BooleanStats } from './types';

export class BooleanAccumulator extends BaseAccumulator {
  trueCount = 0;
  falseCount = 0;

  protected addChunk(data: Data, sel: Int32Array | null): void {
    if (!DataType.isBool(data.type)) throw typeError(this.name, this.type, data.type);
    const bits = data.values as Uint8Array;
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    let missing = 0;
    let t = 0;
    for (let r = 0; r < n; r++) {
      const j = off + (sel === null ? r : sel[r]!);
      if (bm !== null && (bm[j >> 3]! & (1 << (j & 7))) === 0) {
        missing++;
        continue;
      }
      t += (bits[j >> 3]! >> (j & 7)) & 1;
    }
    this.missing += missing;
    this.trueCount += t;
    this.falseCount += n - missing - t;
  }

  merge(o: BooleanAccumulator): void {
    this.mergeCommon(o);
    this.trueCount += o.trueCount;
    this.falseCount += o.falseCount;
  }

  finish(): BooleanStats {
    return { kind: 'boolean', ...this.common(), trueCount: this.trueCount, falseCount: this.falseCount };
  }
}
