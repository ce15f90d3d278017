import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PanelLayout } from "../../../src/common/dashboard-config.ts";
import { byPosition, DEFAULT_SIZE, placePanels, type Cell } from "../../../src/client/panels/panel-placement.ts";

const at = (x: number, y: number, w: number, h: number): PanelLayout => ({ x, y, w, h });
const overlap = (a: Cell, b: Cell) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe("placing saved panels on the grid", () => {
  it("puts panels without a layout three to a row, in list order, as the page always showed them", () => {
    expect(placePanels([{}, {}, {}, {}, {}])).toEqual([at(0, 0, 4, 4), at(4, 0, 4, 4), at(8, 0, 4, 4), at(0, 4, 4, 4), at(4, 4, 4, 4)]);
  });

  it("keeps saved layouts as they are when they neither overlap nor leave a gap above a panel", () => {
    const layouts = [at(0, 0, 12, 3), at(0, 3, 5, 6), at(5, 3, 7, 2), at(5, 5, 7, 4)];
    expect(placePanels(layouts.map((layout) => ({ layout })))).toEqual(layouts);
  });

  it("moves a panel that overlaps an earlier one below it, then lets it rise as far as it can", () => {
    // The second sits on the first; below it, it rises to touch it.
    expect(placePanels([{ layout: at(0, 0, 6, 4) }, { layout: at(3, 2, 6, 3) }])).toEqual([at(0, 0, 6, 4), at(3, 4, 6, 3)]);
  });

  it("lifts panels into gaps above them, the highest first", () => {
    expect(placePanels([{ layout: at(0, 10, 4, 4) }, { layout: at(0, 20, 4, 2) }, { layout: at(6, 7, 6, 3) }])).toEqual([at(0, 0, 4, 4), at(0, 4, 4, 2), at(6, 0, 6, 3)]);
  });

  it("gives a panel without a layout the first free place, from the top, left to right", () => {
    const placed = placePanels([{ layout: at(0, 0, 4, 8) }, {}, { layout: at(8, 0, 4, 2) }, {}]);
    expect(placed).toEqual([at(0, 0, 4, 8), at(4, 0, 4, 4), at(8, 0, 4, 2), at(8, 2, 4, 4)]);
  });

  it("never overlaps panels, keeps each one's columns and size, and leaves no gap above any, whatever the layouts", () => {
    const layout = fc
      .record({ x: fc.integer({ min: 0, max: 11 }), y: fc.integer({ min: 0, max: 40 }), w: fc.integer({ min: 1, max: 12 }), h: fc.integer({ min: 2, max: 24 }) })
      .map((l) => ({ ...l, w: Math.min(l.w, 12 - l.x) }));
    fc.assert(
      fc.property(fc.array(fc.option(layout, { nil: undefined }), { maxLength: 30 }), (layouts) => {
        const panels = layouts.map((l) => (l ? { layout: l } : {}));
        const cells = placePanels(panels);
        expect(cells).toHaveLength(panels.length);
        cells.forEach((cell, i) => {
          const wanted = layouts[i] ?? { ...DEFAULT_SIZE, x: cell.x };
          expect([cell.x, cell.w, cell.h]).toEqual([wanted.x, wanted.w, wanted.h]);
          expect(cell.x + cell.w).toBeLessThanOrEqual(12);
          expect(cell.y).toBeGreaterThanOrEqual(0);
          for (const other of cells.slice(i + 1)) expect(overlap(cell, other)).toBe(false);
          const raised = { ...cell, y: cell.y - 1 };
          if (cell.y > 0) expect(cells.some((other) => other !== cell && overlap(raised, other))).toBe(true);
        });
      }),
    );
  });
});

describe("the reading order of placed panels", () => {
  it("is top to bottom, then left to right", () => {
    const cells = [at(6, 4, 6, 4), at(8, 0, 4, 3), at(0, 0, 8, 4), at(0, 4, 6, 5)];
    expect([...cells].sort(byPosition)).toEqual([cells[2], cells[1], cells[3], cells[0]]);
  });
});
