/**
 * `npm start`'s demo against a real `wrangler dev`: the simulator, run as scripts/start.ts runs
 * it, creates dashboard `demo` with the demo's panels (every series in one, every panel
 * filled, no empty cell in the grid), says where to look once and keeps its progress short;
 * and the landing page's example commands, pasted beside the demo, work on a dashboard of
 * their own.
 */
import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DashboardInfo } from "../../src/common/dashboard-info.ts";
import { demoPanels } from "../../scripts/simulated-sensors.ts";
import { devAdminToken } from "./api.ts";
import { openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";
import { hasCurl, runInShell } from "./shell-command.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0;

/** The simulator with the arguments scripts/start.ts gives it, plus `extra`; resolves to its stdout. */
function simulate(url: string, extra: string[]): Promise<string> {
  const args = ["scripts/simulate.ts", "--url", url, "--dashboard", "demo", "--wait", "120", "--admin-token", devAdminToken, ...extra];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`simulate failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function dashboard(url: string, id: string): Promise<DashboardInfo> {
  const response = await fetch(`${url}/api/dashboards/${id}`);
  if (!response.ok) throw new Error(`GET ${id}: HTTP ${response.status}`);
  return (await response.json()) as DashboardInfo;
}

describe.skipIf(skipBrowserTests)("npm start's demo", () => {
  const suite = browserSuite();

  it("creates the demo with its panels, every series shown in one and every panel filled, and says where to look once", async () => {
    const output = await simulate(suite.server.url, ["--count", "30", "--interval", "20"]);

    const demo = await dashboard(suite.server.url, "demo");
    expect(demo.title).toBe("Demo sensors");
    expect(demo.panels).toEqual(demoPanels);
    expect(new Set(demo.panels.map((panel) => panel.type))).toEqual(new Set(["line", "stat", "gauge", "table"]));
    expect(demo.series.length).toBeGreaterThan(0);
    // Where to look, once; and no line per post when the output is not a terminal.
    const lines = output.trimEnd().split("\n");
    expect(lines.filter((line) => line.includes(`open ${suite.server.url}/d/demo`))).toHaveLength(1);
    expect(lines.filter((line) => /\bposts? of\b/.test(line))).toEqual(["simulate: stopped after 30 posts of " + 30 * demo.series.length + " points"]);
    expect(lines.length).toBeLessThanOrEqual(8);

    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/d/demo`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitUntil("every panel", async () => (await view.savedPanels()).length === demoPanels.length);
    expect(await view.savedPanels()).toEqual(demoPanels.map((panel) => `${panel.id}:${panel.type}`));
    // No automatic panel: every series the simulator sends is in a saved panel.
    expect(await page.$$('[data-testid="panel"]')).toHaveLength(0);
    // Every panel shows something: a value, a row per series, a line per series.
    for (const panel of demoPanels) {
      const selector = `[data-testid="saved-panel"][data-panel-id="${panel.id}"]`;
      if (panel.type === "stat" || panel.type === "gauge") {
        await view.waitUntil(`a value in ${panel.id}`, async () => /\d/.test((await page.textContent(`${selector} [data-testid="${panel.type}-value"]`)) ?? ""));
      } else if (panel.type === "table") {
        await view.waitUntil(`rows in ${panel.id}`, async () => (await view.tableRows(panel.id)).length > 0);
        expect((await view.tableRows(panel.id)).every((row) => /=\S*\d/.test(row)), `${panel.id} has a value in every row`).toBe(true);
      } else {
        const keys = ((await page.getAttribute(selector, "data-series-keys")) ?? "").split(",").filter(Boolean);
        expect(keys.length, `${panel.id} draws series`).toBeGreaterThan(0);
      }
    }
    // "CPU by host": one line per host.
    expect(((await page.getAttribute('[data-panel-id="cpu"]', "data-series-keys")) ?? "").split(",")).toHaveLength(3);

    // No empty cell: the last row of the grid is full at a phone's, a tablet's, a laptop's
    // and a wide screen's width.
    for (const width of [390, 900, 1280, 1700]) {
      await page.setViewportSize({ width, height: 900 });
      const rows = await page.$$eval('[data-testid="saved-panel"]', (panels) => {
        const tops = new Map<number, number>();
        for (const panel of panels) {
          const top = Math.round(panel.getBoundingClientRect().top);
          tops.set(top, (tops.get(top) ?? 0) + 1);
        }
        return [...tops.values()];
      });
      expect(new Set(rows).size, `rows at ${width} px: ${rows.join(", ")}`).toBe(1);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await saveScreenshot(page, "demo-dashboard");
    expect(errors).toEqual([]);
    await close();
  });

  it.skipIf(!hasScript)("keeps one progress line on a terminal, rewritten in place, and leaves a laid-out demo as it is", async () => {
    // The first test created the demo; this run finds it. `script` gives it a terminal.
    const command = [process.execPath, "scripts/simulate.ts", "--url", suite.server.url, "--dashboard", "demo", "--admin-token", devAdminToken, "--count", "5", "--interval", "50"].join(" ");
    const typed = await new Promise<string>((resolve, reject) => {
      execFile("script", ["-qec", command, "/dev/null"], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const lines = typed.replaceAll("\r\n", "\n").split("\n");
    expect(lines.filter((line) => line.includes(`open ${suite.server.url}/d/demo`))).toHaveLength(1);
    expect(typed).not.toContain("laid out");
    // Five progress updates, each after a carriage return and "erase line", on one line.
    const progressLine = lines.find((line) => line.includes("posts of") || line.includes("post of"));
    expect(progressLine).toBeDefined();
    expect(progressLine!.split("\r\x1b[K").filter((part) => /simulate: \d+ posts? of/.test(part))).toHaveLength(5);
    expect((await dashboard(suite.server.url, "demo")).panels).toEqual(demoPanels);
  });

  it.skipIf(!hasCurl)("gives the landing page's commands their own dashboard, so beside the demo they create and fill it and leave the demo alone", async () => {
    await simulate(suite.server.url, ["--count", "1"]);
    const demoSeries = (await dashboard(suite.server.url, "demo")).series.map((series) => series.key);

    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const create = (await page.textContent('[data-command="create"] code')) ?? "";
    const send = (await page.textContent('[data-command="send"] code')) ?? "";
    const created = JSON.parse(await runInShell(create)) as { id: string };
    expect(created.id).not.toBe("demo");
    expect(JSON.parse(await runInShell(send))).toMatchObject({ accepted: 1 });
    expect((await dashboard(suite.server.url, created.id)).series.map((series) => series.name)).toEqual(["cpu.load"]);
    expect((await dashboard(suite.server.url, "demo")).series.map((series) => series.key)).toEqual(demoSeries);
    // The page's own links: the demo, and the dashboard the commands made.
    expect(await page.getAttribute("a[data-demo-link]", "href")).toBe(`${suite.server.url}/d/demo`);
    expect(await page.getAttribute("a[data-first-link]", "href")).toBe(`${suite.server.url}/d/${created.id}`);
    expect(errors).toEqual([]);
    await close();
  });
});
