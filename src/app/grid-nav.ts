/**
 * Keyboard navigation of the data table's grid (WAI-ARIA grid pattern), as pure arithmetic so it is tested
 * without a browser. Rows are -1 (the header row) to rowCount - 1; columns 0 (the row number) to
 * columnCount - 1.
 */

export interface GridCell {
  row: number;
  col: number;
}

export interface GridSize {
  rowCount: number;
  columnCount: number;
  /** Data rows that fit in the view: PageUp/PageDown move by this many. */
  pageRows: number;
}

/** The cell a key moves the active cell to, or null for a key the grid does not handle. */
export function moveCell(cell: GridCell, key: string, ctrl: boolean, size: GridSize): GridCell | null {
  const lastRow = size.rowCount - 1;
  const lastCol = size.columnCount - 1;
  const clampRow = (r: number) => Math.max(-1, Math.min(lastRow, r));
  switch (key) {
    case 'ArrowDown':
      return { row: clampRow(cell.row + 1), col: cell.col };
    case 'ArrowUp':
      return { row: clampRow(cell.row - 1), col: cell.col };
    case 'ArrowRight':
      return { row: cell.row, col: Math.min(lastCol, cell.col + 1) };
    case 'ArrowLeft':
      return { row: cell.row, col: Math.max(0, cell.col - 1) };
    case 'Home':
      return ctrl ? { row: Math.min(0, lastRow), col: cell.col } : { row: cell.row, col: 0 };
    case 'End':
      return ctrl ? { row: lastRow, col: cell.col } : { row: cell.row, col: lastCol };
    case 'PageDown':
      return { row: clampRow(Math.max(0, cell.row) + Math.max(1, size.pageRows)), col: cell.col };
    case 'PageUp':
      // From the first rows, a page up stops at the first data row; only ArrowUp reaches the header.
      return { row: cell.row < 0 ? -1 : Math.max(0, Math.min(lastRow, cell.row - Math.max(1, size.pageRows))), col: cell.col };
    default:
      return null;
  }
}

export interface ScrollGeometry {
  rowPx: number;
  rowCount: number;
  scrollTop: number;
  /** The scroll box's inner height. */
  viewHeight: number;
  /** The sticky header's height: rows under it are hidden. */
  headHeight: number;
  /** The scroll range when the rows' natural height is capped (see DataTable), else rowCount * rowPx. */
  scrollHeight: number;
}

/** The data rows fully visible below the sticky header. */
export function pageRows(g: Pick<ScrollGeometry, 'rowPx' | 'viewHeight' | 'headHeight'>): number {
  return Math.max(1, Math.floor((g.viewHeight - g.headHeight) / g.rowPx));
}

/**
 * The scrollTop that shows data row `row` whole below the sticky header, or the current one when it
 * already does. Unscaled, row r sits at r * rowPx in the body; scaled, the first visible row is
 * round(scrollTop / maxScroll * (rowCount - visibleRows)) (DataTable's mapping), so the inverse is used.
 */
export function scrollTopFor(row: number, g: ScrollGeometry): number {
  const natural = g.rowCount * g.rowPx;
  const fit = pageRows(g);
  if (natural <= g.scrollHeight) {
    const top = row * g.rowPx;
    const bottom = g.headHeight + (row + 1) * g.rowPx;
    if (top < g.scrollTop) return top;
    if (bottom > g.scrollTop + g.viewHeight) return bottom - g.viewHeight;
    return g.scrollTop;
  }
  const maxScroll = Math.max(1, g.scrollHeight - g.viewHeight);
  const visibleRows = Math.ceil(g.viewHeight / g.rowPx) + 1;
  const span = Math.max(1, g.rowCount - visibleRows);
  const first = Math.round((Math.min(g.scrollTop, maxScroll) / maxScroll) * span);
  if (row >= first && row < first + fit) return g.scrollTop;
  const wantFirst = row < first ? row : row - fit + 1;
  return (Math.max(0, Math.min(span, wantFirst)) / span) * maxScroll;
}
