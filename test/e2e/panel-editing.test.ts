/**
 * Editing saved panels on the dashboard page, against a real `wrangler dev` in two real
 * Chromium pages: one edits and saves with the dashboard's token, the other redraws live.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

describe.skipIf(skipBrowserTests)("panel editing", () => {
  const suite = browserSuite();

  it("saves edited, added and reordered panels with the ingest token, and another open page follows without reloading", async () => {
    const id = uniqueId("edit");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    const now = Math.floor(Date.now() / 1000) * 1000 - 30_000;
    await postMetrics(suite.server.url, id, ingestToken, [
      { name: "cpu.usage", tags: { host: "a" }, value: 12.5, ts: now },
      { name: "queue.depth", value: 17, ts: now },
    ]);
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [{ id: "cpu", title: "CPU usage", type: "line", series: ["cpu.*"], unit: "%" }] });

    const editor = await suite.open(`/d/${id}`);
    const watcher = await suite.open(`/d/${id}`);
    try {
      await editor.view.waitForState("live");
      await watcher.view.waitForState("live");
      await watcher.page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "not reloaded"));
      expect(await watcher.view.savedPanels()).toEqual(["cpu:line"]);
      expect(await editor.page.isVisible('[data-testid="panel-editor"]')).toBe(false);
      await saveScreenshot(editor.page, "panel-editing-1-before");

      const { view, page } = editor;
      // The toggle works from the keyboard, and opening the editor moves focus into it.
      await page.focus('[data-testid="edit"]');
      await page.keyboard.press("Enter");
      // The first opening loads the editor's code.
      await view.waitUntil("the editor to open", async () => (await page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "true");
      // No token is kept in this tab yet: the editor asks for one first, the focus in its field.
      expect(await page.isVisible('[data-testid="token-gate"]')).toBe(true);
      expect(await page.isVisible('[data-testid="editor-form"]')).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("edit-token");
      // A wrong token is refused at the token input; the form stays closed.
      await page.keyboard.type("not-the-token");
      await page.keyboard.press("Enter");
      await view.waitUntil("the wrong token to be refused", async () => ((await page.textContent('[data-testid="token-error"]')) ?? "").includes("not valid"));
      expect(await page.getAttribute('[data-testid="edit-token"]', "aria-invalid")).toBe("true");
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("edit-token");
      expect(await page.isVisible('[data-testid="editor-form"]')).toBe(false);
      await saveScreenshot(page, "panel-editing-1-wrong-token");
      await page.fill('[data-testid="edit-token"]', ingestToken);
      await page.keyboard.press("Enter");
      await view.waitUntil("the form to open", () => page.isVisible('[data-testid="editor-form"]'));
      expect(await page.isVisible('[data-testid="token-gate"]')).toBe(false);
      // The form starts with the dashboard's title, so that is where focus lands.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("edit-dashboard-title");
      expect(await view.editorPanels()).toEqual(["cpu"]);
      await view.editField("cpu", "title", "CPU now");
      await view.editField("cpu", "type", "stat");
      await page.click('[data-testid="add-panel"]');
      const [, added] = await view.editorPanels();
      if (!added) throw new Error("Add panel added no panel");
      await view.editField(added, "title", "Queue");
      await view.editField(added, "type", "gauge");
      // The series from the picker: searched, and checked.
      await view.editField(added, "series", "");
      await page.click(`[data-panel-id="${added}"] [data-testid="series-picker"] summary`);
      await page.fill(`[data-panel-id="${added}"] [data-testid="series-search"]`, "QUEUE");
      const options = page.locator(`[data-panel-id="${added}"] [data-testid="series-option"]`);
      expect(await options.evaluateAll((boxes) => boxes.map((box) => (box as HTMLElement).dataset.key))).toEqual(["queue.depth"]);
      await options.first().check();
      expect(await page.inputValue(`[data-panel-id="${added}"] [data-field="series"]`)).toBe("queue.depth");
      await view.editField(added, "min", "0");
      await view.editField(added, "max", "100");
      await view.addThresholds(added, [
        [50, "#d97706"],
        [80, "#dc2626"],
      ]);
      await view.editorPanelButton(added, "move-up");
      expect(await view.editorPanels()).toEqual([added, "cpu"]);
      // At the top, "Move up" is disabled, so focus stays on the moved panel's other move button.
      expect(await page.evaluate(() => document.activeElement?.closest("fieldset")?.getAttribute("data-panel-id"))).toBe(added);
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("move-down");
      await saveScreenshot(page, "panel-editing-2-edited");

      // Nothing reached the watcher while editing.
      expect(await watcher.view.savedPanels()).toEqual(["cpu:line"]);

      // Save uses the token accepted when the editor opened.
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the editor to close after saving", async () => !(await page.isVisible('[data-testid="panel-editor"]')));
      expect(await page.getAttribute('[data-testid="edit"]', "aria-pressed")).toBe("false");
      await watcher.view.waitUntil("the watcher to show the new panels", async () => {
        return JSON.stringify(await watcher.view.savedPanels()) === JSON.stringify([`${added}:gauge`, "cpu:stat"]);
      });
      expect(await watcher.view.savedPanelAttribute("cpu", "aria-label")).toBe("CPU now (stat)");
      expect(await watcher.page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("not reloaded");
      expect(await view.savedPanels()).toEqual([`${added}:gauge`, "cpu:stat"]);
      // The thresholds as typed and picked.
      const saved = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { panels: { id: string; thresholds?: unknown }[] };
      expect(saved.panels.find((panel) => panel.id === added)?.thresholds).toEqual([
        { value: 50, color: "#d97706" },
        { value: 80, color: "#dc2626" },
      ]);
      await saveScreenshot(watcher.page, "panel-editing-4-watcher-follows");

      // The token is kept for the tab, never in the URL.
      expect(page.url()).not.toContain(ingestToken);
      expect(watcher.page.url()).not.toContain(ingestToken);

      // An empty series list is caught in the page: the error sits at the field and no PUT is sent.
      const puts: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "PUT") puts.push(request.url());
      });
      // Opened again in the tab, the editor does not ask for the token again.
      await view.toggleEditing();
      expect(await page.isVisible('[data-testid="editor-form"]')).toBe(true);
      expect(await page.isVisible('[data-testid="token-gate"]')).toBe(false);
      await view.editField("cpu", "series", " , ");
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the series error to show", async () => (await view.fieldError("cpu", "series")) !== "");
      expect(await view.fieldError("cpu", "series")).toBe("series needs at least one pattern");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("edit-1-series");
      await saveScreenshot(page, "panel-editing-5-field-error");
      // A threshold's value that is not a number is named under the thresholds.
      await view.editField("cpu", "series", "cpu.*");
      await view.addThresholds("cpu", [[Number.NaN, "#dc2626"]]);
      await page.locator(`[data-panel-id="cpu"] [data-testid="threshold"] [data-threshold="value"]`).last().fill("high");
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the threshold error to show", async () => (await view.fieldError("cpu", "thresholds")) !== "");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(puts).toEqual([]);
      expect(await watcher.view.savedPanels()).toEqual([`${added}:gauge`, "cpu:stat"]);

      expect(editor.errors).toEqual([]);
      expect(watcher.errors).toEqual([]);
    } finally {
      await editor.close();
      await watcher.close();
    }
  });
});
