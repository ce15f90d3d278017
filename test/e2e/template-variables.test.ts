/**
 * Template variables on the dashboard page, in a real Chromium against a real `wrangler dev`,
 * at a desktop's and a phone's size: a `$host` dropdown filled from the series' `host` values
 * narrows the saved panel `cpu{host=$host}` at once, the link keeps the choice across a
 * reload, a host that starts sending appears in the dropdown live, several hosts and All can
 * be chosen, and the editor defines a variable and saves it with the panels.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, devAdminToken, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

const sizes = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe's violations on the page as it is now, one line per rule. */
async function audit(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, { resultTypes: ["violations"] }),
  );
  return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join("; ")}`);
}

const hostControl = '[data-testid="variable"][data-variable="host"]';
const cpuPanel = { id: "cpu", title: "CPU on $host", type: "line", series: ["cpu{host=$host}"] };

describe.skipIf(skipBrowserTests)("template variables", () => {
  const suite = browserSuite();

  /** A dashboard with cpu of hosts a, b and c, a memory series, the panel `cpu{host=$host}` and the variable `variable`. */
  async function hostsDashboard(variable: Record<string, unknown>): Promise<{ id: string; ingestToken: string }> {
    const id = uniqueId("vars");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    const now = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    await postMetrics(suite.server.url, id, ingestToken, [
      ...["a", "b", "c"].map((host, i) => ({ name: "cpu", tags: { host }, value: 10 + i, ts: now })),
      { name: "mem", tags: { host: "a" }, value: 50, ts: now },
    ]);
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [cpuPanel], variables: [{ name: "host", tag: "host", metric: "cpu", ...variable }] });
    return { id, ingestToken };
  }

  async function openAt(size: { width: number; height: number }, path: string) {
    const opened = await suite.open(path, size);
    await opened.view.waitForState("live");
    return opened;
  }

  /** The series keys the saved cpu panel shows. */
  const shownKeys = (view: DashboardView) => view.savedPanelAttribute("cpu", "data-series-keys");
  /** The series with automatic panels. */
  /** The series on automatic panels, by the latest value each shows. */
  const automatic = (page: Page) => page.$$eval('[data-testid="panel"] [data-testid="latest"]', (values) => values.map((value) => value.getAttribute("data-series")));
  const linkChoices = (page: Page, name: string) => new URL(page.url()).searchParams.getAll(`var-${name}`);

  for (const size of sizes) {
    it(`narrows the panel to the host chosen at once, keeps it in the link across a reload, and offers a new host live, on a ${size.name}`, async () => {
      const { id, ingestToken } = await hostsDashboard({});
      const { page, errors, view, close } = await openAt(size, `/d/${id}`);
      const select = `${hostControl} [data-testid="variable-select"]`;
      // No choice in the link, no default, no All: the first host.
      await view.waitUntil("host a to be shown", async () => (await shownKeys(view)) === "cpu{host=a}");
      expect(await page.$$eval(`${select} option`, (options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual(["a", "b", "c"]);
      expect(await view.savedPanelText("cpu", ".panel-title")).toBe("CPU on a");
      // The other hosts' cpu belongs to the panel's other choices, not to panels of their own; mem is no panel's.
      expect(await automatic(page)).toEqual(["mem{host=a}"]);
      expect(linkChoices(page, "host")).toEqual(["a"]);

      await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "not reloaded"));
      const sockets: string[] = [];
      page.on("websocket", (socket) => sockets.push(socket.url()));
      await page.selectOption(select, "b");
      await view.waitUntil("host b alone to be shown", async () => (await shownKeys(view)) === "cpu{host=b}");
      expect(await view.savedPanelText("cpu", ".panel-title")).toBe("CPU on b");
      expect(linkChoices(page, "host")).toEqual(["b"]);
      // Re-matched from the data the page holds: no reload, no new socket.
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("not reloaded");
      expect(sockets).toEqual([]);
      expect(await automatic(page)).toEqual(["mem{host=a}"]);

      // The dropdown is labelled, in the header, and the header still fits the window.
      const box = (await page.locator(select).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
      // On a phone, tall enough to hit with a finger.
      if (size.name === "phone") expect(box.height).toBeGreaterThanOrEqual(32);
      expect(box.y + box.height).toBeLessThanOrEqual((await page.locator(".topbar").boundingBox())!.height);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);
      expect(await page.getByRole("combobox", { name: "host", exact: true }).count()).toBe(1);
      await saveScreenshot(page, `template-variables-${size.name}`);

      await page.reload();
      await view.waitForState("live");
      await view.waitUntil("host b to be shown again", async () => (await shownKeys(view)) === "cpu{host=b}");
      expect(await page.inputValue(select)).toBe("b");

      await postMetrics(suite.server.url, id, ingestToken, [{ name: "cpu", tags: { host: "d" }, value: 40 }]);
      await view.waitUntil("host d to be offered", async () => (await page.$$eval(`${select} option`, (options) => options.map((o) => (o as HTMLOptionElement).value))).includes("d"));
      // Offered, not chosen: the panel stays on b.
      expect(await shownKeys(view)).toBe("cpu{host=b}");
      expect(await audit(page)).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    });

    it(`takes several hosts and All from the keyboard and the link, on a ${size.name}`, async () => {
      const { id, ingestToken } = await hostsDashboard({ multi: true, includeAll: true });
      const { page, errors, view, close } = await openAt(size, `/d/${id}?var-host=a&var-host=c`);
      await view.waitUntil("hosts a and c to be shown", async () => (await shownKeys(view)) === "cpu{host=a},cpu{host=c}");
      expect(await view.savedPanelText("cpu", ".panel-title")).toBe("CPU on a, c");

      // Opened and used from the keyboard.
      const summary = `${hostControl} summary`;
      await page.focus(summary);
      await page.keyboard.press("Enter");
      const options = page.locator(`${hostControl} [data-testid="variable-option"]`);
      await options.first().waitFor();
      expect(await options.evaluateAll((boxes) => boxes.map((box) => `${(box as HTMLInputElement).value}:${(box as HTMLInputElement).checked}`))).toEqual([
        "$__all:false",
        "a:true",
        "b:false",
        "c:true",
      ]);
      // The open list fits the window.
      const list = (await page.locator(`${hostControl} .variable-options`).boundingBox())!;
      expect(list.x).toBeGreaterThanOrEqual(0);
      expect(list.x + list.width).toBeLessThanOrEqual(size.width);
      expect(await audit(page)).toEqual([]);
      await saveScreenshot(page, `template-variables-multi-${size.name}`);

      await options.nth(2).focus();
      await page.keyboard.press("Space");
      await view.waitUntil("hosts a, b and c to be shown", async () => (await shownKeys(view)) === "cpu{host=a},cpu{host=b},cpu{host=c}");
      expect(linkChoices(page, "host")).toEqual(["a", "c", "b"]);
      // The list stays open, with the focus where it was, while choices are made.
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe("b");

      await page.locator(`${hostControl} [data-testid="variable-option"][value="$__all"]`).check();
      await view.waitUntil("All to be chosen", async () => linkChoices(page, "host").join() === "$__all");
      expect(await view.savedPanelText("cpu", ".panel-title")).toBe("CPU on All");
      // All takes a host that appears later too.
      await postMetrics(suite.server.url, id, ingestToken, [{ name: "cpu", tags: { host: "e" }, value: 40 }]);
      await view.waitUntil("host e to join the panel", async () => (await shownKeys(view))?.includes("cpu{host=e}") ?? false);

      await page.keyboard.press("Escape");
      const isOpen = () => page.locator(`${hostControl} details`).evaluate((details) => (details as HTMLDetailsElement).open);
      expect(await isOpen()).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("SUMMARY");
      // Tabbing past the last value closes it as well.
      await page.keyboard.press("Enter");
      await options.last().focus();
      await page.keyboard.press("Tab");
      await view.waitUntil("the list to close", async () => !(await isOpen()));

      await page.reload();
      await view.waitForState("live");
      await view.waitUntil("All to hold after a reload", async () => (await shownKeys(view))?.split(",").length === 4);
      expect(errors).toEqual([]);
      await close();
    });
  }

  it("keeps a host the link names that sent nothing chosen, and honours the link in kiosk mode with the dropdowns hidden", async () => {
    const { id } = await hostsDashboard({});
    const unknown = await openAt(sizes[0], `/d/${id}?var-host=zzz`);
    const select = `${hostControl} [data-testid="variable-select"]`;
    await unknown.page.locator(select).waitFor();
    expect(await unknown.page.inputValue(select)).toBe("zzz");
    expect(await unknown.page.$eval(`${select} option[value="zzz"]`, (option) => option.textContent)).toBe("zzz (no data)");
    expect(await shownKeys(unknown.view)).toBe("");
    expect(linkChoices(unknown.page, "host")).toEqual(["zzz"]);
    await unknown.close();

    const kiosk = await openAt(sizes[0], `/d/${id}?kiosk&var-host=c`);
    await kiosk.view.waitUntil("host c to be shown", async () => (await shownKeys(kiosk.view)) === "cpu{host=c}");
    expect(await kiosk.page.isVisible('[data-testid="variables"]')).toBe(false);
    expect(new URL(kiosk.page.url()).search).toBe("?kiosk&var-host=c");
    expect(kiosk.errors).toEqual([]);
    await kiosk.close();
  });

  it("remakes only the panels a choice changes: another panel keeps its drawing and the series hidden from its legend", async () => {
    const { id, ingestToken } = await hostsDashboard({});
    const now = Math.floor(Date.now() / 1000) * 1000 - 5_000;
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "mem", tags: { host: "b" }, value: 60, ts: now }]);
    const memPanel = { id: "mem", title: "Memory", type: "line", series: ["mem"] };
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [cpuPanel, memPanel], variables: [{ name: "host", tag: "host", metric: "cpu" }] });
    const { page, errors, view, close } = await openAt(sizes[0], `/d/${id}`);
    await view.waitUntil("host a to be shown", async () => (await shownKeys(view)) === "cpu{host=a}");
    await view.waitUntil("both mem series on the memory panel", async () => (await view.savedPanelAttribute("mem", "data-series-keys")) === "mem{host=a},mem{host=b}");
    // Mark the memory panel's drawing, and hide its second series from its legend.
    await page.$eval('[data-panel-id="mem"] canvas', (canvas) => canvas.setAttribute("data-marked", "yes"));
    const hidden = page.locator('[data-panel-id="mem"] .legend-toggle').nth(1);
    await hidden.click();
    expect(await hidden.getAttribute("aria-pressed")).toBe("false");

    await page.selectOption(`${hostControl} [data-testid="variable-select"]`, "c");
    await view.waitUntil("host c to be shown", async () => (await shownKeys(view)) === "cpu{host=c}");
    expect(await view.savedPanelText("cpu", ".panel-title")).toBe("CPU on c");
    // The memory panel is the same drawing, its series still hidden.
    expect(await page.$eval('[data-panel-id="mem"] canvas', (canvas) => canvas.getAttribute("data-marked"))).toBe("yes");
    expect(await page.locator('[data-panel-id="mem"] .legend-toggle').nth(1).getAttribute("aria-pressed")).toBe("false");
    expect(errors).toEqual([]);
    await close();
  });

  it("previews a panel in the editor with the variables' choices written in, as the page shows it", async () => {
    const { id, ingestToken } = await hostsDashboard({});
    const { page, errors, view, close } = await openAt(sizes[0], `/d/${id}?var-host=c`);
    await view.waitUntil("host c to be shown", async () => (await shownKeys(view)) === "cpu{host=c}");
    await view.openEditor(ingestToken);
    await page.click('[data-panel-id="cpu"] [data-testid="preview-panel"]');
    const preview = '[data-testid="panel-preview"] [data-testid="preview-view"]';
    await view.waitUntil("the preview to show host c", async () => (await page.getAttribute(preview, "data-series-keys")) === "cpu{host=c}");
    expect(await page.textContent(`${preview} .panel-title`)).toBe("CPU on c");
    // The field keeps the pattern as saved: only the drawing has the choice written in.
    expect(await page.inputValue('[data-panel-id="cpu"] [data-field="series"]')).toBe("cpu{host=$host}");
    expect(errors).toEqual([]);
    await close();
  });

  it("defines a variable in the editor, refusing a panel naming one that does not exist at its field, and saves it with the panels", async () => {
    const id = uniqueId("vars-edit");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    await postMetrics(suite.server.url, id, ingestToken, ["a", "b"].map((host) => ({ name: "cpu", tags: { host }, value: 1 })));
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [{ ...cpuPanel, title: "CPU", series: ["cpu{host=a}"] }] });
    const { page, errors, view, close } = await openAt(sizes[0], `/d/${id}`);
    expect(await page.isVisible('[data-testid="variables"]')).toBe(false);
    await view.openEditor(ingestToken);
    await page.click('[data-testid="add-variable"]');
    const row = '[data-testid="variable-editor"][data-variable-index="0"]';
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-field"))).toBe("name");
    await page.fill(`${row} [data-field="name"]`, "host");
    await page.fill(`${row} [data-field="tag"]`, "host");
    await page.fill(`${row} [data-field="default"]`, "b");
    await page.check(`${row} [data-field="includeAll"]`);
    await page.uncheck(`${row} [data-field="includeAll"]`);
    expect(await audit(page)).toEqual([]);
    await saveScreenshot(page, "template-variables-editor");
    await view.editField("cpu", "series", "cpu{host=$hots}");
    await page.click('[data-testid="save-panels"]');
    await view.waitUntil("the unknown variable to be named at the series field", async () => (await view.fieldError("cpu", "series")).includes("$hots"));
    expect(await page.getAttribute(`[data-panel-id="cpu"] [data-field="series"]`, "aria-invalid")).toBe("true");

    await view.editField("cpu", "series", "cpu{host=$host}");
    await page.click('[data-testid="save-panels"]');
    await view.waitUntil("the editor to close", async () => (await page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "false");
    await view.waitUntil("the default host to be shown", async () => (await shownKeys(view)) === "cpu{host=b}");
    expect(await page.isVisible(`${hostControl} [data-testid="variable-select"]`)).toBe(true);
    const saved = await (await fetch(`${suite.server.url}/api/dashboards/${id}`, { headers: { authorization: `Bearer ${devAdminToken}` } })).json();
    expect(saved).toMatchObject({ variables: [{ name: "host", tag: "host", default: ["b"] }], panels: [{ series: ["cpu{host=$host}"] }] });
    expect(errors).toEqual([]);
    await close();
  });
});
