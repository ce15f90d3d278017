/**
 * A line panel's legend, against a real `wrangler dev` in a real Chromium: with the cursor off
 * the chart it shows each series' latest value in the panel's unit and decimals, following a
 * sensor as it posts; its rows always fit inside the panel, a long legend scrolls, and the
 * panel keeps its size while values change.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { createDashboard, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

const hosts = ["a", "b", "c"] as const;
const cpu = hosts.map((host) => seriesKey("cpu.load", { host }));

/** A box on the page, in CSS pixels. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Boxes of the panel `id`'s body, plot canvas and legend, and of each legend row. */
function lineBoxes(page: Page, id: string): Promise<{ panel: Box; body: Box; canvas: Box; legend: Box; rows: Box[]; scrolls: boolean }> {
  return page.$eval(`[data-testid="saved-panel"][data-panel-id="${id}"]`, (panel) => {
    const box = (element: Element | null): Box => {
      if (!element) throw new Error("missing element");
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x, y, width, height };
    };
    const legend = panel.querySelector(".u-legend")!;
    return {
      panel: box(panel),
      body: box(panel.querySelector(".panel-body")),
      canvas: box(panel.querySelector("canvas")),
      legend: box(legend),
      rows: Array.from(legend.querySelectorAll("tr.u-series:has(.legend-toggle)"), box),
      scrolls: legend.scrollHeight > legend.clientHeight,
    };
  });
}

/** Fails unless `inner` lies wholly inside `outer` (to a pixel's rounding). */
function expectInside(inner: Box, outer: Box, what: string): void {
  expect(inner.x, `${what}: left`).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(inner.y, `${what}: top`).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(inner.x + inner.width, `${what}: right`).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(inner.y + inner.height, `${what}: bottom`).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
}

describe.skipIf(skipBrowserTests)("a line panel's legend", () => {
  const suite = browserSuite();

  it("shows each series' latest value in the panel's unit and decimals without hovering, and follows a sensor's posts", async () => {
    const id = uniqueId("legend");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Legend");
    await updateDashboard(suite.server.url, id, ingestToken, {
      panels: [{ id: "cpu", title: "CPU by host", type: "line", series: ["cpu.*"], unit: "%", decimals: 1 }],
    });
    const start = Date.now() - 20_000;
    // Every host has a shape behind it, and ends on a value with more digits than the panel shows.
    await postMetrics(
      suite.server.url,
      id,
      ingestToken,
      hosts.flatMap((host, h) => Array.from({ length: 10 }, (_, i) => ({ name: "cpu.load", tags: { host }, value: 10 * h + i + 0.25, ts: start + i * 1000 }))),
    );
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await page.mouse.move(0, 0);
      await view.waitForState("live");
      const shows = (texts: readonly string[]) => cpu.map((key, i) => `${key}=${texts[i]}`);
      await view.waitUntil("the latest values in the legend", async () => (await view.legendValues("cpu")).join() === shows(["9.3%", "19.3%", "29.3%"]).join());
      expect(await view.savedPanelText("cpu", '[data-testid="cursor-time"]')).toBe("");
      const first = await lineBoxes(page, "cpu");
      await saveScreenshot(page, "line-legend-1-latest");

      // A sensor posts a new value per host, round after round; each shows as it arrives.
      const rounds = [
        { values: [41.06, 7.94, 99.96], shown: ["41.1%", "7.9%", "100.0%"] },
        { values: [3.14159, 250.5, 0.04], shown: ["3.1%", "250.5%", "0.0%"] },
        { values: [12, 64.449, 1234.56], shown: ["12.0%", "64.4%", "1,234.6%"] },
      ];
      for (const [round, { values, shown }] of rounds.entries()) {
        const ts = Date.now();
        await postMetrics(
          suite.server.url,
          id,
          ingestToken,
          hosts.map((host, h) => ({ name: "cpu.load", tags: { host }, value: values[h]!, ts })),
        );
        await view.waitUntil(`round ${round}'s values in the legend`, async () => (await view.legendValues("cpu")).join() === shows(shown).join());
        expect((await view.points(cpu[0]!)).values.at(-1)).toBe(values[0]);
      }

      // Values of other widths moved nothing: the panel, its plot and its legend keep their boxes.
      const last = await lineBoxes(page, "cpu");
      expect(last).toEqual(first);
      await saveScreenshot(page, "line-legend-2-after-posts");

      // With the cursor on the chart: the values under it in the panel's decimals, and their time; off it, the latest again.
      const plot = await page.locator('[data-panel-id="cpu"] .u-over').boundingBox();
      if (!plot) throw new Error("the line chart has no plot area");
      await page.mouse.move(plot.x + plot.width - 1, plot.y + plot.height / 2);
      await view.waitUntil("the values under the cursor", async () => (await view.legendValues("cpu")).join() === shows(["12.0%", "64.4%", "1,234.6%"]).join());
      expect(await view.savedPanelText("cpu", '[data-testid="cursor-time"]')).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
      expect(await lineBoxes(page, "cpu")).toEqual(first);
      await saveScreenshot(page, "line-legend-3-cursor");
      await page.mouse.move(0, 0);
      await view.waitUntil("the latest values again", async () => (await view.legendValues("cpu")).join() === shows(["12.0%", "64.4%", "1,234.6%"]).join());
      expect(await view.savedPanelText("cpu", '[data-testid="cursor-time"]')).toBe("");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("fits a three-series legend inside its panel under the plot, and scrolls a long one with a row cut at its edge", async () => {
    const id = uniqueId("legend-fit");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Legend fit");
    await updateDashboard(suite.server.url, id, ingestToken, {
      panels: [
        { id: "cpu", title: "CPU by host", type: "line", series: ["cpu.*"], unit: "%", decimals: 1 },
        { id: "many", title: "Many rooms", type: "line", series: ["room.*"], unit: "°C" },
      ],
    });
    const ts = Date.now() - 5_000;
    await postMetrics(suite.server.url, id, ingestToken, [
      ...hosts.flatMap((host, h) => [0, 1].map((i) => ({ name: "cpu.load", tags: { host }, value: 20 * h + i, ts: ts + i * 1000 }))),
      ...Array.from({ length: 9 }, (_, r) => ({ name: `room.r${r}`, value: 18 + r, ts })),
    ]);
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await page.mouse.move(0, 0);
      await view.waitForState("live");
      await view.waitUntil("both legends filled in", async () => (await view.legendValues("many")).length === 9 && (await view.legendValues("cpu")).length === 3);

      // Three series: every row whole inside the legend, the legend under the plot and inside
      // the panel's body, with nothing to scroll.
      const three = await lineBoxes(page, "cpu");
      expect(three.rows).toHaveLength(3);
      for (const [i, row] of three.rows.entries()) {
        expect(row.height).toBeGreaterThan(10);
        expectInside(row, three.legend, `row ${i}`);
      }
      expectInside(three.legend, three.body, "legend");
      expectInside(three.canvas, three.body, "plot");
      expect(three.canvas.y + three.canvas.height).toBeLessThanOrEqual(three.legend.y + 0.5);
      expect(three.scrolls).toBe(false);

      // Nine series: the legend scrolls instead of growing past the panel, showing four rows
      // whole and part of a fifth, and leaves the plot most of the body.
      const nine = await lineBoxes(page, "many");
      expect(nine.scrolls).toBe(true);
      expectInside(nine.legend, nine.body, "long legend");
      expectInside(nine.canvas, nine.body, "plot over the long legend");
      const rowHeight = nine.rows[0]!.height;
      expect(nine.legend.height).toBeGreaterThan(4 * rowHeight);
      expect(nine.legend.height).toBeLessThan(5 * rowHeight);
      expect(nine.canvas.height).toBeGreaterThan(nine.body.height / 2);
      // The same panel height either way.
      expect(nine.panel.height).toBe(three.panel.height);
      await saveScreenshot(page, "line-legend-4-fit-and-scroll");

      // The last row is reached by scrolling the legend (Tab to its button does it).
      await page.focus('[data-panel-id="many"] tr.u-series:last-child .legend-toggle');
      const scrolled = await lineBoxes(page, "many");
      expectInside(scrolled.rows.at(-1)!, scrolled.legend, "last row, scrolled to");
      expect(await view.legendValues("many")).toContain("room.r8=26°C");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
