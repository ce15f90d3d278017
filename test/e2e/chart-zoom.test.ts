/**
 * Zooming the time charts, against a real `wrangler dev` in a real Chromium while a sensor
 * keeps posting: a drag on one chart zooms every chart to the same stretch, which then holds
 * still while the data keeps growing; "Jump to now", a double-click and "Resume live" each
 * send the charts back to following now. Inside a picked range, a zoom loads its stretch
 * again at a finer step. The keyboard does the same on a focused chart: "+" and "-" halve and
 * double the span, the arrows move it by a quarter, Escape and "0" go back to now.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import type { DashboardView, TimeChartShown } from "./dashboard-view.ts";

const savedLine = '[data-testid="saved-panel"][data-panel-id="cpu"]';
const automatic = '[data-testid="panel"][data-metric="room.temp"]';

/** A sensor posting both series every 200 ms until stopped; `last` is the newest time sent. */
function startSensor(base: string, id: string, token: string): { stop(): Promise<void>; last(): number } {
  let running = true;
  let last = 0;
  let value = 0;
  const loop = (async () => {
    while (running) {
      const ts = Date.now();
      value += 1;
      await postMetrics(base, id, token, [
        { name: "cpu.load", tags: { host: "a" }, value: value % 10, ts },
        { name: "room.temp", value: 20 + (value % 5), ts },
      ]);
      last = ts;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
    last: () => last,
  };
}

/** The one x span every chart shows; fails when the charts disagree. */
function commonSpan(charts: TimeChartShown[]): { xMin: number; xMax: number } {
  const spans = new Set(charts.map((c) => `${c.shown.xMin}..${c.shown.xMax}`));
  if (spans.size !== 1) throw new Error(`the charts show different spans: ${JSON.stringify(charts)}`);
  const { xMin, xMax } = charts[0]!.shown;
  if (xMin === undefined || xMax === undefined) throw new Error("the charts have no x span");
  return { xMin, xMax };
}

/** Waits until every chart shows one and the same x span; returns it. */
async function waitForOneSpan(view: DashboardView): Promise<{ xMin: number; xMax: number }> {
  await view.waitUntil("every chart to show the same span", async () => {
    const charts = await view.timeCharts();
    return new Set(charts.map((c) => `${c.shown.xMin}..${c.shown.xMax}`)).size === 1;
  });
  return commonSpan(await view.timeCharts());
}

/** Waits until every chart's right edge reaches `ts` or later: the charts follow now. */
async function waitForFollowing(view: DashboardView, ts: number): Promise<void> {
  await view.waitUntil(`every chart to reach ${ts}`, async () => {
    const charts = await view.timeCharts();
    return charts.length === 2 && charts.every((c) => (c.shown.xMax ?? 0) >= ts);
  });
}

/** Fails unless `span` is [min, max] (to well under a millisecond: both sides do the same sums). */
function expectSpan(span: { xMin: number; xMax: number }, min: number, max: number): void {
  expect(Math.abs(span.xMin - min), `left edge ${span.xMin} should be ${min}`).toBeLessThan(0.001);
  expect(Math.abs(span.xMax - max), `right edge ${span.xMax} should be ${max}`).toBeLessThan(0.001);
}

/** Presses `key` and waits until every chart shows one span other than `from`; returns it. */
async function pressForSpan(view: DashboardView, key: string, from: { xMin: number; xMax: number }): Promise<{ xMin: number; xMax: number }> {
  await view.page.keyboard.press(key);
  await view.waitUntil(`every chart to move after ${key}`, async () => {
    const charts = await view.timeCharts();
    const spans = new Set(charts.map((c) => `${c.shown.xMin}..${c.shown.xMax}`));
    return spans.size === 1 && !spans.has(`${from.xMin}..${from.xMax}`);
  });
  return commonSpan(await view.timeCharts());
}

describe.skipIf(skipBrowserTests)("zooming the time charts", () => {
  const suite = browserSuite();
  let sensor: { stop(): Promise<void> } | undefined;
  afterEach(async () => {
    await sensor?.stop();
    sensor = undefined;
  });

  async function openFlowingDashboard(prefix: string) {
    const id = uniqueId(prefix);
    const { ingestToken } = await createDashboard(suite.server.url, id, "Zoom");
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [{ id: "cpu", title: "CPU", type: "line", series: ["cpu.*"] }] });
    // A minute of history, one point a second, so there is something to zoom into; the CPU
    // series starts 20 s earlier, so before any zoom the two charts span different times.
    const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const history = [
      ...Array.from({ length: 80 }, (_, i) => ({ name: "cpu.load", tags: { host: "a" }, value: i % 7, ts: start - 20_000 + i * 1000 })),
      ...Array.from({ length: 60 }, (_, i) => ({ name: "room.temp", value: 18 + (i % 3), ts: start + i * 1000 })),
    ];
    await postMetrics(suite.server.url, id, ingestToken, history);
    const opened = await suite.open(`/d/${id}`);
    await opened.view.waitForState("live");
    await opened.view.waitUntil("both charts to hold the history", async () => {
      const charts = await opened.view.timeCharts();
      return charts.length === 2 && charts.every((c) => c.shown.times >= 60);
    });
    const running = startSensor(suite.server.url, id, ingestToken);
    sensor = running;
    return { ...opened, id, ingestToken, sensor: running, start };
  }

  it("zooms every chart to the stretch dragged across one, holds it while data keeps arriving, and jumps back to now", async () => {
    const { page, view, errors, close, sensor, start } = await openFlowingDashboard("zoom");
    try {
      expect((await view.timeCharts()).map((c) => c.chart)).toEqual(["saved:cpu", "metric:room.temp"]);
      expect(await view.jumpToNowShown()).toBe(false);
      await waitForFollowing(view, sensor.last() || start);
      // Following now, each chart spans its own data: the CPU chart reaches further back.
      const [cpu, temp] = await view.timeCharts();
      expect(cpu!.shown.xMin).toBeLessThan(temp!.shown.xMin!);

      await view.dragAcrossChart(automatic, 0.2, 0.5);
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      const zoomed = await waitForOneSpan(view);
      // The stretch lies inside the minute of history, well behind now.
      expect(zoomed.xMin).toBeGreaterThanOrEqual(start);
      expect(zoomed.xMax).toBeLessThan(Date.now() - 10_000);
      expect(zoomed.xMax - zoomed.xMin).toBeGreaterThan(5_000);
      expect(await page.textContent('[data-testid="follow-state"]')).toMatch(/^Zoomed: /);
      const jump = page.getByRole("button", { name: "Jump to now" });
      expect(await jump.isVisible()).toBe(true);

      // Data keeps flowing into the store and the charts while the view holds still.
      const heldBefore = (await view.points("room.temp")).ts.length;
      const timesBefore = (await view.timeCharts()).map((c) => c.shown.times);
      await view.waitUntil("more points to arrive while zoomed", async () => (await view.points("room.temp")).ts.length >= heldBefore + 5);
      await view.waitUntil("the charts' data to grow while zoomed", async () => {
        const times = (await view.timeCharts()).map((c) => c.shown.times);
        return times.every((t, i) => t > timesBefore[i]!);
      });
      expect(commonSpan(await view.timeCharts())).toEqual(zoomed);
      await saveScreenshot(page, "chart-zoom-1-zoomed");

      await jump.click();
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      const afterJump = sensor.last();
      await waitForFollowing(view, afterJump);
      const following = await view.timeCharts();
      for (const chart of following) expect(chart.shown.xMin!).toBeLessThan(zoomed.xMin);
      expect(following[0]!.shown.xMin).toBeLessThan(following[1]!.shown.xMin!);
      expect(await page.textContent('[data-testid="follow-state"]')).toBe("");
      await saveScreenshot(page, "chart-zoom-2-back-to-now");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("goes back to now on a double-click on any chart", async () => {
    const { page, view, errors, close, sensor } = await openFlowingDashboard("zoom-dbl");
    try {
      await view.dragAcrossChart(savedLine, 0.1, 0.4);
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      const zoomed = await waitForOneSpan(view);
      expect(zoomed.xMax).toBeLessThan(Date.now() - 10_000);
      await saveScreenshot(page, "chart-zoom-3-zoomed-from-line-panel");

      await view.doubleClickChart(automatic);
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      await waitForFollowing(view, sensor.last());
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("zooms in and out, pans and returns to now with the keys of a focused chart, moving every chart together", async () => {
    const { page, view, errors, close, sensor, start } = await openFlowingDashboard("zoom-keys");
    try {
      await waitForFollowing(view, sensor.last() || start);
      // Keys pressed with no chart focused do nothing.
      await page.keyboard.press("+");
      await page.keyboard.press("ArrowLeft");
      expect(await view.jumpToNowShown()).toBe(false);

      // "+" on the line panel halves its span around its centre. Following now, the chart spans
      // its own data: from its first point, which stays put, to its newest, which moves on as
      // the sensor posts. So the span at the key is [first, newest then], and the zoomed one
      // must start a quarter of that in and be half as wide, whatever the newest point was.
      await view.focusChart(savedLine);
      const before = (await view.timeCharts())[0]!.shown;
      await page.keyboard.press("+");
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      const zoomed = await waitForOneSpan(view);
      const readAt = Date.now();
      const width = zoomed.xMax - zoomed.xMin;
      // To well under a millisecond (times near 1.8e12 carry rounding of about 0.0002 ms).
      expect(Math.abs(zoomed.xMin - before.xMin! - width / 2), "the zoomed span starts a quarter into the span at the key").toBeLessThan(0.01);
      const rightEdgeAtKey = before.xMin! + 2 * width;
      expect(rightEdgeAtKey, "the span at the key ended at the newest point then").toBeGreaterThan(before.xMax! - 0.01);
      expect(rightEdgeAtKey).toBeLessThanOrEqual(readAt);
      expect(await page.textContent('[data-testid="follow-state"]')).toMatch(/^Zoomed: /);
      await saveScreenshot(page, "chart-zoom-6-keyboard-zoomed");

      // From here the span holds still, so each key's effect is exact.
      const centre = (zoomed.xMin + zoomed.xMax) / 2;
      const inner = await pressForSpan(view, "=", zoomed);
      expectSpan(inner, centre - width / 4, centre + width / 4);
      const outer = await pressForSpan(view, "-", inner);
      expectSpan(outer, zoomed.xMin, zoomed.xMax);
      const earlier = await pressForSpan(view, "ArrowLeft", outer);
      expectSpan(earlier, outer.xMin - width / 4, outer.xMax - width / 4);

      // The automatic chart takes the keys too, and moves the line panel with it.
      await view.focusChart(automatic);
      const later = await pressForSpan(view, "ArrowRight", earlier);
      expectSpan(later, outer.xMin, outer.xMax);

      // Zooming out never reaches past now: the view stops at the time of the key.
      let wide = later;
      const pressedAt = Date.now();
      for (let i = 0; i < 3; i++) wide = await pressForSpan(view, "-", wide);
      expect(wide.xMax - wide.xMin).toBeCloseTo(width * 8, 3);
      expect(wide.xMax).toBeGreaterThanOrEqual(pressedAt - 1_000);
      expect(wide.xMax).toBeLessThanOrEqual(Date.now());
      await saveScreenshot(page, "chart-zoom-7-keyboard-zoomed-out");

      // Escape goes back to now, as does "0".
      await page.keyboard.press("Escape");
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      await waitForFollowing(view, sensor.last());
      await page.keyboard.press("+");
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      await page.keyboard.press("0");
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      await waitForFollowing(view, sensor.last());
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("zooms a paused page over its frozen data, and Resume live returns to now", async () => {
    const { page, view, errors, close, sensor } = await openFlowingDashboard("zoom-pause");
    try {
      await view.togglePause();
      expect(await view.paused()).toBe(true);
      // Paused is not following now either.
      expect(await view.jumpToNowShown()).toBe(true);
      const frozen = (await view.timeCharts()).map((c) => c.shown.times);

      await view.dragAcrossChart(automatic, 0.3, 0.6);
      const zoomed = await waitForOneSpan(view);
      expect(zoomed.xMax).toBeLessThan(Date.now() - 10_000);
      // Still frozen: the charts hold the data they had when paused.
      expect((await view.timeCharts()).map((c) => c.shown.times)).toEqual(frozen);
      await saveScreenshot(page, "chart-zoom-4-paused-and-zoomed");

      await view.togglePause();
      expect(await view.paused()).toBe(false);
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      await waitForFollowing(view, sensor.last());
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("resumes a paused page on Escape on a focused chart and on a double-click, but not on a new range", async () => {
    const { page, view, errors, close, sensor } = await openFlowingDashboard("zoom-pause-keys");
    try {
      // Escape on a focused chart, paused and zoomed: live again and following now.
      await view.togglePause();
      await view.dragAcrossChart(automatic, 0.3, 0.6);
      await waitForOneSpan(view);
      await view.focusChart(savedLine);
      await page.keyboard.press("Escape");
      await view.waitUntil("the page to resume", async () => !(await view.paused()));
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      await waitForFollowing(view, sensor.last());

      // A double-click on a chart of a paused (not zoomed) page does the same.
      await view.togglePause();
      expect(await view.jumpToNowShown()).toBe(true);
      const frozenAt = (await view.timeCharts()).map((c) => c.shown.times);
      await view.doubleClickChart(automatic);
      await view.waitUntil("the page to resume", async () => !(await view.paused()));
      await view.waitUntil("the charts to take the points sent while paused", async () => {
        const times = (await view.timeCharts()).map((c) => c.shown.times);
        return times.every((t, i) => t > frozenAt[i]!);
      });
      expect(await view.jumpToNowShown()).toBe(false);

      // Picking a range is not a request for now: the page stays paused.
      await view.togglePause();
      await view.chooseRange("5m");
      expect(await view.paused()).toBe(true);
      expect(await page.textContent('[data-testid="follow-state"]')).toBe("Paused");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("loads finer history for a stretch zoomed into inside a picked range, and jumps back to the whole range", async () => {
    const id = uniqueId("zoom-range");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Zoom in range");
    // 700 points 5 s apart over the last hour: the hour's buckets are 10 s wide, so two
    // points share each, while a few minutes' buckets (1 s) hold one point each.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const start = now - 3_550_000;
    const points = Array.from({ length: 700 }, (_, i) => ({ name: "room.temp", value: 20 + (i % 10), ts: start + i * 5000 }));
    await postMetrics(suite.server.url, id, ingestToken, points);
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await view.waitForState("live");
      await view.waitUntil("the snapshot", async () => (await view.points("room.temp")).ts.length === 600);
      await view.chooseRange("1h");
      const spacing = (ts: number[], from: number, to: number) => {
        const inside = ts.filter((t) => t >= from && t <= to);
        return Math.min(...inside.slice(1).map((t, i) => t - inside[i]!));
      };
      const firstLive = (await view.points("room.temp")).ts[0]!;
      const whole = (await view.drawn("room.temp"))!;
      expect(spacing(whole.ts, whole.xMin!, firstLive - 1)).toBe(10_000);

      // 5 % to 12 % of the hour: about four minutes, all older than the snapshot's first point.
      await view.dragAcrossChart(automatic, 0.05, 0.12);
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      await view.waitUntil("the stretch's finer history to be drawn", async () => {
        const drawn = (await view.drawn("room.temp"))!;
        return drawn.xMax! < firstLive && spacing(drawn.ts, drawn.xMin!, drawn.xMax!) === 5_000;
      });
      const zoomed = (await view.drawn("room.temp"))!;
      expect(zoomed.xMax! - zoomed.xMin!).toBeLessThan(600_000);
      // Every point posted inside the stretch is drawn, at its own time.
      const posted = points.map((p) => p.ts).filter((t) => t >= Math.ceil(zoomed.xMin! / 1000) * 1000 && t <= zoomed.xMax!);
      expect(zoomed.ts.filter((t) => t >= zoomed.xMin! && t <= zoomed.xMax!)).toEqual(expect.arrayContaining(posted));
      await saveScreenshot(page, "chart-zoom-5-finer-history");

      await page.getByRole("button", { name: "Jump to now" }).click();
      await view.waitUntil("the whole hour again", async () => {
        const drawn = (await view.drawn("room.temp"))!;
        return drawn.xMax! - drawn.xMin! === 3_600_000 && spacing(drawn.ts, drawn.xMin!, firstLive - 1) === 10_000;
      });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
