/** Points for the accuracy-against-size chart. Types only from compare.ts: the page imports this. */
import type { ComparisonRow } from './compare';

/** x: gzip KB, y: accuracy; measured rows only. */
export function chartPoints(rows: readonly ComparisonRow[]): { id: string; name: string; x: number; y: number; pareto: boolean; method: string }[] {
  return rows.filter((r) => r.accuracy !== null).map((r) => ({ id: r.id, name: r.name, x: r.gzipBytes / 1024, y: r.accuracy!, pareto: r.pareto, method: r.lineage.method }));
}
