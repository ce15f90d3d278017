/**
 * What the dashboard page does when its server goes away and comes back. This file owns
 * its dev server, since it stops it.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { launchBrowser, openPage, saveScreenshot, skipBrowserTests, type WatchedPage } from "./browser.ts";
import { DashboardView } from "./dashboard-view.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";

describe.skipIf(skipBrowserTests)("the dashboard page when the connection is lost", () => {
  let server: DevServer;
  let firstServer: DevServer;
  let browser: Browser;
  let watched: WatchedPage;
  let view: DashboardView;
  let ingestToken: string;
  const id = uniqueId("outage");

  beforeAll(async () => {
    browser = await launchBrowser();
    server = firstServer = await startDevServer();
    ({ ingestToken } = await createDashboard(server.url, id, "Outage"));
    await postMetrics(server.url, id, ingestToken, [{ name: "queue.depth", value: 7 }]);
    watched = await openPage(browser, `${server.url}/d/${id}`);
    view = new DashboardView(watched.page);
    await view.waitForState("live");
    await view.waitForLatest("queue.depth", "7");
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    // The first server owns the state directory the restarted one shares.
    await firstServer?.dispose();
  });

  it("says it is reconnecting when the server stops", async () => {
    await server.stop();
    await view.waitForState("reconnecting", 20_000);
    expect(await watched.page.textContent('[data-testid="connection"]')).toContain("Reconnecting");
    // The data already drawn stays on screen while the page retries.
    expect(await view.latest("queue.depth")).toBe("7");
    await saveScreenshot(watched.page, "connection-reconnecting");
    expect(watched.errors).toEqual([]);
  });

  it("goes live again and receives new points once the server is back", async () => {
    await server.stop();
    // Same port and same state, as after a deploy or a crash-restart.
    server = await startDevServer({ port: server.port, persistTo: server.persistTo });
    await view.waitForState("live", 45_000);
    await postMetrics(server.url, id, ingestToken, [{ name: "queue.depth", value: 3 }]);
    await view.waitForLatest("queue.depth", "3");
    expect((await view.points("queue.depth")).values).toEqual([7, 3]);
    await saveScreenshot(watched.page, "connection-back-live");
    expect(watched.errors).toEqual([]);
  });
});
