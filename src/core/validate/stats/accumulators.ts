/** The accumulator for a column of each logical type. */
import type { ColumnType } from '../../data/types';
import { statsInputError } from '../arrowread';
import { BooleanAccumulator } from './booleans';
import { ImageAccumulator } from './images';
import { NumericAccumulator } from './numeric';
import { resolve, type ResolvedOptions } from './options';
import { StringAccumulator } from './strings';
import type { ColumnSpec, StatsOptions } from './types';

export type ColumnAccumulator = NumericAccumulator | StringAccumulator | BooleanAccumulator | ImageAccumulator;

function isNumericType(t: ColumnType): boolean {
  return t === 'number' || t === 'integer' || t === 'datetime';
}

/** Numeric value stores a column needs (images keep three: size, width, height). */
export function numericStores(t: ColumnType): number {
  return isNumericType(t) ? 1 : t === 'image' ? 3 : 0;
}

/** An accumulator for one column. `numericColumns` spreads the exact-value budget (see StatsOptions). */
export function createAccumulator(spec: ColumnSpec, options: StatsOptions = {}, numericColumns = 1): ColumnAccumulator {
  return makeAccumulator(spec, resolve(options, numericColumns));
}

export function makeAccumulator(spec: ColumnSpec, opts: ResolvedOptions): ColumnAccumulator {
  switch (spec.type) {
    case 'number':
    case 'integer':
    case 'datetime':
      return new NumericAccumulator(spec.name, spec.type, opts);
    case 'categorical':
    case 'text':
      return new StringAccumulator(spec.name, spec.type, opts);
    case 'boolean':
      return new BooleanAccumulator(spec.name, spec.type);
    case 'image':
      return new ImageAccumulator(spec.name, spec.type, opts);
    default:
      throw statsInputError('unknown-type', (spec as ColumnSpec).name, `column "${(spec as ColumnSpec).name}" has unknown type "${String((spec as ColumnSpec).type)}"`, { type: String((spec as ColumnSpec).type) });
  }
}

export function mergeAccumulator(a: ColumnAccumulator, b: ColumnAccumulator): void {
  // mergeCommon checks that both are the same kind of accumulator for the same column
  (a as { merge(o: ColumnAccumulator): void }).merge(b);
}
