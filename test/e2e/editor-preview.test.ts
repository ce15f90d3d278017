/**
 * The editor's token prompt and its live preview, in real Chromium against a real `wrangler
 * dev`, at a desktop's and a phone's size (390 × 844): Edit asks for a token before the form
 * opens and checks it with the server; a panel's Preview draws it as it would be saved, with
 * the page's live data.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

const sizes = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** Makes a token of `scope` on dashboard `id` with its ingest token; returns its id and secret. */
async function makeToken(base: string, id: string, ingestToken: string, name: string, scope: "write" | "edit"): Promise<{ id: string; token: string }> {
  const response = await fetch(`${base}/api/dashboards/${id}/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name, scope }),
  });
  if (response.status !== 201) throw new Error(`make token: HTTP ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string; token: string };
}

async function revokeToken(base: string, id: string, ingestToken: string, tokenId: string): Promise<void> {
  const response = await fetch(`${base}/api/dashboards/${id}/tokens/${tokenId}`, { method: "DELETE", headers: { authorization: `Bearer ${ingestToken}` } });
  if (response.status !== 204) throw new Error(`revoke token: HTTP ${response.status}: ${await response.text()}`);
}

const text = (page: Page, selector: string) => page.evaluate((s) => document.querySelector(s)?.textContent?.trim() ?? "", selector);
const attribute = (page: Page, selector: string, name: string) => page.evaluate(([s, n]) => document.querySelector(s!)?.getAttribute(n!) ?? null, [selector, name]);
const focusedTestid = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.id ?? "");

describe.skipIf(skipBrowserTests)("the editor's token prompt and preview", () => {
  const suite = browserSuite();

  const openAt = (size: { width: number; height: number }, path: string) => suite.open(path, size);

  for (const size of sizes) {
    it(`asks for the token when Edit is opened, refuses wrong and write-only tokens at the field, keeps a right one for the tab, and asks again when Save is refused (${size.name})`, async () => {
      const id = uniqueId("gate");
      const { ingestToken } = await createDashboard(suite.server.url, id, "Gate");
      await updateDashboard(suite.server.url, id, ingestToken, { panels: [{ id: "queue", title: "Queue", type: "stat", series: ["queue.depth"] }] });
      const writer = await makeToken(suite.server.url, id, ingestToken, "sensor", "write");
      const editor = await makeToken(suite.server.url, id, ingestToken, "editor", "edit");
      const { page, view, errors, close } = await openAt(size, `/d/${id}`);
      try {
        await view.waitForState("live");
        // The checks go through here: held, failed or answered 503 as a test needs.
        let mode: "pass" | "hold" | "unreachable" | "down" = "pass";
        let release = () => {};
        const checks: string[] = [];
        await page.route(/\/api\/dashboards\/[^/]+\/tokens$/, async (route) => {
          checks.push(route.request().method());
          if (mode === "unreachable") return route.abort("internetdisconnected");
          if (mode === "down") return route.fulfill({ status: 503, contentType: "text/plain", body: "Service Unavailable" });
          if (mode === "hold") await new Promise<void>((resolve) => (release = resolve));
          await route.continue();
        });
        const gate = page.locator('[data-testid="token-gate"]');
        const form = page.locator('[data-testid="editor-form"]');
        const refusal = async (token: string, kind: string) => {
          await page.fill('[data-testid="edit-token"]', token);
          await page.click('[data-testid="token-submit"]');
          await view.waitUntil(`a refusal of kind ${kind}`, async () => (await attribute(page, '[data-testid="token-error"]', "data-kind")) === kind);
          expect(await form.isVisible()).toBe(false);
          expect(await page.getAttribute('[data-testid="edit-token"]', "aria-invalid")).toBe("true");
          expect(await focusedTestid(page)).toBe("edit-token");
          return text(page, '[data-testid="token-error"]');
        };

        await view.toggleEditing();
        await gate.waitFor();
        expect(await form.isVisible()).toBe(false);
        expect(await focusedTestid(page)).toBe("edit-token");
        // Its field says which token it wants.
        expect(await page.getByLabel("Edit token or admin token").count()).toBe(1);
        expect(await text(page, "#edit-token-help")).toContain("edit token");
        expect(await text(page, "#edit-token-help")).toContain("admin token");
        expect(checks).toEqual([]);

        // A wrong token: "checking" while the server is asked, then refused.
        mode = "hold";
        await page.fill('[data-testid="edit-token"]', "pb_not-this-dashboards");
        await page.click('[data-testid="token-submit"]');
        await view.waitUntil("the check to be under way", async () => (await text(page, '[data-testid="token-status"]')).startsWith("Checking"));
        expect(await page.isDisabled('[data-testid="token-submit"]')).toBe(true);
        mode = "pass";
        release();
        await view.waitUntil("the wrong token refused", async () => (await attribute(page, '[data-testid="token-error"]', "data-kind")) === "wrong");
        expect(await text(page, '[data-testid="token-status"]')).toBe("");
        expect(await text(page, '[data-testid="token-error"]')).toContain("not valid for this dashboard");
        expect(await form.isVisible()).toBe(false);
        await saveScreenshot(page, `editor-gate-${size.name}-1-wrong`);

        // A token of the dashboard that may only write: refused for its scope, said differently.
        const scope = await refusal(writer.token, "scope");
        expect(scope).toContain("scope");
        expect(scope).not.toContain("not valid");
        // No answer, and a server that answers 503: each said as such.
        mode = "unreachable";
        expect(await refusal(editor.token, "unreachable")).toContain("Could not reach the server");
        mode = "down";
        expect(await refusal(editor.token, "down")).toContain("HTTP 503");
        mode = "pass";
        expect(checks).toEqual(["GET", "GET", "GET", "GET"]);
        await saveScreenshot(page, `editor-gate-${size.name}-2-down`);

        // The right token (an edit-scoped one) opens the form, the focus on its first field.
        await page.fill('[data-testid="edit-token"]', editor.token);
        await page.keyboard.press("Enter");
        await view.waitUntil("the form to open", () => form.isVisible());
        expect(await gate.isVisible()).toBe(false);
        expect(await focusedTestid(page)).toBe("dashboard-title");
        expect(page.url()).not.toContain(editor.token);
        if (size.name === "phone") expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);

        // Closed and opened again in the tab: not asked again, nothing checked.
        await page.click('[data-testid="cancel-edit"]');
        await view.toggleEditing();
        expect(await form.isVisible()).toBe(true);
        expect(await gate.isVisible()).toBe(false);
        expect(checks).toHaveLength(5);

        // The token is revoked meanwhile: Save is refused, the prompt asks again and the edits wait.
        await revokeToken(suite.server.url, id, ingestToken, editor.id);
        await view.editField("queue", "title", "Queue now");
        await page.click('[data-testid="save-panels"]');
        await view.waitUntil("the prompt to ask again", () => gate.isVisible());
        expect(await form.isVisible()).toBe(false);
        expect(await text(page, '[data-testid="token-error"]')).toContain("Saving was refused");
        expect(await attribute(page, '[data-testid="token-error"]', "data-kind")).toBe("wrong");
        expect(await focusedTestid(page)).toBe("edit-token");
        expect(await page.inputValue('[data-testid="panel-editor"][data-panel-id="queue"] [data-field="title"]')).toBe("Queue now");
        await saveScreenshot(page, `editor-gate-${size.name}-3-asked-again`);
        await page.fill('[data-testid="edit-token"]', ingestToken);
        await page.click('[data-testid="token-submit"]');
        await view.waitUntil("the save to go through", async () => (await page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "false");
        const saved = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { panels: { title: string }[] };
        expect(saved.panels.map((panel) => panel.title)).toEqual(["Queue now"]);
        await view.waitUntil("the page to show the saved title", async () => (await view.savedPanelAttribute("queue", "aria-label")) === "Queue now (stat)");
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });

    it(`previews the panel being edited with live data, following its fields and new points, and drops the preview on close (${size.name})`, async () => {
      const id = uniqueId("preview");
      const { ingestToken } = await createDashboard(suite.server.url, id, "Preview");
      await updateDashboard(suite.server.url, id, ingestToken, {
        panels: [
          { id: "queue", title: "Queue", type: "stat", series: ["queue.depth"] },
          { id: "cpu", title: "CPU", type: "line", series: ["cpu.*"] },
        ],
      });
      const now = Date.now();
      await postMetrics(suite.server.url, id, ingestToken, [
        { name: "queue.depth", value: 17, ts: now - 3_000 },
        { name: "cpu.load", tags: { host: "a" }, value: 1.5, ts: now - 3_000 },
        { name: "cpu.load", tags: { host: "b" }, value: 2.5, ts: now - 3_000 },
      ]);
      const { page, view, errors, close } = await openAt(size, `/d/${id}`);
      const preview = '[data-testid="panel-preview"]';
      const shown = `${preview} [data-testid="preview-view"]`;
      const toggle = (panel: string) => `[data-testid="panel-editor"][data-panel-id="${panel}"] [data-testid="preview-panel"]`;
      try {
        await view.waitForState("live");
        await view.waitUntil("the stat", async () => (await view.savedPanelText("queue", '[data-testid="stat-value"]')) === "17");
        await view.openEditor(ingestToken);
        // Nothing is previewed until asked.
        expect(await page.locator(preview).count()).toBe(0);
        await page.click(toggle("queue"));
        expect(await page.getAttribute(toggle("queue"), "aria-pressed")).toBe("true");
        await view.waitUntil("the stat preview", async () => (await text(page, `${shown} [data-testid="stat-value"]`)) === "17");
        expect(await attribute(page, shown, "data-panel-type")).toBe("stat");
        expect(await attribute(page, preview, "data-panel-id")).toBe("queue");

        // It follows the fields: unit, type, thresholds.
        await view.editField("queue", "unit", "percent");
        await view.waitUntil("the unit in the preview", async () => (await text(page, `${shown} [data-testid="stat-value"]`)) === "17%");
        await view.editField("queue", "type", "gauge");
        await view.waitUntil("a gauge in the preview", async () => (await attribute(page, shown, "data-panel-type")) === "gauge");
        expect(await text(page, `${shown} [data-testid="gauge-value"]`)).toBe("17%");
        expect(await attribute(page, `${shown} [data-testid="gauge-value"]`, "data-color")).toBe("");
        await view.addThresholds("queue", [[10, "#dc2626"]]);
        await view.waitUntil("the threshold colour in the preview", async () => (await attribute(page, `${shown} [data-testid="gauge-value"]`, "data-color")) === "#dc2626");

        // And the data: a point posted now moves it; the page's own panel stays as saved.
        await postMetrics(suite.server.url, id, ingestToken, [{ name: "queue.depth", value: 42, ts: Date.now() }]);
        await view.waitUntil("the new point in the preview", async () => (await text(page, `${shown} [data-testid="gauge-value"]`)) === "42%");
        expect((await view.points("queue.depth")).values.at(-1)).toBe(42);
        expect(await view.savedPanels()).toEqual(["queue:stat", "cpu:line"]);
        await saveScreenshot(page, `editor-preview-${size.name}-1-gauge`);
        if (size.name === "phone") {
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);
          const box = (await page.locator(shown).boundingBox())!;
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(size.width);
        }

        // A draft Save would refuse shows why, and no stale drawing.
        await view.editField("queue", "decimals", "eleven");
        await view.waitUntil("the preview's error", async () => (await attribute(page, preview, "data-state")) === "invalid");
        expect(await text(page, `${preview} [data-testid="preview-error"]`)).toContain("decimals");
        expect(await page.locator(shown).count()).toBe(0);
        await view.editField("queue", "decimals", "1");
        await view.waitUntil("the preview back, with a decimal", async () => (await text(page, `${shown} [data-testid="gauge-value"]`)) === "42.0%");

        // Its series patterns: the line chart lists what they match.
        await view.editField("queue", "type", "line");
        await view.editField("queue", "series", "cpu.*");
        await view.waitUntil("a line chart of the cpu series", async () => (await attribute(page, shown, "data-series-keys")) === "cpu.load{host=a},cpu.load{host=b}");
        expect(await page.locator(`${shown} canvas`).count()).toBe(1);

        // One preview at a time: another panel's Preview moves it there.
        await page.click(toggle("cpu"));
        expect(await page.locator(preview).count()).toBe(1);
        expect(await attribute(page, preview, "data-panel-id")).toBe("cpu");
        expect(await page.getAttribute(toggle("queue"), "aria-pressed")).toBe("false");
        await page.click(toggle("cpu"));
        expect(await page.locator(preview).count()).toBe(0);

        // Closing the editor destroys it.
        await page.click(toggle("queue"));
        await page.locator(shown).waitFor();
        await page.click('[data-testid="cancel-edit"]');
        expect(await page.locator(preview).count()).toBe(0);
        expect(await page.locator('[data-testid="preview-view"]').count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
