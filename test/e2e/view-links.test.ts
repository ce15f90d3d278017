/**
 * A link reopens the view it was copied from, in real Chromium against a real `wrangler dev`:
 * the range picked and the stretch zoomed into follow the page's query string as they change,
 * and a page opened on such a link (or reloaded) shows the same range and stretch.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

describe.skipIf(skipBrowserTests)("a link to a view", () => {
  const suite = browserSuite();

  it("follows the range and the zoom, and a page opened on it shows the same", async () => {
    const id = uniqueId("links");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    const start = Date.now() - 120_000;
    await postMetrics(suite.server.url, id, ingestToken, Array.from({ length: 120 }, (_, i) => ({ name: "boiler.temp", value: 60 + (i % 9), ts: start + i * 1000 })));
    const first = await suite.open(`/d/${id}?kiosk`);
    const second = await suite.open(`/d/${id}`);
    try {
      const { page, view } = second;
      await view.waitForState("live");
      await view.waitForLatest("boiler.temp", String(60 + (119 % 9)));
      expect(new URL(page.url()).search).toBe("");

      await view.chooseRange("1h");
      expect(new URL(page.url()).searchParams.get("range")).toBe("1h");
      await view.dragAcrossChart('[data-testid="panel"][data-metric="boiler.temp"]', 0.3, 0.6);
      await view.waitUntil("the zoom in the link", async () => new URL(page.url()).searchParams.has("from"));
      const link = new URL(page.url());
      const zoom = { min: Number(link.searchParams.get("from")), max: Number(link.searchParams.get("to")) };
      expect(zoom.max).toBeGreaterThan(zoom.min);
      const shown = async (v: typeof view) => (await v.timeCharts())[0]!.shown;

      // Opened on the link (kiosk kept as it was given): the same range and stretch.
      await first.page.goto(`${suite.server.url}/d/${id}?kiosk&${link.searchParams}`);
      await first.view.waitForState("live");
      await first.view.waitUntil("the linked stretch", async () => {
        const s = await shown(first.view);
        return s.xMin === zoom.min && s.xMax === zoom.max;
      });
      expect(await first.page.inputValue('[data-testid="range"]')).toBe("1h");
      expect(new URL(first.page.url()).search).toBe(`?kiosk&range=1h&from=${zoom.min}&to=${zoom.max}`);

      // Back to now: the stretch leaves the link, the range stays; a reload shows that.
      await view.doubleClickChart('[data-testid="panel"][data-metric="boiler.temp"]');
      await view.waitUntil("the zoom gone from the link", async () => !new URL(page.url()).searchParams.has("from"));
      expect(new URL(page.url()).search).toBe("?range=1h");
      await page.reload();
      await view.waitForState("live");
      await view.waitUntil("the range from the link", async () => (await page.getAttribute('[data-testid="range"]', "data-loaded")) === "1h");
      expect(first.errors).toEqual([]);
      expect(second.errors).toEqual([]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
