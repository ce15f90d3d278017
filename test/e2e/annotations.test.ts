/**
 * Annotations in the page, against a real `wrangler dev` in real Chromium: added from one
 * page's Annotate dialog and over HTTP, drawn on every time chart of every open page at once,
 * named in a chart's tooltip at their time, removed from the dialog, read again on reload,
 * and kept off a wall screen's chrome.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

describe.skipIf(skipBrowserTests)("annotations in the page", () => {
  const suite = browserSuite();

  it("are added from the page and over HTTP, drawn on every chart of every page at once, named at the cursor, and removed", async () => {
    const id = uniqueId("notes");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    const start = Date.now() - 60_000;
    await postMetrics(
      suite.server.url,
      id,
      ingestToken,
      Array.from({ length: 60 }, (_, i) => [
        { name: "boiler.temp", value: 60 + (i % 5), ts: start + i * 1000 },
        { name: "boiler.pressure", value: 2 + (i % 3) / 10, ts: start + i * 1000 },
      ]).flat(),
    );
    const writer = await suite.open(`/d/${id}`);
    const watcher = await suite.open(`/d/${id}`);
    const marks = (page: typeof writer.page) => page.$$eval(".uplot", (charts) => charts.map((chart) => (chart as HTMLElement).dataset.annotations ?? "none"));
    try {
      for (const { view } of [writer, watcher]) {
        await view.waitForState("live");
        await view.waitForLatest("boiler.temp", String(60 + (59 % 5)));
      }
      expect(await marks(watcher.page)).toEqual(["0", "0"]);

      // From the page: the token asked in the dialog, the time left empty (now).
      const { page } = writer;
      await page.click('[data-testid="annotate"]');
      await page.fill('[data-testid="annotation-text"]', "burner relit");
      await page.click('[data-testid="annotation-add"]');
      await writer.view.waitUntil("the missing token to be named", async () => /token/.test((await page.textContent('[data-testid="annotation-error"]')) ?? ""));
      await page.fill('[data-testid="annotation-token"]', ingestToken);
      await page.click('[data-testid="annotation-add"]');
      await writer.view.waitUntil("the annotation in the dialog's list", async () => ((await page.textContent('[data-testid="annotation-list"]')) ?? "").includes("burner relit"));
      // It is at now, past the newest point: the charts reach it with the next points.
      await postMetrics(suite.server.url, id, ingestToken, [
        { name: "boiler.temp", value: 66, ts: Date.now() + 1000 },
        { name: "boiler.pressure", value: 2.3, ts: Date.now() + 1000 },
      ]);
      await watcher.view.waitUntil("the annotation on the other page's charts", async () => (await marks(watcher.page)).every((n) => n === "1"));
      await saveScreenshot(page, "annotations-1-dialog");
      await page.click('[data-testid="annotation-close"]');

      // Over HTTP, at a time among the points: drawn on both pages, and named under the cursor there.
      const at = start + 30_000;
      const posted = await fetch(`${suite.server.url}/api/dashboards/${id}/annotations`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ingestToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ text: "valve opened", ts: at }),
      });
      expect(posted.status).toBe(201);
      for (const open of [writer, watcher]) await open.view.waitUntil("both annotations drawn", async () => (await marks(open.page)).every((n) => n === "2"));
      const chart = watcher.page.locator(".uplot .u-over").first();
      const box = (await chart.boundingBox())!;
      // Where the annotation's time lies across the first chart's plot (its x span from the debug hook).
      const { shown } = (await watcher.view.timeCharts())[0]!;
      const x = shown.xMin !== undefined && shown.xMax !== undefined ? (at - shown.xMin) / (shown.xMax - shown.xMin) : NaN;
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
      await watcher.page.mouse.move(box.x + x * box.width, box.y + box.height / 2);
      await watcher.view.waitUntil("the tooltip to name the annotation", async () =>
        ((await watcher.page.textContent('[data-testid="tooltip-annotations"]')) ?? "").includes("valve opened"),
      );
      await saveScreenshot(watcher.page, "annotations-2-tooltip");

      // From the page again, at a time written on the 24-hour clock (the page's time zone).
      await page.click('[data-testid="annotate"]');
      const written = await page.evaluate((ts) => {
        const d = new Date(ts);
        const two = (n: number) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
      }, start + 45_000);
      await page.fill('[data-testid="annotation-text"]', "fuel delivered");
      await page.fill('[data-testid="annotation-time"]', "yesterday");
      await page.click('[data-testid="annotation-add"]');
      await writer.view.waitUntil("the bad time to be named", async () => /YYYY-MM-DD/.test((await page.textContent('[data-testid="annotation-error"]')) ?? ""));
      await page.fill('[data-testid="annotation-time"]', written);
      await page.click('[data-testid="annotation-add"]');
      for (const open of [writer, watcher]) await open.view.waitUntil("three annotations drawn", async () => (await marks(open.page)).every((n) => n === "3"));
      const stored = (await (await fetch(`${suite.server.url}/api/dashboards/${id}/annotations`)).json()) as { annotations: { text: string; ts: number }[] };
      expect(stored.annotations.find((a) => a.text === "fuel delivered")?.ts).toBe(Math.floor((start + 45_000) / 1000) * 1000);
      await page.click('[data-testid="annotation-close"]');

      // A reload reads them again.
      await watcher.page.reload();
      await watcher.view.waitForState("live");
      await watcher.view.waitUntil("the annotations drawn after a reload", async () => (await marks(watcher.page)).every((n) => n === "3"));

      // Removed from the dialog: gone from every page.
      await page.click('[data-testid="annotate"]');
      await page.click('[data-testid="annotation-list"] li:has-text("valve opened") button');
      for (const open of [writer, watcher]) await open.view.waitUntil("two annotations left", async () => (await marks(open.page)).every((n) => n === "2"));
      expect(writer.errors).toEqual([]);
      expect(watcher.errors).toEqual([]);
    } finally {
      await writer.close();
      await watcher.close();
    }
  });

  it("has no Annotate button on a wall screen (kiosk), which still draws them", async () => {
    const id = uniqueId("notes-kiosk");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    const start = Date.now() - 20_000;
    await postMetrics(suite.server.url, id, ingestToken, Array.from({ length: 20 }, (_, i) => ({ name: "boiler.temp", value: i, ts: start + i * 1000 })));
    await fetch(`${suite.server.url}/api/dashboards/${id}/annotations`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ingestToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ text: "shift change", ts: start + 10_000 }),
    });
    const wall = await suite.open(`/d/${id}?kiosk`);
    try {
      await wall.view.waitForState("live");
      expect(await wall.page.isVisible('[data-testid="annotate"]')).toBe(false);
      await wall.view.waitUntil("the annotation drawn", async () => (await wall.page.getAttribute(".uplot", "data-annotations")) === "1");
      expect(wall.errors).toEqual([]);
    } finally {
      await wall.close();
    }
  });
});
