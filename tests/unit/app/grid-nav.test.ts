import { describe, expect, it } from 'vitest';
import { moveCell, pageRows, scrollTopFor } from '../../../src/app/grid-nav';

const size = { rowCount: 100, columnCount: 8, pageRows: 15 };

describe('moveCell: the data grid keys', () => {
  it('moves by one with the arrows and stops at the edges (the header row is -1)', () => {
    expect(moveCell({ row: 5, col: 3 }, 'ArrowDown', false, size)).toEqual({ row: 6, col: 3 });
    expect(moveCell({ row: 0, col: 3 }, 'ArrowUp', false, size)).toEqual({ row: -1, col: 3 });
    expect(moveCell({ row: -1, col: 3 }, 'ArrowUp', false, size)).toEqual({ row: -1, col: 3 });
    expect(moveCell({ row: 99, col: 3 }, 'ArrowDown', false, size)).toEqual({ row: 99, col: 3 });
    expect(moveCell({ row: 5, col: 7 }, 'ArrowRight', false, size)).toEqual({ row: 5, col: 7 });
    expect(moveCell({ row: 5, col: 0 }, 'ArrowLeft', false, size)).toEqual({ row: 5, col: 0 });
  });
  it('Home/End go along the row, with Ctrl to the first/last row', () => {
    expect(moveCell({ row: 5, col: 3 }, 'Home', false, size)).toEqual({ row: 5, col: 0 });
    expect(moveCell({ row: 5, col: 3 }, 'End', false, size)).toEqual({ row: 5, col: 7 });
    expect(moveCell({ row: 5, col: 3 }, 'Home', true, size)).toEqual({ row: 0, col: 3 });
    expect(moveCell({ row: 5, col: 3 }, 'End', true, size)).toEqual({ row: 99, col: 3 });
  });
  it('PageDown/PageUp move a screenful, clamped to the data rows', () => {
    expect(moveCell({ row: 5, col: 2 }, 'PageDown', false, size)).toEqual({ row: 20, col: 2 });
    expect(moveCell({ row: 90, col: 2 }, 'PageDown', false, size)).toEqual({ row: 99, col: 2 });
    expect(moveCell({ row: -1, col: 2 }, 'PageDown', false, size)).toEqual({ row: 15, col: 2 });
    expect(moveCell({ row: 20, col: 2 }, 'PageUp', false, size)).toEqual({ row: 5, col: 2 });
    expect(moveCell({ row: 5, col: 2 }, 'PageUp', false, size)).toEqual({ row: 0, col: 2 });
  });
  it('leaves other keys alone', () => {
    expect(moveCell({ row: 5, col: 2 }, 'a', false, size)).toBeNull();
    expect(moveCell({ row: 5, col: 2 }, 'Tab', false, size)).toBeNull();
  });
});

describe('scrollTopFor: the active row stays in sight below the sticky header', () => {
  // 28 px rows, a 480 px box with a 60 px header: 15 whole rows fit.
  const g = { rowPx: 28, rowCount: 1000, scrollTop: 0, viewHeight: 480, headHeight: 60, scrollHeight: 28_000 };
  it('fits 15 rows', () => expect(pageRows(g)).toBe(15));
  it('keeps the scroll when the row is in sight', () => {
    expect(scrollTopFor(0, g)).toBe(0);
    expect(scrollTopFor(14, g)).toBe(0); // bottom 60 + 15 * 28 = 480
  });
  it('scrolls down just enough for a row below, up to a row above', () => {
    expect(scrollTopFor(15, g)).toBe(28); // bottom 60 + 16 * 28 = 508, less the 480 box
    expect(scrollTopFor(500, { ...g, scrollTop: 28 * 600 })).toBe(28 * 500);
  });
  it('inverts the scaled mapping when the height is capped', () => {
    // 1,000,000 rows in an 8,000,000 px range: first visible row = round(top / (8e6 - 480) * (1e6 - 19)).
    const capped = { ...g, rowCount: 1_000_000, scrollHeight: 8_000_000 };
    const top = scrollTopFor(500_000, capped);
    const first = Math.round((top / (8_000_000 - 480)) * (1_000_000 - 19));
    expect(first).toBeLessThanOrEqual(500_000);
    expect(first + 15).toBeGreaterThan(500_000);
    expect(scrollTopFor(10, { ...capped, scrollTop: 0 })).toBe(0);
  });
});
