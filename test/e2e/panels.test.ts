/**
 * Saved panels on the dashboard page, against a real `wrangler dev` in a real Chromium: the
 * panel list saved with `PUT /api/dashboards/:id` is drawn by type, series no panel matches
 * still get an automatic chart, and a save by someone else relays the open page out live.
 */
import { describe, expect, it } from "vitest";
import type { Panel } from "../../src/common/dashboard-config.ts";
import { seriesKey } from "../../src/common/series-key.ts";
import { createDashboard, postMetrics, uniqueId, updateDashboard, type PointInput } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

/** Whole seconds a minute ago: well inside the accepted time window, and easy to read. */
function recentTimes(count: number): number[] {
  const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  return Array.from({ length: count }, (_, i) => start + i * 1000);
}

const green = "#16a34a";
const amber = "#d97706";
const red = "#dc2626";

const cpuA = seriesKey("cpu.usage", { host: "a" });
const cpuB = seriesKey("cpu.usage", { host: "b" });
const cpuC = seriesKey("cpu.usage", { host: "c" });
const roomX = seriesKey("temperature", { room: "x" });

/** A line, a stat, a gauge and a table; `mem.free` matches none of them. */
const firstPanels: Panel[] = [
  { id: "cpu", title: "CPU usage", type: "line", series: ["cpu.*"], unit: "%" },
  {
    id: "queue",
    title: "Queue depth",
    type: "stat",
    series: ["queue.depth"],
    unit: "jobs",
    decimals: 0,
    thresholds: [
      { value: 0, color: green },
      { value: 10, color: amber },
      { value: 50, color: red },
    ],
  },
  {
    id: "temp",
    title: "Temperature",
    type: "gauge",
    series: ["temperature*"],
    unit: "°C",
    decimals: 1,
    min: 0,
    max: 40,
    thresholds: [{ value: 30, color: red }],
  },
  { id: "latest", title: "Latest values", type: "table", series: ["cpu.*", "queue.*", "temperature*"], decimals: 1 },
];

/** The same dashboard reorganised: the table takes every series, the line only host a. */
const secondPanels: Panel[] = [
  { id: "latest", title: "Everything", type: "table", series: ["*"], decimals: 1 },
  { id: "queue", title: "Queue depth", type: "stat", series: ["queue.depth"], unit: "jobs", decimals: 0, thresholds: [{ value: 20, color: red }] },
  { id: "temp", title: "Temperature", type: "gauge", series: ["temperature*"], unit: "°C", decimals: 1, min: 0, max: 50, thresholds: [{ value: 30, color: red }] },
  { id: "cpu", title: "CPU host a", type: "line", series: [cpuA, "cpu.usage{host=c}"], unit: "%" },
];

/** Points for every series at two times (the line chart needs more than one x). */
function firstPoints(t0: number, t1: number): PointInput[] {
  return [
    { name: "cpu.usage", tags: { host: "a" }, value: 12.5, ts: t0 },
    { name: "cpu.usage", tags: { host: "a" }, value: 40.25, ts: t1 },
    { name: "cpu.usage", tags: { host: "b" }, value: 70, ts: t1 },
    { name: "temperature", tags: { room: "x" }, value: 21.5, ts: t1 },
    { name: "queue.depth", value: 3, ts: t0 },
    { name: "queue.depth", value: 17, ts: t1 },
    { name: "mem.free", value: 2048, ts: t1 },
  ];
}

describe.skipIf(skipBrowserTests)("saved panels on the dashboard page", () => {
  const suite = browserSuite();

  it("draws each saved panel with its series, values and threshold colours, and an automatic chart for the rest", async () => {
    const id = uniqueId("panels");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Panels");
    const [t0, t1] = recentTimes(2) as [number, number];
    await postMetrics(suite.server.url, id, ingestToken, firstPoints(t0, t1));
    await updateDashboard(suite.server.url, id, ingestToken, { panels: firstPanels });

    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    await view.waitForLatest("mem.free", "2,048");
    await view.waitUntil("the stat to read 17 jobs", async () => (await view.savedPanelText("queue", '[data-testid="stat-value"]')) === "17 jobs");

    expect(await view.savedPanels()).toEqual(["cpu:line", "queue:stat", "temp:gauge", "latest:table"]);
    expect(await view.panelKeys()).toEqual(["mem.free"]);

    expect(await view.savedPanelAttribute("cpu", "data-series-keys")).toBe(`${cpuA},${cpuB}`);
    expect(await view.savedPanelAttribute("cpu", "aria-label")).toBe("CPU usage (line chart)");
    const legend = (await view.savedPanelText("cpu", ".u-legend")) ?? "";
    expect(legend).toContain(cpuA);
    expect(legend).toContain(cpuB);

    expect(await view.savedPanelAttribute("queue", "data-color", '[data-testid="stat-value"]')).toBe(amber);
    expect(await view.savedPanelText("temp", '[data-testid="gauge-value"]')).toBe("21.5°C");
    expect(await view.savedPanelAttribute("temp", "data-color", '[data-testid="gauge-value"]')).toBe("");
    expect(await view.tableRows("latest")).toEqual([`${cpuA}=40.3`, `${cpuB}=70.0`, "queue.depth=17.0", `${roomX}=21.5`]);

    // Off the chart the legend shows each series' latest value; the header shows no time.
    expect(await view.legendValues("cpu")).toEqual([`${cpuA}=40.25%`, `${cpuB}=70%`]);
    expect(await view.savedPanelText("cpu", '[data-testid="cursor-time"]')).toBe("");

    // The line chart's cursor shows exact values in the legend and the time under it in the header.
    const chart = page.locator('[data-panel-id="cpu"] .u-over');
    const box = await chart.boundingBox();
    if (!box) throw new Error("the line chart has no plot area");
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await view.waitUntil("the cursor's time to show", async () => ((await view.savedPanelText("cpu", '[data-testid="cursor-time"]')) ?? "") !== "");
    expect(await view.legendValues("cpu")).toEqual([`${cpuA}=40.25%`, `${cpuB}=70%`]);
    const at = new Date(t1);
    const pad = (n: number, width = 2) => String(n).padStart(width, "0");
    // The browser and the test share the machine's time zone; the page's 24-hour clock, with the
    // day before it only when that is not today (a minute after midnight).
    expect(await view.savedPanelText("cpu", '[data-testid="cursor-time"]')).toMatch(
      new RegExp(`^(\\S+ \\S+ )?${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}\\.000$`),
    );
    await page.mouse.move(0, 0);
    await view.waitUntil("the cursor's time to go", async () => (await view.savedPanelText("cpu", '[data-testid="cursor-time"]')) === "");

    await saveScreenshot(page, "panels-saved-layout");

    // Switching to dark rebuilds the canvas charts in the dark palette, keeping their series.
    await page.emulateMedia({ colorScheme: "dark" });
    await view.waitUntil("the line chart rebuilt", async () => (await page.$$('[data-panel-id="cpu"] .uplot')).length === 1);
    expect(await view.savedPanelAttribute("cpu", "data-series-keys")).toBe(`${cpuA},${cpuB}`);
    await saveScreenshot(page, "panels-saved-layout-dark");
    expect(errors).toEqual([]);
  });

  it("relays out live when someone saves new panels, keeps the data, and keeps updating", async () => {
    const id = uniqueId("relayout");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Relayout");
    await updateDashboard(suite.server.url, id, ingestToken, { panels: firstPanels });
    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    // A marker on the window: it survives only if the page is never reloaded.
    await page.evaluate("window.loadedOnce = true");

    const [t0, t1, t2] = recentTimes(3) as [number, number, number];
    await postMetrics(suite.server.url, id, ingestToken, firstPoints(t0, t1));
    await view.waitForLatest("mem.free", "2,048");
    await view.waitUntil("the gauge to read 21.5°C", async () => (await view.savedPanelText("temp", '[data-testid="gauge-value"]')) === "21.5°C");
    expect(await view.savedPanelAttribute("cpu", "data-series-keys")).toBe(`${cpuA},${cpuB}`);
    await saveScreenshot(page, "panels-before-save");

    await updateDashboard(suite.server.url, id, ingestToken, { panels: secondPanels });
    await view.waitUntil("the new panel order", async () => (await view.savedPanels()).join() === "latest:table,queue:stat,temp:gauge,cpu:line");
    expect(await view.panelKeys()).toEqual([]);
    expect(await view.tableRows("latest")).toEqual([`${cpuA}=40.3`, `${cpuB}=70.0`, "mem.free=2,048.0", "queue.depth=17.0", `${roomX}=21.5`]);
    expect(await view.savedPanelAttribute("cpu", "data-series-keys")).toBe(cpuA);
    expect(await view.savedPanelAttribute("cpu", "aria-label")).toBe("CPU host a (line chart)");
    expect(await view.savedPanelText("queue", '[data-testid="stat-value"]')).toBe("17 jobs");
    expect(await view.savedPanelAttribute("queue", "data-color", '[data-testid="stat-value"]')).toBe("");
    expect(await view.savedPanelText("temp", '[data-testid="gauge-value"]')).toBe("21.5°C");
    expect(await page.evaluate("window.loadedOnce")).toBe(true);
    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    await saveScreenshot(page, "panels-after-save");

    await postMetrics(suite.server.url, id, ingestToken, [
      { name: "queue.depth", value: 42, ts: t2 },
      { name: "temperature", tags: { room: "x" }, value: 33, ts: t2 },
      { name: "cpu.usage", tags: { host: "c" }, value: 5, ts: t2 },
    ]);
    await view.waitUntil("the stat to read 42 jobs", async () => (await view.savedPanelText("queue", '[data-testid="stat-value"]')) === "42 jobs");
    expect(await view.savedPanelAttribute("queue", "data-color", '[data-testid="stat-value"]')).toBe(red);
    await view.waitUntil("the gauge to read 33.0°C", async () => (await view.savedPanelText("temp", '[data-testid="gauge-value"]')) === "33.0°C");
    expect(await view.savedPanelAttribute("temp", "data-color", '[data-testid="gauge-value"]')).toBe(red);
    await view.waitUntil("the new series on the line", async () => (await view.savedPanelAttribute("cpu", "data-series-keys")) === `${cpuA},${cpuC}`);
    expect(await view.tableRows("latest")).toEqual([
      `${cpuA}=40.3`,
      `${cpuB}=70.0`,
      `${cpuC}=5.0`,
      "mem.free=2,048.0",
      "queue.depth=42.0",
      `${roomX}=33.0`,
    ]);
    expect(await view.panelKeys()).toEqual([]);
    expect(await page.evaluate("window.loadedOnce")).toBe(true);
    await saveScreenshot(page, "panels-live-updates");
    expect(errors).toEqual([]);
  });
});
