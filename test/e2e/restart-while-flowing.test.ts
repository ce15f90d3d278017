/**
 * Gap-free resume in the browser: the server is killed and restarted while a sensor keeps
 * posting, and once the page has reconnected its chart data equals exactly what the server
 * accepted, in order, with no gap and no duplicate (arrays compared, not pixels).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboard, uniqueId } from "./api.ts";
import { launchBrowser, openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { DashboardView } from "./dashboard-view.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";

const KEY = "sensor.value";

describe.skipIf(skipBrowserTests)("the dashboard page across a server restart while points flow", () => {
  let server: DevServer;
  let firstServer: DevServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = firstServer = await startDevServer();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await firstServer?.dispose();
  });

  it("ends with chart data equal to every point the server accepted", async () => {
    const id = uniqueId("flowing");
    const { ingestToken } = await createDashboard(server.url, id, "Flowing");
    const watched = await openPage(browser, `${server.url}/d/${id}`);
    const view = new DashboardView(watched.page);
    await view.waitForState("live");

    // A sensor posting one point every 40 ms; only points the server answered 200 count as sent.
    // A post cut off by the restart may have been stored without an answer: the retry carries
    // the same Idempotency-Key, so it is stored once whichever way it went.
    const accepted: { ts: number; value: number }[] = [];
    let sending = true;
    let next = 0;
    let retryTs: number | null = null;
    const sensor = (async () => {
      while (sending) {
        const point: { name: string; value: number; ts: number } = { name: KEY, value: next, ts: retryTs ?? Date.now() };
        retryTs = point.ts;
        try {
          const response = await fetch(`${server.url}/api/dashboards/${id}/metrics`, {
            method: "POST",
            headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json", "idempotency-key": `point-${next}` },
            body: JSON.stringify(point),
            signal: AbortSignal.timeout(2000),
          });
          if (response.status === 200) {
            accepted.push({ ts: point.ts, value: point.value });
            next++;
            retryTs = null;
          }
        } catch {
          // Server down: the sensor retries the same value.
        }
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.stop();
    await view.waitForState("reconnecting", 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    server = await startDevServer({ port: server.port, persistTo: server.persistTo });
    await view.waitForState("live", 45_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    sending = false;
    await sensor;

    const expected = { ts: accepted.map((p) => p.ts), values: accepted.map((p) => p.value) };
    expect(expected.values.length).toBeGreaterThan(30);
    const deadline = Date.now() + 15_000;
    let shown = await view.points(KEY);
    while (shown.values.length < expected.values.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shown = await view.points(KEY);
    }
    await saveScreenshot(watched.page, "restart-while-flowing");
    expect(shown).toEqual(expected);
    expect(watched.errors).toEqual([]);
  });
});
