/**
 * Where each saved panel sits on the dashboard's 12-column grid: its saved `layout` where it
 * has one, else the first free place big enough for a default-sized panel, scanning rows from
 * the top and columns from the left (so a dashboard saved without layouts reads as it always
 * has: panels in list order, three to a row). Panels never overlap, and every panel rises as
 * far up as the panels above it allow, as when arranging (gridstack's default mode does the
 * same), so the page shows exactly what arranging starts from.
 */
import type { Panel, PanelLayout } from "../../common/dashboard-config.ts";
import { GRID_COLUMNS } from "../../common/grid-columns.ts";

/** A panel's cells on the grid: column `x` and row `y` of its top left, `w` columns by `h` rows. */
export type Cell = PanelLayout;

/** The size of a panel without a layout: a third of the width, about 250 px high (styles.css). */
export const DEFAULT_SIZE = { w: 4, h: 4 } as const;

/**
 * The fewest rows a panel of each type is given while arranging, so that its drawing stays
 * legible: a line chart needs room for its plot and legend, a gauge for its scale.
 */
export const MIN_ROWS: Record<Panel["type"], number> = { line: 3, gauge: 3, stat: 2, table: 2 };

function overlaps(a: Cell, b: Cell): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The cells of `panels`, index for index. */
export function placePanels(panels: readonly Pick<Panel, "layout">[]): Cell[] {
  const cells: (Cell | undefined)[] = panels.map(() => undefined);
  const placed: Cell[] = [];
  // Laid-out panels first, in list order: one that overlaps an earlier one goes below it.
  panels.forEach((panel, index) => {
    if (!panel.layout) return;
    const cell = { ...panel.layout };
    for (let hit = placed.find((other) => overlaps(cell, other)); hit; hit = placed.find((other) => overlaps(cell, other))) cell.y = hit.y + hit.h;
    cells[index] = cell;
    placed.push(cell);
  });
  // Then the others, each in the first free place, row by row.
  panels.forEach((panel, index) => {
    if (panel.layout) return;
    const cell = firstFree(placed);
    cells[index] = cell;
    placed.push(cell);
  });
  rise(placed);
  return cells as Cell[];
}

function firstFree(placed: readonly Cell[]): Cell {
  for (let y = 0; ; y++) {
    for (let x = 0; x + DEFAULT_SIZE.w <= GRID_COLUMNS; x++) {
      const cell = { x, y, ...DEFAULT_SIZE };
      if (!placed.some((other) => overlaps(cell, other))) return cell;
    }
  }
}

/** Moves every cell up while nothing is in the way, top ones first (in place). */
function rise(cells: Cell[]): void {
  for (const cell of [...cells].sort(byPosition)) {
    while (cell.y > 0 && !cells.some((other) => other !== cell && overlaps({ ...cell, y: cell.y - 1 }, other))) cell.y -= 1;
  }
}

/** Top to bottom, then left to right: the order panels read in, and go in on a phone. */
export function byPosition(a: Cell, b: Cell): number {
  return a.y - b.y || a.x - b.x;
}
