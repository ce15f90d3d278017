/**
 * How the dashboard page gets back on its feet while the server stays up: the page's own
 * socket drops, or the browser loses its network. The page's WebSocket is routed through
 * Playwright so a test can cut it without touching the server.
 */
import type { WebSocketRoute } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

/**
 * A switch between the page and the server: while cut, every connection attempt is refused;
 * a muted connection stays open but carries nothing either way, like a dead route.
 */
class SocketCutter {
  cut = false;
  /** Pages' heartbeats seen (the text `ping`). */
  pings = 0;
  /** URLs of every connection attempt, in order. */
  readonly urls: string[] = [];
  /** Frames the server sent, in order. */
  readonly frames: string[] = [];
  #open: { page: WebSocketRoute; server: WebSocketRoute; muted: boolean }[] = [];

  handle = (page: WebSocketRoute): void => {
    this.urls.push(page.url());
    if (this.cut) {
      void page.close({ code: 1011, reason: "cut by test" });
      return;
    }
    const server = page.connectToServer();
    const link = { page, server, muted: false };
    server.onMessage((frame) => {
      if (link.muted) return;
      this.frames.push(String(frame));
      page.send(frame);
    });
    page.onMessage((frame) => {
      if (frame === "ping") this.pings++;
      if (!link.muted) server.send(frame);
    });
    this.#open.push(link);
  };

  /** Silences every open connection without closing it. */
  mute(): void {
    for (const link of this.#open) link.muted = true;
  }

  /** Drops every open connection (both ends) and refuses new ones. */
  async sever(): Promise<void> {
    this.cut = true;
    for (const { page, server } of this.#open.splice(0)) {
      await server.close();
      await page.close({ code: 1011, reason: "cut by test" });
    }
  }
}

describe.skipIf(skipBrowserTests)("the dashboard page after a dropped connection", () => {
  const suite = browserSuite();


  it("resumes where it left off and shows the points sent while it was cut off", async () => {
    const id = uniqueId("resume");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Resume");
    const first = await postMetrics(suite.server.url, id, ingestToken, [{ name: "orders", value: 1 }]);
    const cutter = new SocketCutter();
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/d/${id}`, (p) => p.routeWebSocket(/\/ws(\?|$)/, cutter.handle));
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitForLatest("orders", "1");
    expect(await view.staleness()).toMatch(/^updated (just now|\d+ s ago)$/);
    expect(await page.$('[data-testid="resume-notice"]')).toBeNull();

    await cutter.sever();
    await view.waitForState("reconnecting");
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "orders", value: 2 }]);
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "orders", value: 3 }]);
    const framesBefore = cutter.frames.length;
    cutter.cut = false;

    await view.waitForState("live", 30_000);
    await view.waitForLatest("orders", "3");
    expect((await view.points("orders")).values).toEqual([1, 2, 3]);
    expect(cutter.urls.at(-1)).toMatch(new RegExp(`/ws\\?since=${first.seq.to}$`));
    const types = cutter.frames.slice(framesBefore).map((frame) => (JSON.parse(frame) as { type: string }).type);
    expect(types).toContain("resumed");
    expect(types).not.toContain("snapshot");
    await view.waitUntil("the resume notice", async () => (await view.resumeNotice()) === "Back online: 2 missed points filled in");
    await saveScreenshot(page, "resume-after-drop");
    expect(errors).toEqual([]);
  });

  it("notices a socket that went silent and reconnects by itself", async () => {
    const id = uniqueId("silent");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Silent");
    const cutter = new SocketCutter();
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/d/${id}`, (p) => p.routeWebSocket(/\/ws(\?|$)/, cutter.handle));
    const view = new DashboardView(page);
    await view.waitForState("live");

    // No close frame will ever come: only the heartbeat (a ping every 15 s, 10 s to answer)
    // can tell that this socket is dead.
    cutter.mute();
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "orders", value: 5 }]);
    const deadline = Date.now() + 40_000;
    while (cutter.urls.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(cutter.urls.length, "the page should open a new socket after a heartbeat went unanswered").toBe(2);
    expect(cutter.pings).toBeGreaterThanOrEqual(1);
    await view.waitForState("live");
    await view.waitForLatest("orders", "5");
    await saveScreenshot(page, "reconnect-after-silence");
    expect(errors).toEqual([]);
  });

  it("says offline while the browser has no network and goes live again when it returns", async () => {
    const id = uniqueId("offline");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Offline");
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/d/${id}`);
    const view = new DashboardView(page);
    await view.waitForState("live");

    await page.context().setOffline(true);
    await view.waitForState("offline");
    expect(await page.textContent('[data-testid="connection"]')).toContain("Offline");
    await saveScreenshot(page, "offline");

    await page.context().setOffline(false);
    await view.waitForState("live", 30_000);
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "orders", value: 4 }]);
    await view.waitForLatest("orders", "4");
    expect(errors).toEqual([]);
  });
});
