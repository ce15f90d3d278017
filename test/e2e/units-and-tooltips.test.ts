/**
 * Units, the values under the cursor and the page's clock, against a real `wrangler dev` in a
 * real Chromium, at desktop size with a mouse and at phone size with a touch screen: every
 * time chart shows a tooltip with the time and each series' value at its point nearest the
 * cursor, in the panel's unit and decimals; a panel's unit shows on its stat, gauge, table and
 * axis; axes, tooltips and the zoom label read one 24-hour clock; a saved line panel's plot
 * takes most of the panel, and a gauge's scale is legible.
 */
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { createDashboard, postMetrics, uniqueId, updateDashboard, type PointInput } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

const hosts = ["a", "b", "c"] as const;
const cpu = hosts.map((host) => seriesKey("cpu.load", { host }));
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

/** `ms` on a 24-hour clock to the millisecond, in this machine's time zone (the browser's too). */
function clock(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/** A 0.0-1.0 share as a percentage with two decimals, e.g. 0.10884 → "10.88%". */
const percent2 = (share: number) => `${(share * 100).toFixed(2)}%`;

/** Three hosts' loads, each host's points 300 ms after the previous host's: no two share a time. */
function loads(start: number): PointInput[] {
  return hosts.flatMap((host, h) => Array.from({ length: 10 }, (_, i) => ({ name: "cpu.load", tags: { host }, value: 0.1 * h + 0.01 * i + 0.00884, ts: start + i * 1000 + h * 300 })));
}

/** The value the test posted for host `h`'s `i`th point. */
const load = (h: number, i: number) => 0.1 * h + 0.01 * i + 0.00884;

/** A time chart as the debug hook reports it, with its axes' labels. */
interface Shown {
  chart: string;
  shown: { xMin: number; xMax: number; times: number; labels: { time: string[]; values: string[] } };
}

function timeCharts(page: Page): Promise<Shown[]> {
  return page.evaluate(() => (globalThis as unknown as { __pulseboard: { timeCharts(): Shown[] } }).__pulseboard.timeCharts());
}

/** The page position of time `ts` on chart `chart` (`saved:<id>` or `metric:<name>`), halfway up its plot. */
async function pointAt(page: Page, panelSelector: string, chart: string, ts: number): Promise<{ x: number; y: number }> {
  const box = await page.locator(`${panelSelector} .u-over`).boundingBox();
  if (!box) throw new Error(`no plot in ${panelSelector}`);
  const found = (await timeCharts(page)).find((c) => c.chart === chart);
  if (!found) throw new Error(`no chart ${chart}`);
  const { xMin, xMax } = found.shown;
  return { x: box.x + ((ts - xMin) / (xMax - xMin)) * box.width, y: box.y + box.height / 2 };
}

/** The tooltip shown, as its time and `<series>=<value>` rows; `undefined` when none shows. */
async function tooltip(page: Page): Promise<{ time: string; rows: string[] } | undefined> {
  return page.evaluate(() => {
    const shown = Array.from(document.querySelectorAll('[data-testid="chart-tooltip"]')).filter((box) => getComputedStyle(box).display !== "none");
    if (shown.length > 1) throw new Error(`${shown.length} tooltips show at once`);
    const box = shown[0];
    if (!box) return undefined;
    return {
      time: box.querySelector('[data-testid="tooltip-time"]')?.textContent ?? "",
      rows: Array.from(box.querySelectorAll('[data-testid="tooltip-row"]'))
        .filter((row) => getComputedStyle(row).display !== "none")
        .map((row) => `${row.getAttribute("data-series")}=${row.querySelector('[data-testid="tooltip-value"]')?.textContent}`),
    };
  });
}

/** Opens `/d/<id>` at `size`; a phone-sized page gets a touch screen. */
async function openAt(browser: Browser, url: string, size: { width: number; height: number }) {
  const context = await browser.newContext({ viewport: size, hasTouch: size === phone });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
  await page.goto(url);
  return { page, view: new DashboardView(page), errors, close: () => context.close() };
}

describe.skipIf(skipBrowserTests)("units and values under the cursor", () => {
  const suite = browserSuite();

  /** A dashboard of a saved line panel over three hosts (0.0-1.0 shares, 2 decimals) and one automatic chart. */
  async function lineDashboard(prefix: string): Promise<{ id: string; start: number }> {
    const id = uniqueId(prefix);
    const { ingestToken } = await createDashboard(suite.server.url, id, "Loads");
    await updateDashboard(suite.server.url, id, ingestToken, {
      panels: [{ id: "cpu", title: "CPU by host", type: "line", series: ["cpu.*"], unit: "percentunit", decimals: 2 }],
    });
    const start = Date.now() - 30_000;
    await postMetrics(suite.server.url, id, ingestToken, [...loads(start), ...[0, 1, 2].map((i) => ({ name: "pump.rpm", value: 1450.125 + i, ts: start + i * 2000 }))]);
    return { id, start };
  }

  for (const size of [desktop, phone]) {
    const touch = size === phone;
    it(`${touch ? "tapping" : "hovering"} a chart at ${size.width}x${size.height} shows the time and every series' value at its nearest point, in the panel's unit and decimals`, async () => {
      const { id, start } = await lineDashboard(touch ? "tap" : "hover");
      const { page, view, errors, close } = await openAt(suite.browser, `${suite.server.url}/d/${id}`, size);
      const point = async (x: number, y: number) => (touch ? page.touchscreen.tap(x, y) : page.mouse.move(x, y));
      try {
        await view.waitForState("live");
        await view.waitUntil("both charts drawn", async () => (await timeCharts(page)).filter((c) => c.shown.times > 0).length === 2);
        expect(await tooltip(page)).toBeUndefined();

        // Host a's sixth point: b's nearest is its sixth (300 ms later), c's its fifth (400 ms earlier).
        const saved = '[data-testid="saved-panel"][data-panel-id="cpu"]';
        const at = start + 5000;
        const where = await pointAt(page, saved, "saved:cpu", at);
        await point(where.x, where.y);
        const expected = { time: clock(at), rows: [`${cpu[0]}=${percent2(load(0, 5))}`, `${cpu[1]}=${percent2(load(1, 5))}`, `${cpu[2]}=${percent2(load(2, 4))}`] };
        await view.waitUntil("the line panel's tooltip", async () => JSON.stringify(await tooltip(page)) === JSON.stringify(expected));
        // The legend reads the same values, with the panel's decimals too.
        expect(await view.legendValues("cpu")).toEqual(expected.rows);
        await saveScreenshot(page, `tooltip-line-${size.width}`);

        if (touch) {
          // A finger dragged sideways along the plot takes the cursor, and the values, with it.
          const cdp = await page.context().newCDPSession(page);
          const from = await pointAt(page, saved, "saved:cpu", start + 2000);
          const to = await pointAt(page, saved, "saved:cpu", start + 7000);
          const finger = (x: number) => [{ x: Math.round(x), y: Math.round(from.y) }];
          await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: finger(from.x) });
          for (let step = 1; step <= 5; step++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: finger(from.x + ((to.x - from.x) * step) / 5) });
          const dragged = { time: clock(start + 7000), rows: [`${cpu[0]}=${percent2(load(0, 7))}`, `${cpu[1]}=${percent2(load(1, 7))}`, `${cpu[2]}=${percent2(load(2, 6))}`] };
          await view.waitUntil("the tooltip to follow the finger", async () => JSON.stringify(await tooltip(page)) === JSON.stringify(dragged));
          await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
          // It stays where the finger left it, to be read.
          expect(await tooltip(page)).toEqual(dragged);
        }

        // The automatic chart has no unit: its value as sent, every digit.
        const automatic = '[data-testid="panel"][data-metric="pump.rpm"]';
        const pumpAt = start + 2000;
        const pump = await pointAt(page, automatic, "metric:pump.rpm", pumpAt);
        await point(pump.x, pump.y);
        const expectedPump = { time: clock(pumpAt), rows: ["pump.rpm=1,451.125"] };
        await view.waitUntil("the automatic chart's tooltip", async () => JSON.stringify(await tooltip(page)) === JSON.stringify(expectedPump));
        await saveScreenshot(page, `tooltip-automatic-${size.width}`);

        // Away from the charts the tooltip goes: the mouse leaves, or a finger touches elsewhere.
        const title = await page.locator(`${saved} .panel-title`).boundingBox();
        if (!title) throw new Error("no panel title");
        await point(title.x + 5, title.y + 5);
        await view.waitUntil("the tooltip to go", async () => (await tooltip(page)) === undefined);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it("lets a vertical swipe that starts on a chart scroll the page on a phone", async () => {
    const { id } = await lineDashboard("swipe");
    const { page, view, errors, close } = await openAt(suite.browser, `${suite.server.url}/d/${id}`, phone);
    try {
      await view.waitForState("live");
      // Tall enough to scroll: the page holds two panels, 844 px tall; make room below them.
      await page.evaluate(() => document.body.style.setProperty("padding-bottom", "2000px"));
      const plot = await page.locator('[data-panel-id="cpu"] .u-over').boundingBox();
      if (!plot) throw new Error("no plot");
      // A finger put down on the plot and moved up 300 px, as the browser's input would deliver it.
      const cdp = await page.context().newCDPSession(page);
      const x = Math.round(plot.x + plot.width / 2);
      const y = Math.round(plot.y + plot.height - 5);
      await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x, y }] });
      await view.waitUntil("the touch's tooltip", async () => (await tooltip(page)) !== undefined);
      for (let step = 1; step <= 10; step++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y: y - step * 30 }] });
      await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
      await view.waitUntil("the page to scroll", async () => (await page.evaluate(() => scrollY)) > 100);
      // The tooltip the touch showed does not stay behind, floating over whatever scrolled under it.
      await view.waitUntil("no tooltip after the scroll", async () => (await tooltip(page)) === undefined);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("shows a panel's unit on its stat, gauge, table and axis, scaled and with its decimals", async () => {
    const id = uniqueId("units");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Units");
    await updateDashboard(suite.server.url, id, ingestToken, {
      panels: [
        { id: "memory", title: "Memory", type: "stat", series: ["mem.used"], unit: "bytes" },
        { id: "fill", title: "Disk fill", type: "gauge", series: ["disk.fill"], unit: "percentunit", decimals: 1, min: 0, max: 1 },
        { id: "cache", title: "Cache", type: "gauge", series: ["mem.used"], unit: "bytes", decimals: 2, min: 0, max: 4 * 1024 ** 2 },
        { id: "latency", title: "Latency", type: "table", series: ["latency.*"], unit: "ms" },
        { id: "memory-line", title: "Memory over time", type: "line", series: ["mem.used"], unit: "bytes", decimals: 1 },
      ],
    });
    const now = Date.now();
    await postMetrics(suite.server.url, id, ingestToken, [
      { name: "mem.used", value: 1.25 * 1024 ** 2, ts: now - 2000 },
      { name: "mem.used", value: 1.5 * 1024 ** 2, ts: now - 1000 },
      { name: "disk.fill", value: 0.884 },
      { name: "latency.api", value: 1234.5 },
      { name: "latency.db", value: 0.25 },
    ]);
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await view.waitForState("live");
      await view.waitUntil("the stat in MiB", async () => (await view.savedPanelText("memory", '[data-testid="stat-value"]')) === "1.5 MiB");
      await view.waitUntil("the gauge in percent", async () => (await view.savedPanelText("fill", '[data-testid="gauge-value"]')) === "88.4%");
      expect(await page.$$eval('[data-panel-id="fill"] [data-testid="gauge-scale"]', (labels) => labels.map((l) => l.textContent))).toEqual(["0.0%", "100.0%"]);
      // A longer value, with its unit, stays inside the arc: narrower than the track's inner width.
      await view.waitUntil("the second gauge in MiB", async () => (await view.savedPanelText("cache", '[data-testid="gauge-value"]')) === "1.50 MiB");
      const inside = await page.$eval('[data-panel-id="cache"]', (panel) => ({
        width: panel.querySelector<SVGTextElement>('[data-testid="gauge-value"]')!.getBBox().width,
        // The track's radius less half its stroke, in the same units.
        inner: 2 * (44 - parseFloat(getComputedStyle(panel.querySelector(".gauge-track")!).strokeWidth) / 2),
      }));
      expect(inside.width).toBeLessThan(inside.inner);
      await view.waitUntil("the table in s and µs", async () => (await view.tableRows("latency")).join() === "latency.api=1.23 s,latency.db=250 µs");
      await view.waitUntil("the axis in MiB", async () => {
        const labels = (await timeCharts(page)).find((c) => c.chart === "saved:memory-line")?.shown.labels.values ?? [];
        return labels.length > 1 && labels.every((label) => /^\d\.\d MiB$/.test(label));
      });
      await saveScreenshot(page, "units-on-every-panel");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("picks a panel's unit in the editor by category, and keeps a unit saved as text", async () => {
    const id = uniqueId("unit-picker");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Picker");
    await updateDashboard(suite.server.url, id, ingestToken, {
      panels: [
        { id: "memory", title: "Memory", type: "stat", series: ["mem.used"] },
        { id: "queue", title: "Queue", type: "stat", series: ["queue.depth"], unit: "jobs" },
      ],
    });
    await postMetrics(suite.server.url, id, ingestToken, [
      { name: "mem.used", value: 1.5 * 1024 ** 2 },
      { name: "queue.depth", value: 17 },
    ]);
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await view.waitForState("live");
      await view.waitUntil("the plain stat", async () => (await view.savedPanelText("memory", '[data-testid="stat-value"]')) === "1.57M");
      await view.openEditor(ingestToken);
      const picker = '[data-testid="panel-editor"][data-panel-id="memory"] select[data-field="unit"]';
      // The units come grouped by category, after "No unit".
      const groups = await page.$$eval(`${picker} optgroup`, (found) => found.map((g) => g.getAttribute("label")));
      expect(groups).toEqual(["Misc", "Data", "Data rate", "Time", "Throughput", "Temperature", "Energy"]);
      expect(await page.$eval(picker, (select) => (select as HTMLSelectElement).value)).toBe("");
      // The text unit is offered as it is, so saving keeps it.
      expect(await page.$eval('[data-panel-id="queue"] select[data-field="unit"]', (select) => (select as HTMLSelectElement).value)).toBe("jobs");
      await view.editField("memory", "unit", "bytes");
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the stat in MiB", async () => (await view.savedPanelText("memory", '[data-testid="stat-value"]')) === "1.5 MiB");
      expect(await view.savedPanelText("queue", '[data-testid="stat-value"]')).toBe("17 jobs");
      const saved = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { panels: { id: string; unit?: string }[] };
      expect(saved.panels.map((panel) => `${panel.id}:${panel.unit}`)).toEqual(["memory:bytes", "queue:jobs"]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("writes the zoom label, the axes and the tooltip on one 24-hour clock", async () => {
    const { id, start } = await lineDashboard("clock");
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await view.waitForState("live");
      await view.waitUntil("the line panel drawn", async () => ((await timeCharts(page)).find((c) => c.chart === "saved:cpu")?.shown.times ?? 0) > 0);
      await view.dragAcrossChart('[data-panel-id="cpu"]', 0.2, 0.8);
      // The label's ends are the zoomed span's on the 24-hour clock: to the second, or to the
      // millisecond for a stretch under 10 s (this one: 60% of the 9.6 s the hosts' points span).
      let label = "";
      let zoomed: Shown["shown"] | undefined;
      await view.waitUntil("the zoom label to name the chart's span", async () => {
        label = (await page.textContent('[data-testid="follow-state"]')) ?? "";
        zoomed = (await timeCharts(page)).find((c) => c.chart === "saved:cpu")?.shown;
        return zoomed !== undefined && label === `Zoomed: ${clock(zoomed.xMin)} – ${clock(zoomed.xMax)}`;
      });
      if (!zoomed) throw new Error("no zoomed chart");
      // Both charts' time axes read the same clock, within the same span.
      const charts = await timeCharts(page);
      expect(charts.map((c) => c.chart).sort()).toEqual(["metric:pump.rpm", "saved:cpu"]);
      const ticks = charts.flatMap((c) => c.shown.labels.time);
      for (const c of charts) expect(c.shown.labels.time.length).toBeGreaterThan(0);
      for (const tick of ticks) {
        expect(tick).toMatch(/^\d\d:\d\d:\d\d$/);
        expect(tick >= clock(zoomed.xMin).slice(0, 8) && tick <= clock(zoomed.xMax).slice(0, 8)).toBe(true);
      }
      const where = await pointAt(page, '[data-panel-id="cpu"]', "saved:cpu", start + 5000);
      await page.mouse.move(where.x, where.y);
      await view.waitUntil("the tooltip on the same clock", async () => (await tooltip(page))?.time === clock(start + 5000));
      expect(`${label} ${ticks.join(" ")} ${(await tooltip(page))?.time}`).not.toMatch(/AM|PM/);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  for (const size of [desktop, phone]) {
    it(`gives a saved line panel's plot most of the panel and a legible gauge scale at ${size.width}x${size.height}`, async () => {
      const id = uniqueId("sizes");
      const { ingestToken } = await createDashboard(suite.server.url, id, "Sizes");
      await updateDashboard(suite.server.url, id, ingestToken, {
        panels: [
          { id: "cpu", title: "CPU by host", type: "line", series: ["cpu.*"], unit: "percentunit" },
          { id: "fill", title: "Tank", type: "gauge", series: ["tank.fill"], unit: "percent", min: 0, max: 100 },
        ],
      });
      await postMetrics(suite.server.url, id, ingestToken, [...loads(Date.now() - 20_000), { name: "tank.fill", value: 42 }]);
      const { page, view, errors, close } = await openAt(suite.browser, `${suite.server.url}/d/${id}`, size);
      try {
        await view.waitForState("live");
        await view.waitUntil("three series in the legend", async () => (await view.legendValues("cpu")).length === 3);
        const boxes = await page.$eval('[data-panel-id="cpu"]', (panel) => ({
          panel: panel.getBoundingClientRect().height,
          canvas: panel.querySelector("canvas")!.getBoundingClientRect().height,
          plot: panel.querySelector(".u-over")!.getBoundingClientRect().height,
        }));
        expect(boxes.canvas).toBeGreaterThan(boxes.panel / 2);
        expect(boxes.plot).toBeGreaterThan(100);
        // The scale's labels as drawn: their font size times the SVG's scale on screen.
        const sizes = await page.$$eval('[data-panel-id="fill"] [data-testid="gauge-scale"]', (labels) =>
          labels.map((label) => parseFloat(getComputedStyle(label).fontSize) * (label as SVGGraphicsElement).getScreenCTM()!.a),
        );
        expect(sizes).toHaveLength(2);
        for (const drawn of sizes) expect(drawn).toBeGreaterThanOrEqual(11);
        // And at least 11 px in the style itself, whatever the gauge is scaled to.
        const styled = await page.$$eval('[data-panel-id="fill"] [data-testid="gauge-scale"]', (labels) => labels.map((label) => parseFloat(getComputedStyle(label).fontSize)));
        for (const fontSize of styled) expect(fontSize).toBeGreaterThanOrEqual(11);
        await saveScreenshot(page, `panel-sizes-${size.width}`);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
