/**
 * Reading the dashboard page over time, against a real `wrangler dev` in a real Chromium:
 * a time range loads older history than the live snapshot holds, pausing freezes the charts
 * while data keeps arriving, and resuming catches them up.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

describe.skipIf(skipBrowserTests)("the dashboard page over time", () => {
  const suite = browserSuite();


  it("draws the last hour from history, older than the live snapshot holds, and keeps appending live points", async () => {
    const id = uniqueId("range");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Range");
    // 700 points 5 s apart over the last hour: more than the 600 a snapshot carries, so the
    // oldest ones reach the chart only through the history route.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const start = now - 3_550_000;
    const points = Array.from({ length: 700 }, (_, i) => ({ name: "room.temp", value: 20 + (i % 10), ts: start + i * 5000 }));
    await postMetrics(suite.server.url, id, ingestToken, points);
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/d/${id}`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitUntil("the snapshot", async () => (await view.points("room.temp")).ts.length === 600);
    const held = await view.points("room.temp");
    expect(held.ts[0]).toBe(start + 100 * 5000);

    await view.chooseRange("1h");
    const drawn = (await view.drawn("room.temp"))!;
    // The first bucket (10 s wide for an hour) holds the first point posted.
    expect(drawn.ts[0]).toBeLessThanOrEqual(start);
    expect(drawn.ts[0]).toBeGreaterThan(start - 10_000);
    expect(drawn.ts.length).toBeGreaterThan(600);
    expect(drawn.xMax! - drawn.xMin!).toBe(3_600_000);
    expect(drawn.xMin!).toBeLessThanOrEqual(start);
    await saveScreenshot(page, "range-last-hour");

    await postMetrics(suite.server.url, id, ingestToken, [{ name: "room.temp", value: 42, ts: now }]);
    await view.waitForLatest("room.temp", "42");
    const after = (await view.drawn("room.temp"))!;
    expect(after.ts.at(-1)).toBe(now);
    expect(after.ts[0]).toBe(drawn.ts[0]);

    await view.chooseRange("recent");
    await view.waitUntil("the chart to span only the points held again", async () => {
      return JSON.stringify((await view.drawn("room.temp"))?.ts) === JSON.stringify((await view.points("room.temp")).ts);
    });
    expect(errors).toEqual([]);
  });

  it("keeps the charts still while paused, stores what arrives, and catches up on resume", async () => {
    const id = uniqueId("pause");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Pause");
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "queue.depth", value: 10, ts: t0 }]);
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/d/${id}`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitForLatest("queue.depth", "10");

    await view.togglePause();
    expect(await view.paused()).toBe(true);
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "queue.depth", value: 20, ts: t0 + 1000 }]);
    // The frame arrives and is kept while the panel goes on showing the old value.
    await view.waitUntil("the paused page to store the new point", async () => (await view.points("queue.depth")).values.at(-1) === 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await view.latest("queue.depth")).toBe("10");
    await saveScreenshot(page, "paused");

    await view.togglePause();
    expect(await view.paused()).toBe(false);
    await view.waitForLatest("queue.depth", "20");
    expect(await view.state()).toBe("live");
    expect(errors).toEqual([]);
  });

  it("can be paused and resumed from the keyboard", async () => {
    const id = uniqueId("pause-keys");
    await createDashboard(suite.server.url, id, "Pause by keyboard");
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/d/${id}`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await page.focus('[data-testid="pause"]');
    await page.keyboard.press("Enter");
    expect(await view.paused()).toBe(true);
    await page.keyboard.press("Space");
    expect(await view.paused()).toBe(false);
    expect(errors).toEqual([]);
  });
});
