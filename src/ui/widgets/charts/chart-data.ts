/**
 * Pure data shaping for the chart widgets (no DOM, no uPlot), so it is unit-tested in Node.
 *
 * uPlot draws "aligned" data: one ascending x array and, per series, a y array of the same length with
 * null where the series has no point. Charts here get series as their own [x, y] points (epochs, a ROC
 * curve's thresholds), so `alignSeries` joins them. Nothing is thinned: uPlot draws every point (its line
 * path keeps the min and max of the points that fall in one pixel column), so a one-epoch spike shows.
 */

export interface ChartSeries {
  /** Shown in the legend, the readout and the data table's header. */
  name: string;
  /** [x, y] points in drawing order; points whose x or y is not finite are left out. */
  points: readonly (readonly [number, number])[];
  /** A CSS custom property of the theme, e.g. '--chart-2'; by default the series' place in the list. */
  color?: string;
  dashed?: boolean;
}

export interface AlignedSeries {
  x: number[];
  /** One array per series, as long as x; null where that series has no point. */
  ys: (number | null)[][];
}

/** The theme's palette has this many series colours: --chart-1 ... --chart-8. */
export const PALETTE_SIZE = 8;

export function seriesColorVar(s: Pick<ChartSeries, 'color'>, index: number): string {
  return s.color ?? `--chart-${(index % PALETTE_SIZE) + 1}`;
}

/**
 * Joins series into aligned rows in ascending x. Series sharing an x (epochs of loss and validation loss)
 * share a row, so the cursor reads both at that epoch. A series with several points at one x (a ROC
 * curve's vertical steps) gets one row per point, in its own order, so its path is drawn as given. A
 * series given in descending x (a PR curve from high thresholds to low) is read backwards first.
 */
export function alignSeries(series: readonly ChartSeries[]): AlignedSeries {
  const perSeries = series.map((s) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const descending = pts.length > 1 && pts[0]![0] > pts[pts.length - 1]![0];
    const ordered = descending ? [...pts].reverse() : pts;
    // stable sort: points at one x keep their order
    return ordered.map((p, i) => ({ x: p[0], y: p[1], i })).sort((a, b) => a.x - b.x || a.i - b.i);
  });
  const x: number[] = [];
  const ys: (number | null)[][] = series.map(() => []);
  const cursors = perSeries.map(() => 0);
  for (;;) {
    let next = Infinity;
    perSeries.forEach((pts, s) => {
      const p = pts[cursors[s]!];
      if (p && p.x < next) next = p.x;
    });
    if (next === Infinity) break;
    // rows needed at this x: the most points any one series has there
    let rows = 0;
    const counts = perSeries.map((pts, s) => {
      let c = 0;
      while (pts[cursors[s]! + c]?.x === next) c++;
      rows = Math.max(rows, c);
      return c;
    });
    for (let r = 0; r < rows; r++) {
      x.push(next);
      perSeries.forEach((pts, s) => ys[s]!.push(r < counts[s]! ? pts[cursors[s]! + r]!.y : null));
    }
    perSeries.forEach((_, s) => (cursors[s]! += counts[s]!));
  }
  return { x, ys };
}

/** A log axis cannot place zero or negative values: they become gaps rather than wrong points. */
export function forLogScale(ys: readonly (number | null)[]): (number | null)[] {
  return ys.map((v) => (v !== null && v > 0 ? v : null));
}

/**
 * The value to read for a series at a cursor row: the row's own value, else that series' point at the
 * same x in a neighbouring row (the rows of a step share an x), else null: never an interpolated value.
 */
export function valueAt(data: AlignedSeries, seriesIndex: number, row: number): number | null {
  const ys = data.ys[seriesIndex]!;
  if (ys[row] !== null && ys[row] !== undefined) return ys[row]!;
  const x = data.x[row];
  for (let d = 1; ; d++) {
    const before = row - d;
    const after = row + d;
    const inBefore = before >= 0 && data.x[before] === x;
    const inAfter = after < data.x.length && data.x[after] === x;
    if (!inBefore && !inAfter) return null;
    if (inBefore && ys[before] !== null) return ys[before]!;
    if (inAfter && ys[after] !== null) return ys[after]!;
  }
}

/** The x range to show in full: the data's, widened to xMin/xMax when given (a run's planned epochs). */
export function fullRange(x: readonly number[], xMin?: number, xMax?: number): [number, number] | null {
  if (x.length === 0) return xMin !== undefined && xMax !== undefined ? [xMin, xMax] : null;
  let lo = Math.min(x[0]!, xMin ?? Infinity);
  let hi = Math.max(x[x.length - 1]!, xMax ?? -Infinity);
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  return [lo, hi];
}

/** Moves a zoomed window by `fraction` of its width, kept inside the full range. */
export function panWindow(view: [number, number], full: [number, number], fraction: number): [number, number] {
  const width = view[1] - view[0];
  if (width >= full[1] - full[0]) return [...full];
  let lo = view[0] + width * fraction;
  lo = Math.min(Math.max(lo, full[0]), full[1] - width);
  return [lo, lo + width];
}

export interface BarLayout {
  /** One x per bar: category c's bars sit around c (series s of S at c + (s - (S-1)/2) / (S+1)). */
  x: number[];
  ys: (number | null)[][];
  /** For each row, its category. */
  category: number[];
}

/**
 * Grouped bars as aligned data: each category gets one row per series, offset around the category's
 * integer x, and only that series has a value in its row. uPlot's bar width follows the rows' spacing,
 * so bars of one group stand side by side with a gap between groups.
 */
export function barLayout(categories: number, values: readonly (readonly (number | null)[])[]): BarLayout {
  const S = values.length;
  const x: number[] = [];
  const category: number[] = [];
  const ys: (number | null)[][] = values.map(() => []);
  for (let c = 0; c < categories; c++) {
    for (let s = 0; s < S; s++) {
      x.push(c + (s - (S - 1) / 2) / (S + 1));
      category.push(c);
      values.forEach((v, k) => ys[k]!.push(k === s ? (v[c] ?? null) : null));
    }
  }
  return { x, ys, category };
}

/**
 * The row a key moves the keyboard cursor to (the plot is a slider over its rows), or null for a key
 * that is not a move: arrows by one, PageUp/PageDown by ten, Home/End to the ends.
 */
export function keyStep(key: string, row: number, last: number): number | null {
  const moves: Record<string, number> = { ArrowLeft: row - 1, ArrowDown: row - 1, ArrowRight: row + 1, ArrowUp: row + 1, Home: 0, End: last, PageUp: row + 10, PageDown: row - 10 };
  return key in moves ? Math.min(last, Math.max(0, moves[key]!)) : null;
}
