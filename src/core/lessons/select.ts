/** Small readers over a project's records that several lessons share. */
import type { EvaluationLike, LessonSnapshot, ModelLike, RunLike, SliceLike, StatisticsLike } from './records';

/** The newest of some records by creation time (ties: the later in the list). */
export function newest<T>(rows: readonly T[], time: (row: T) => number): T | null {
  let best: T | null = null;
  for (const row of rows) if (best === null || time(row) >= time(best)) best = row;
  return best;
}

export const doneRuns = (s: LessonSnapshot): RunLike[] => s.runs.filter((r) => r.status === 'done');

/** A run's test-split accuracy (the Train page's "test accuracy"), or null (regression, or no test rows). */
export function testAccuracy(run: RunLike): number | null {
  const value = run.metrics?.summary.accuracy;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The best validation accuracy over a run's epochs, or null when none was measured. */
export function bestValAccuracy(run: RunLike): number | null {
  let best: number | null = null;
  for (const e of run.history) if (e.valAcc !== null && (best === null || e.valAcc > best)) best = e.valAcc;
  return best;
}

/** Models an optimizer made with the given method ('quantize', 'prune', 'distill', 'scratch'). */
export const variantsBy = (s: LessonSnapshot, method: string): ModelLike[] => s.models.filter((m) => m.metadata.optimization?.method === method);

/** The newest statistics of a version, over all its rows (not broken down), that has the column; any column when null. */
export function newestStatsWith(s: LessonSnapshot, column: string | null): StatisticsLike | null {
  return newest(
    s.statistics.filter((r) => column === null || r.stats.columns.some((c) => c.name === column)),
    (r) => r.computedAt,
  );
}

/**
 * How many rows hold a label now: per dataset version, labeler and row the latest event counts, and a
 * retraction (label null, an undo or a skip) takes the row back. Events are in the order they were logged.
 */
export function labeledRowCount(s: LessonSnapshot): number {
  const latest = new Map<string, number | null>();
  const ordered = [...s.labelEvents].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const e of ordered) latest.set(`${e.datasetVersionId}\u0000${e.labeler}\u0000${e.row}`, e.label);
  let count = 0;
  for (const label of latest.values()) if (label !== null) count++;
  return count;
}

/** A slice's name as the Evaluate page shows it: its conditions' values joined. */
export function sliceName(slice: SliceLike): string {
  return slice.conditions.map((c) => (c.kind === 'value' ? String(c.value) : c.kind === 'missing' ? '(missing)' : '(other)')).join(' × ');
}

/** The newest evaluation with a slicing (on `column`, when given: a slicing whose slices all read only it). */
export function newestSliced(s: LessonSnapshot, column?: string): { evaluation: EvaluationLike; slices: readonly SliceLike[] } | null {
  const found = (e: EvaluationLike) =>
    e.sliced.slicings.find((sl) => sl.slices.length > 1 && (column === undefined || sl.slices.every((x) => x.conditions.length === 1 && x.conditions[0]!.column === column)));
  const evaluation = newest(s.evaluations.filter((e) => found(e) !== undefined), (e) => e.createdAt);
  return evaluation ? { evaluation, slices: found(evaluation)!.slices } : null;
}

/** The slice with the lowest accuracy (ties: the first), or null when no slice has one. */
export function lowestAccuracySlice(slices: readonly SliceLike[]): SliceLike | null {
  let worst: SliceLike | null = null;
  for (const slice of slices) {
    const value = slice.metrics.accuracy?.value;
    if (value === undefined || !Number.isFinite(value)) continue;
    if (worst === null || value < worst.metrics.accuracy!.value) worst = slice;
  }
  return worst;
}

/** Done runs grouped by dataset version and label (the runs that compare with each other). */
export function runGroups(s: LessonSnapshot): RunLike[][] {
  const groups = new Map<string, RunLike[]>();
  for (const run of doneRuns(s)) {
    const key = `${run.datasetVersionId}\u0000${run.config.label}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()];
}
