/**
 * A long dashboard, against a real `wrangler dev` in a real Chromium: panels scrolled far out
 * of view are not redrawn while data arrives (what keeps a page of hundreds of charts cheap),
 * and each one shows every point it missed as soon as it is scrolled back into view.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

/** 30 series, one automatic chart each: ten rows of charts, far taller than the viewport. */
const keys = Array.from({ length: 30 }, (_, i) => `s.${String(i).padStart(2, "0")}`);
const top = keys[0]!;
const bottom = keys[keys.length - 1]!;
const panel = (key: string) => `[data-testid="panel"][data-metric="${key}"]`;

describe.skipIf(skipBrowserTests)("a dashboard longer than the screen", () => {
  const suite = browserSuite();

  it("leaves charts far out of view undrawn while data arrives, and brings each up to date when scrolled to", async () => {
    const id = uniqueId("long");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Long");
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const post = (step: number) =>
      postMetrics(
        suite.server.url,
        id,
        ingestToken,
        keys.map((name) => ({ name, value: step, ts: start + step * 1000 })),
      );
    await post(1);
    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    await view.waitForLatest(top, "1");
    // The bottom chart lies well below the fold (the page's own viewport is 800 px high).
    const below = await page.$eval(panel(bottom), (element) => element.getBoundingClientRect().top - innerHeight);
    expect(below).toBeGreaterThan(800);

    await post(2);
    await view.waitForLatest(top, "2");
    await view.waitUntil("the bottom series to hold the new point", async () => (await view.points(bottom)).values.length === 2);
    // A few frames later the chart far below still has not drawn the new point (nor, since
    // the page opened with it out of view, perhaps the first one).
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect((await view.drawn(bottom))?.values).not.toContain(2);
    expect(await view.latest(bottom)).not.toBe("2");

    // Scrolled into view, it shows what it missed.
    await page.locator(panel(bottom)).scrollIntoViewIfNeeded();
    await view.waitForLatest(bottom, "2");
    expect((await view.drawn(bottom))?.values).toEqual([1, 2]);
    await saveScreenshot(page, "offscreen-panels-scrolled-to-bottom");

    // Now the top chart is the one far away: it waits, and catches up when scrolled back to.
    await post(3);
    await view.waitForLatest(bottom, "3");
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect((await view.drawn(top))?.values).toEqual([1, 2]);
    await page.locator(panel(top)).scrollIntoViewIfNeeded();
    await view.waitForLatest(top, "3");
    expect((await view.drawn(top))?.values).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });
});
