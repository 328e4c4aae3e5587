import { describe, expect, it } from 'vitest';
import { alignSeries, barLayout, forLogScale, fullRange, keyStep, panWindow, seriesColorVar, valueAt } from '../../../src/ui/widgets/charts/chart-data';

describe('alignSeries', () => {
  it('puts series that share an x (an epoch) in one row, and leaves gaps where a series has no point', () => {
    const loss = { name: 'loss', points: [[1, 0.9], [2, 0.5], [3, 0.4]] as [number, number][] };
    const val = { name: 'val', points: [[1, 1.1], [3, 0.6]] as [number, number][] };
    expect(alignSeries([loss, val])).toEqual({ x: [1, 2, 3], ys: [[0.9, 0.5, 0.4], [1.1, null, 0.6]] });
  });

  it('keeps every point: a one-epoch spike among 5,000 epochs is still there (no thinning)', () => {
    const points = Array.from({ length: 5000 }, (_, i) => [i + 1, i === 2718 ? 50 : 1] as [number, number]);
    const { x, ys } = alignSeries([{ name: 'loss', points }]);
    expect(x).toHaveLength(5000);
    expect(Math.max(...(ys[0] as number[]))).toBe(50);
    expect(ys[0]![2718]).toBe(50);
  });

  it('gives a vertical step (several points at one x) one row each, in the series order', () => {
    // a ROC curve: (0,0) → (0,0.5) → (0.5,0.5) → (0.5,1) → (1,1), and the diagonal
    const roc = { name: 'roc', points: [[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]] as [number, number][] };
    const chance = { name: 'chance', points: [[0, 0], [1, 1]] as [number, number][] };
    const a = alignSeries([roc, chance]);
    expect(a.x).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(a.ys).toEqual([[0, 0.5, 0.5, 1, 1], [0, null, null, null, 1]]);
  });

  it('reads a series given in descending x backwards, and drops points that are not finite', () => {
    // drawn from recall 1 down to 0; at recall 0.5 precision goes 0.6 then 0.8, so read backwards 0.8 then 0.6
    const pr = { name: 'pr', points: [[1, 0.5], [0.5, 0.6], [0.5, 0.8], [0.5, NaN], [0, 1]] as [number, number][] };
    expect(alignSeries([pr])).toEqual({ x: [0, 0.5, 0.5, 1], ys: [[1, 0.8, 0.6, 0.5]] });
  });
});

describe('reading values', () => {
  it('valueAt reads a series at a row, or at the same x in a neighbouring row, never in between', () => {
    const a = alignSeries([
      { name: 'a', points: [[0, 0], [0, 0.5], [1, 1]] },
      { name: 'b', points: [[0, 0.2], [0.5, 0.3]] },
    ]);
    // rows: x 0 (a 0, b 0.2), x 0 (a 0.5, b null), x 0.5 (a null, b 0.3), x 1 (a 1, b null)
    expect(valueAt(a, 1, 1)).toBe(0.2);
    expect(valueAt(a, 0, 2)).toBeNull();
    expect(valueAt(a, 1, 3)).toBeNull();
    expect(valueAt(a, 0, 3)).toBe(1);
  });

  it('forLogScale turns zero and negative values into gaps', () => {
    expect(forLogScale([1, 0, -2, null, 0.01])).toEqual([1, null, null, null, 0.01]);
  });
});

describe('ranges', () => {
  it('fullRange widens to the planned epochs and pads a single x', () => {
    expect(fullRange([1, 2, 3], 1, 20)).toEqual([1, 20]);
    expect(fullRange([3, 4], 1, undefined)).toEqual([1, 4]);
    expect(fullRange([2], undefined, undefined)).toEqual([1.5, 2.5]);
    expect(fullRange([], 1, 20)).toEqual([1, 20]);
    expect(fullRange([], undefined, undefined)).toBeNull();
  });

  it('panWindow moves by a share of the width and stops at the ends', () => {
    expect(panWindow([10, 20], [0, 100], 0.5)).toEqual([15, 25]);
    expect(panWindow([90, 100], [0, 100], 0.5)).toEqual([90, 100]);
    expect(panWindow([2, 12], [0, 100], -0.5)).toEqual([0, 10]);
    expect(panWindow([0, 100], [0, 100], 0.5)).toEqual([0, 100]);
  });
});

describe('colours and bars', () => {
  it('a series without a colour takes the palette variable of its place, wrapping after eight', () => {
    expect(seriesColorVar({}, 0)).toBe('--chart-1');
    expect(seriesColorVar({}, 7)).toBe('--chart-8');
    expect(seriesColorVar({}, 9)).toBe('--chart-2');
    expect(seriesColorVar({ color: '--chart-5' }, 0)).toBe('--chart-5');
  });

  it('barLayout gives each category one row per series around its integer x, one value per row', () => {
    const b = barLayout(2, [[0.5, 0.25], [0.1, null]]);
    // two series: offsets ±(1/2)/3 = ±1/6 around each category
    expect(b.x.map((v) => Number(v.toFixed(4)))).toEqual([-0.1667, 0.1667, 0.8333, 1.1667]);
    expect(b.category).toEqual([0, 0, 1, 1]);
    expect(b.ys).toEqual([[0.5, null, 0.25, null], [null, 0.1, null, null]]);
  });
});

describe('keyboard', () => {
  it('keyStep moves by one, ten or to the ends, stays inside, and ignores other keys', () => {
    expect(keyStep('ArrowRight', 3, 9)).toBe(4);
    expect(keyStep('ArrowLeft', 0, 9)).toBe(0);
    expect(keyStep('PageUp', 5, 9)).toBe(9);
    expect(keyStep('PageDown', 5, 9)).toBe(0);
    expect(keyStep('Home', 5, 9)).toBe(0);
    expect(keyStep('End', 5, 9)).toBe(9);
    expect(keyStep('a', 5, 9)).toBeNull();
  });
});
