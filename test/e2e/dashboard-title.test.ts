/**
 * Renaming a dashboard from its page, against a real `wrangler dev` in two real Chromium
 * pages: the editor checks the title before sending it, saves it with the dashboard's token,
 * and every open page retitles itself (heading and tab title) without reloading.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

describe.skipIf(skipBrowserTests)("the dashboard title in the page", () => {
  const suite = browserSuite();

  it("is edited in one page, checked before sending, and shown live in another page without reloading", async () => {
    const id = uniqueId("title");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Boiler room");
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "boiler.temp", value: 71.5, ts: Date.now() - 5_000 }]);
    const editor = await suite.open(`/d/${id}`);
    const watcher = await suite.open(`/d/${id}`);
    try {
      await editor.view.waitForState("live");
      await watcher.view.waitForState("live");
      await watcher.page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "not reloaded"));
      expect(await watcher.page.textContent("h1")).toBe("Boiler room");
      expect(await watcher.page.title()).toBe("Boiler room · Pulseboard");

      const { page, view } = editor;
      const puts: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "PUT") puts.push(request.url());
      });
      await view.openEditor(ingestToken);
      const title = page.getByLabel("Dashboard title", { exact: true });
      expect(await title.inputValue()).toBe("Boiler room");

      // A blank title is caught in the page, at the title field, and nothing is sent.
      await title.fill("   ");
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the title error to show", async () => ((await page.textContent('[data-testid="title-error"]')) ?? "") !== "");
      expect(await page.textContent('[data-testid="title-error"]')).toBe("title must not be empty");
      expect(await title.getAttribute("aria-invalid")).toBe("true");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("dashboard-title");
      await saveScreenshot(page, "dashboard-title-1-blank-refused");
      expect(puts).toEqual([]);

      await title.fill("Boiler room, north wing");
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the editor to close after saving", async () => (await page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "false");
      expect(puts).toHaveLength(1);
      expect(await page.textContent("h1")).toBe("Boiler room, north wing");
      expect(await page.title()).toBe("Boiler room, north wing · Pulseboard");

      await watcher.view.waitUntil("the watcher to show the new title", async () => (await watcher.page.textContent("h1")) === "Boiler room, north wing");
      expect(await watcher.page.title()).toBe("Boiler room, north wing · Pulseboard");
      expect(await watcher.page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("not reloaded");
      await saveScreenshot(watcher.page, "dashboard-title-2-watcher-follows");

      // The server holds the new title, so a fresh page opens with it.
      const stored = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { title: string };
      expect(stored.title).toBe("Boiler room, north wing");
      expect(editor.errors).toEqual([]);
      expect(watcher.errors).toEqual([]);
    } finally {
      await editor.close();
      await watcher.close();
    }
  });
});
