/** Statistics of a number, integer or datetime column. */
import type { Data } from 'apache-arrow';
import { isValid } from '../../data/arrow';
import type { ColumnType } from '../../data/types';
import { numbersOf, rowsIn, validityOf } from '../arrowread';
import { BaseAccumulator } from './base';
import { NumberSummarizer } from './numbers';
import type { ResolvedOptions } from './options';
import type { NumericStats } from './types';


let finiteScratch = new Float64Array(0);
function scratchFor(n: number): Float64Array {
  if (finiteScratch.length < n) finiteScratch = new Float64Array(Math.max(n, finiteScratch.length * 2, 1024));
  return finiteScratch;
}

export class NumericAccumulator extends BaseAccumulator {
  readonly numbers: NumberSummarizer;

  constructor(name: string, type: ColumnType, opts: ResolvedOptions) {
    super(name, type);
    this.numbers = new NumberSummarizer(opts);
  }

  protected addChunk(data: Data, sel: Int32Array | null): void {
    const values = numbersOf(data, this.name, this.type);
    const bm = validityOf(data);
    const off = data.offset;
    const n = rowsIn(data, sel);
    const out = scratchFor(n);
    let m = 0;
    let missing = 0;
    let nan = 0;
    let posInf = 0;
    let negInf = 0;
    for (let r = 0; r < n; r++) {
      const i = sel === null ? r : sel[r]!;
      if (!isValid(bm, off + i)) {
        missing++;
        continue;
      }
      const x = values[i]!;
      // x - x is 0 exactly for finite x, NaN for NaN and ±Infinity
      if (x - x === 0) out[m++] = x;
      else if (x !== x) nan++;
      else if (x > 0) posInf++;
      else negInf++;
    }
    this.missing += missing;
    const s = this.numbers;
    s.nan += nan;
    s.posInf += posInf;
    s.negInf += negInf;
    s.addFinite(out, m);
  }

  merge(o: NumericAccumulator): void {
    this.mergeCommon(o);
    this.numbers.merge(o.numbers);
  }

  finish(): NumericStats {
    return { kind: 'numeric', ...this.common(), ...this.numbers.summary() };
  }
}
