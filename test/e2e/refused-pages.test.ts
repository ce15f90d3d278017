/**
 * Pages the server refuses while it is up: a private dashboard opened without its view key or
 * with a wrong one, and a dashboard that does not exist, also one that went away while the
 * page watched it. The page says what was refused and how to get on, and its connection badge
 * does not read as an outage ("Offline").
 */
import { describe, expect, it } from "vitest";
import { createDashboard, devAdminToken, postMetrics, uniqueId, type CreatedDashboard } from "./api.ts";
import { launchBrowser, openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";
import { startDevServer } from "./dev-server.ts";

async function createPrivateDashboard(base: string, id: string): Promise<CreatedDashboard & { viewKey: string }> {
  const response = await fetch(`${base}/api/dashboards`, {
    method: "POST",
    headers: { authorization: `Bearer ${devAdminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id, title: "Vault", private: true }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`create private dashboard ${id}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as CreatedDashboard & { viewKey: string };
}

const sizes = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

describe.skipIf(skipBrowserTests)("pages the server refuses", () => {
  const suite = browserSuite();

  const openAt = (size: { width: number; height: number }, path: string) => suite.open(path, size);

  /** What the header says: the badge's state and text, and whether the viewer count shows. */
  async function header(view: DashboardView) {
    const page = view.page;
    return {
      state: await view.state(),
      badge: (await page.locator('[data-testid="connection"]').textContent())?.trim(),
      badgeShown: await page.locator('[data-testid="connection"]').isVisible(),
      watching: await page.locator(".viewers").isVisible(),
      updated: await page.locator('[data-testid="staleness"]').isVisible(),
    };
  }

  for (const size of sizes) {
    it(`asks for the view key of a private dashboard opened without one, without saying Offline, and opens it with the key entered (${size.name})`, async () => {
      const id = uniqueId("vault");
      const created = await createPrivateDashboard(suite.server.url, id);
      await postMetrics(suite.server.url, id, created.ingestToken, [{ name: "vault.temp", value: 4.5 }]);
      const { page, errors, sockets, view, close } = await openAt(size, `/d/${id}`);
      const notice = page.locator('[data-testid="private"]');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.locator("h2").textContent()).toBe("Private dashboard: a view key is needed");
      expect(await header(view)).toEqual({ state: "refused", badge: "Key needed", badgeShown: true, watching: false, updated: false });
      expect(await page.textContent("body")).not.toContain("Offline");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);
      expect(sockets).toEqual([]);
      await saveScreenshot(page, `refused-private-${size.name}`);

      await page.fill("#view-key", created.viewKey);
      await page.click('[data-testid="view-key-form"] button[type="submit"]');
      await view.waitForState("live");
      await view.waitForLatest("vault.temp", "4.5");
      expect(await page.$('[data-testid="private"]')).toBeNull();
      expect(await header(view)).toMatchObject({ state: "live", badge: "Live", watching: true, updated: true });
      // The key is kept for this tab, not left in the address bar.
      expect(page.url()).toBe(`${suite.server.url}/d/${id}`);
      expect(errors).toEqual([]);
      await close();
    });

    it(`says a view key is wrong, without saying Offline, and takes another (${size.name})`, async () => {
      const id = uniqueId("vault");
      await createPrivateDashboard(suite.server.url, id);
      const { page, errors, sockets, view, close } = await openAt(size, `/d/${id}#key=pbv_not-the-key`);
      const notice = page.locator('[data-testid="wrong-key"]');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.locator("h2").textContent()).toBe("Private dashboard: this view key is wrong");
      expect(await header(view)).toEqual({ state: "refused", badge: "Key refused", badgeShown: true, watching: false, updated: false });
      expect(await page.textContent("body")).not.toContain("Offline");
      // Another wrong key is refused the same way, with no socket opened.
      await page.fill("#view-key", "pbv_still-not-it");
      await page.click('[data-testid="view-key-form"] button[type="submit"]');
      await view.waitUntil("the refusal to come back", async () => (await page.locator('[data-testid="wrong-key"] #view-key').inputValue()) === "");
      expect(await view.state()).toBe("refused");
      expect(sockets).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    });

    it(`says there is no dashboard by an unknown name, without saying Offline, and links to the start page (${size.name})`, async () => {
      const id = uniqueId("nowhere");
      const { page, errors, sockets, view, close } = await openAt(size, `/d/${id}`);
      const notice = page.locator('[data-testid="not-found"]');
      await notice.waitFor({ timeout: 15_000 });
      expect(await notice.locator("h2").textContent()).toBe(`No dashboard named ${id}`);
      expect(await header(view)).toEqual({ state: "refused", badge: "Not found", badgeShown: true, watching: false, updated: false });
      expect(await page.textContent("body")).not.toContain("Offline");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);
      expect(sockets).toEqual([]);
      await saveScreenshot(page, `refused-unknown-${size.name}`);

      await page.click('[data-testid="landing-link"]');
      await page.waitForURL(`${suite.server.url}/`);
      await page.locator("#create-form").waitFor();
      expect(errors).toEqual([]);
      await close();
    });
  }
});

describe.skipIf(skipBrowserTests)("a dashboard that goes away while the page watches it", () => {
  it("says at once that it was deleted (closed with 4404), without retrying", async () => {
    const browser = await launchBrowser();
    const server = await startDevServer();
    try {
      const id = uniqueId("deleted");
      const { ingestToken } = await createDashboard(server.url, id, "Deleted");
      await postMetrics(server.url, id, ingestToken, [{ name: "queue.depth", value: 7 }]);
      const { page, errors } = await openPage(browser, `${server.url}/d/${id}`);
      const view = new DashboardView(page);
      await view.waitForState("live");
      await view.waitForLatest("queue.depth", "7");
      const sockets: string[] = [];
      page.on("websocket", (socket) => sockets.push(socket.url()));
      const deleted = await fetch(`${server.url}/api/dashboards/${id}`, { method: "DELETE", headers: { Authorization: `Bearer ${devAdminToken}` } });
      expect(deleted.status).toBe(204);
      const asked = Date.now();
      const notice = page.locator('[data-testid="not-found"]');
      // Asked on the close: without it, the page's first ask would come 5-15 s after the drop.
      await notice.waitFor({ timeout: 4_900 });
      console.log(`deleted dashboard named on the page ${Date.now() - asked} ms after the DELETE answered`);
      expect(await notice.locator("h2").textContent()).toBe(`No dashboard named ${id}`);
      expect(await view.state()).toBe("refused");
      expect(sockets).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.dispose();
    }
  });

  it("stops retrying and says there is no such dashboard once the server is back without it", async () => {
    const browser = await launchBrowser();
    let server = await startDevServer();
    const first = server;
    try {
      const id = uniqueId("gone");
      const { ingestToken } = await createDashboard(server.url, id, "Gone");
      await postMetrics(server.url, id, ingestToken, [{ name: "queue.depth", value: 7 }]);
      const { page, errors } = await openPage(browser, `${server.url}/d/${id}`);
      const view = new DashboardView(page);
      await view.waitForState("live");
      await view.waitForLatest("queue.depth", "7");

      // The same port with fresh state, as after restarting a local server on a new state directory.
      await server.stop();
      await view.waitForState("reconnecting", 20_000);
      server = await startDevServer({ port: first.port });
      const notice = page.locator('[data-testid="not-found"]');
      await notice.waitFor({ timeout: 45_000 });
      expect(await notice.locator("h2").textContent()).toBe(`No dashboard named ${id}`);
      expect(await view.state()).toBe("refused");
      expect(await page.locator('[data-testid="connection"]').textContent()).toContain("Not found");
      expect(await page.locator("#grid").isVisible()).toBe(false);
      await saveScreenshot(page, "refused-gone");
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.dispose();
      await first.dispose();
    }
  });
});
