/** Fitting on plain rows, cut into chunks of a chosen size (the service reads record batches instead). */
import { chunkFromRows, type TransformChunk } from '../../../src/core/transform/chunk';
import { fitTransform, type FitOptions } from '../../../src/core/transform/fit';
import type { SpecColumn } from '../../../src/core/transform/check';
import type { FittedTransform } from '../../../src/core/transform/fitted';

export type Row = Record<string, unknown>;

export function chunksOf(rows: readonly Row[], columns: readonly SpecColumn[], chunkRows = Infinity): TransformChunk[] {
  const out: TransformChunk[] = [];
  const size = Math.max(1, Math.min(chunkRows, rows.length));
  for (let i = 0; i < rows.length; i += size) out.push(chunkFromRows(rows.slice(i, i + size), columns));
  return out;
}

export async function* stream(chunks: readonly TransformChunk[]): AsyncIterable<TransformChunk> {
  for (const c of chunks) yield c;
}

export function fitRows(spec: unknown, rows: readonly Row[], columns: readonly SpecColumn[], chunkRows = Infinity, options: FitOptions = {}): Promise<FittedTransform> {
  const chunks = chunksOf(rows, columns, chunkRows);
  return fitTransform(spec, columns, () => stream(chunks), options);
}
