import { describe, expect, it } from "vitest";
import { dashboardUpdateSchema, panelSchema } from "../../src/common/dashboard-config.ts";

const panel = (layout: unknown) => ({ id: "cpu", title: "CPU", type: "line", series: ["cpu.*"], layout });

describe("a panel's layout", () => {
  it("is optional, and kept as given when it fits the 12 columns", () => {
    const { layout: _none, ...bare } = panel(undefined);
    expect(panelSchema.parse(bare)).toEqual(bare);
    for (const layout of [
      { x: 0, y: 0, w: 12, h: 2 },
      { x: 11, y: 1200, w: 1, h: 24 },
      { x: 4, y: 8, w: 8, h: 6 },
    ]) {
      expect(panelSchema.parse(panel(layout)).layout).toEqual(layout);
    }
  });

  it("refuses places off the grid, sizes out of bounds, fractions and extra fields, naming the field", () => {
    const refused: [unknown, string][] = [
      [{ x: 8, y: 0, w: 6, h: 4 }, "layout.w"],
      [{ x: 12, y: 0, w: 1, h: 4 }, "layout.x"],
      [{ x: -1, y: 0, w: 4, h: 4 }, "layout.x"],
      [{ x: 0, y: -1, w: 4, h: 4 }, "layout.y"],
      [{ x: 0, y: 1201, w: 4, h: 4 }, "layout.y"],
      [{ x: 0, y: 0, w: 0, h: 4 }, "layout.w"],
      [{ x: 0, y: 0, w: 13, h: 4 }, "layout.w"],
      [{ x: 0, y: 0, w: 4, h: 1 }, "layout.h"],
      [{ x: 0, y: 0, w: 4, h: 25 }, "layout.h"],
      [{ x: 0.5, y: 0, w: 4, h: 4 }, "layout.x"],
      [{ x: 0, y: 0, w: 4 }, "layout.h"],
      [{ x: 0, y: 0, w: 4, h: 4, z: 1 }, "layout"],
      ["0,0,4,4", "layout"],
    ];
    for (const [layout, field] of refused) {
      const result = dashboardUpdateSchema.safeParse({ panels: [panel(layout)] });
      expect(result.success, JSON.stringify(layout)).toBe(false);
      expect(result.error?.issues[0]?.path.join("."), JSON.stringify(layout)).toBe(`panels.0.${field}`);
    }
  });
});
