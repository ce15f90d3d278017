/**
 * A private dashboard in the page, against a real `wrangler dev` in a real Chromium: the link
 * that carries the view key in its fragment shows it live; without the key, or with a wrong
 * one, the page says why it shows nothing and opens no socket.
 */
import { describe, expect, it } from "vitest";
import { devAdminToken, postMetrics, uniqueId, type CreatedDashboard } from "./api.ts";
import { openPage, saveScreenshot, skipBrowserTests, type WatchedPage } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

/** What creating a private dashboard returns on top of a public one's answer. */
interface CreatedPrivateDashboard extends CreatedDashboard {
  /** The key readers present; returned only at creation. */
  viewKey: string;
}

async function createPrivateDashboard(base: string, id: string): Promise<CreatedPrivateDashboard> {
  const response = await fetch(`${base}/api/dashboards`, {
    method: "POST",
    headers: { authorization: `Bearer ${devAdminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id, title: "Private", private: true }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`create private dashboard ${id}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as CreatedPrivateDashboard;
}

describe.skipIf(skipBrowserTests)("a private dashboard in the page", () => {
  const suite = browserSuite();

  async function open(url: string): Promise<WatchedPage & { view: DashboardView }> {
    const watched = await openPage(suite.browser, url);
    return { ...watched, view: new DashboardView(watched.page) };
  }


  it("says the dashboard is private and opens no socket when the link has no key", async () => {
    const id = uniqueId("private");
    await createPrivateDashboard(suite.server.url, id);
    const { page, view, errors, sockets, close } = await open(`${suite.server.url}/d/${id}`);
    const notice = page.locator('[data-testid="private"]');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain("private");
    expect(await notice.textContent()).toContain("#key=");
    expect(await view.state()).toBe("refused");
    expect(await page.$('[data-testid="panel"]')).toBeNull();
    expect(sockets).toEqual([]);
    await saveScreenshot(page, "private-dashboard-no-key");
    expect(errors).toEqual([]);
    await close();
  });

  it("says the key is wrong and opens no socket when the link's key is not the dashboard's", async () => {
    const id = uniqueId("private");
    await createPrivateDashboard(suite.server.url, id);
    const { page, view, errors, sockets, close } = await open(`${suite.server.url}/d/${id}#key=pbv_not-the-key`);
    const notice = page.locator('[data-testid="wrong-key"]');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain("wrong");
    expect(await page.$('[data-testid="private"]')).toBeNull();
    expect(await view.state()).toBe("refused");
    expect(sockets).toEqual([]);
    await saveScreenshot(page, "private-dashboard-wrong-key");
    expect(errors).toEqual([]);
    await close();
  });

  it("shows live values through the link with the key, hides the key and survives a reload", async () => {
    const id = uniqueId("private");
    const created = await createPrivateDashboard(suite.server.url, id);
    expect(created.urls.dashboard).toBe(`${suite.server.url}/d/${id}#key=${created.viewKey}`);
    const { page, view, errors, close } = await open(created.urls.dashboard);
    await view.waitForState("live");
    // The key leaves the address bar, so a copied URL or a screenshot does not give it away.
    expect(page.url()).toBe(`${suite.server.url}/d/${id}`);

    const ts = Math.floor(Date.now() / 1000) * 1000 - 5_000;
    await postMetrics(suite.server.url, id, created.ingestToken, [{ name: "vault.temp", value: 4.5, ts }]);
    await view.waitForLatest("vault.temp", "4.5");
    // Nothing more is sent, so the header's age of the data keeps counting up.
    await view.waitUntil("the data to read as 2 s old or more", async () => /^updated [2-9] s ago$/.test(await view.staleness()));

    await page.reload();
    await view.waitForState("live");
    await view.waitForLatest("vault.temp", "4.5");
    expect(await page.$('[data-testid="private"]')).toBeNull();
    await saveScreenshot(page, "private-dashboard-live");
    expect(errors).toEqual([]);
    await close();
  });
});
