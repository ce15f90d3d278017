/**
 * Grouping and aggregation on the dashboard page, against a real `wrangler dev` in a real
 * Chromium, at a desktop's and a phone's size: a metric's tagged series share one automatic
 * chart; saved panels with `transform: "rate"` and `aggregate: "sum"` by region show what the
 * test works out itself from the points it posted, on live points and after a history range
 * is picked (the older part then comes from the history route's 10 s buckets).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, updateDashboard, uniqueId, type PointInput } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { metricPanel } from "./dashboard-view.ts";

const sizes = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** Three request counters: two hosts in eu, one in us; each posts a little into its second. */
const hosts = [
  { host: "a", region: "eu", offset: 100 },
  { host: "b", region: "eu", offset: 400 },
  { host: "c", region: "us", offset: 700 },
] as const;
/** Points per host, 5 s apart: more than the 600 a snapshot holds, so the oldest come only from history. */
const COUNT = 700;
const SPACING = 5000;
/** Where host b's counter restarts from zero. */
const RESET_AT = 650;

type Column = { ts: number[]; values: number[] };

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's violations (WCAG 2.x A and AA, and best practices) on the page as it is now, one line per rule. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
      resultTypes: ["violations"],
    }),
  );
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Host `h`'s counter at point `i`: rising by a varying amount, restarting at RESET_AT for host b. */
function counterValue(h: number, i: number): number {
  if (h === 1 && i >= RESET_AT) return 3 + (i - RESET_AT) * 7;
  let value = 1000 * h;
  for (let k = 1; k <= i; k++) value += 10 * (h + 1) + (k % 7);
  return value;
}

/** Per second, as a counter's rate reads: a fall is a restart from zero, the new value the increase. */
function rates(column: Column): Column {
  const out: Column = { ts: [], values: [] };
  for (let i = 1; i < column.ts.length; i++) {
    const [v0, v1] = [column.values[i - 1]!, column.values[i]!];
    out.ts.push(column.ts[i]!);
    out.values.push((v1 >= v0 ? v1 - v0 : v1) / ((column.ts[i]! - column.ts[i - 1]!) / 1000));
  }
  return out;
}

/**
 * Sums columns per whole second, each column counting its last point in that second (a
 * history bucket and a live point can share one); here every column has a point in every
 * second that has one, so no value is carried over from an earlier second.
 */
function sumPerSecond(columns: Column[]): Column {
  const lasts = columns.map((column) => {
    const last = new Map<number, number>();
    column.ts.forEach((t, i) => last.set(Math.floor(t / 1000) * 1000, column.values[i]!));
    return last;
  });
  const seconds = [...new Set(lasts.flatMap((last) => [...last.keys()]))].sort((a, b) => a - b);
  for (const last of lasts) expect(last.size).toBe(seconds.length);
  return { ts: seconds, values: seconds.map((s) => lasts.reduce((sum, last) => sum + last.get(s)!, 0)) };
}

/** The history route's buckets of `step` ms (aligned on multiples of it): each bucket's average. */
function bucketAverages(column: Column, step: number): Column {
  const sums = new Map<number, { sum: number; count: number }>();
  column.ts.forEach((t, i) => {
    const start = Math.floor(t / step) * step;
    const bucket = sums.get(start) ?? { sum: 0, count: 0 };
    bucket.sum += column.values[i]!;
    bucket.count += 1;
    sums.set(start, bucket);
  });
  const starts = [...sums.keys()].sort((a, b) => a - b);
  return { ts: starts, values: starts.map((s) => sums.get(s)!.sum / sums.get(s)!.count) };
}

function expectColumn(got: Column | undefined, want: Column): void {
  expect(got?.ts).toEqual(want.ts);
  got!.values.forEach((value, i) => expect(value).toBeCloseTo(want.values[i]!, 6));
}

describe.skipIf(skipBrowserTests)("grouping and aggregation", () => {
  const suite = browserSuite();

  for (const size of sizes) {
    it(`groups a metric's series on one chart and shows rates summed by region, live and over a history range (${size.name})`, async () => {
      const id = uniqueId("grouping");
      const { ingestToken } = await createDashboard(suite.server.url, id, "Grouping");
      await updateDashboard(suite.server.url, id, ingestToken, {
        panels: [
          { id: "by-region", title: "Requests per second by region", type: "table", series: ["requests"], transform: "rate", aggregate: "sum", groupBy: ["region"], decimals: 3 },
          { id: "total", title: "Requests per second", type: "stat", series: ["requests"], transform: "rate", aggregate: "sum", decimals: 3 },
          { id: "b-rate", title: "Host b's rate", type: "line", series: ["requests{host=b,region=eu}"], transform: "rate" },
        ],
      });
      const base = Math.floor(Date.now() / SPACING) * SPACING - (COUNT + 1) * SPACING;
      const posted: Column[] = hosts.map(() => ({ ts: [], values: [] }));
      const pointsAt = (i: number): PointInput[] =>
        hosts.map(({ host, region, offset }, h) => {
          const ts = base + i * SPACING + offset;
          const value = counterValue(h, i);
          posted[h]!.ts.push(ts);
          posted[h]!.values.push(value);
          return { name: "requests", value, ts, tags: { host, region } };
        });
      await postMetrics(suite.server.url, id, ingestToken, Array.from({ length: COUNT }, (_, i) => pointsAt(i)).flat());
      await postMetrics(suite.server.url, id, ingestToken, [
        ...["a", "b", "c"].map((host, h) => ({ name: "cpu", value: 40 + h, tags: { host } })),
        { name: "queue.depth", value: 17 },
      ]);

      const { page, view, errors } = await suite.open(`/d/${id}`);
      await page.setViewportSize({ width: size.width, height: size.height });
      await view.waitForState("live");

      // One automatic chart for cpu's three hosts, with each one's latest value; a lone series as before.
      await view.waitForLatest("cpu{host=c}", "42");
      expect(await view.automaticPanels()).toEqual(["cpu=cpu{host=a},cpu{host=b},cpu{host=c}", "queue.depth=queue.depth"]);
      expect(await view.latest("cpu{host=a}")).toBe("40");
      expect(await view.latest("cpu{host=b}")).toBe("41");
      expect(await page.getAttribute(`${metricPanel("cpu")} [data-testid="latest"][data-series="cpu{host=b}"]`, "data-value")).toBe("41");
      expect(await page.$$(`${metricPanel("cpu")} .u-legend .legend-toggle`)).toHaveLength(3);
      expect((await view.drawn("cpu{host=b}"))?.values).toEqual([41]);
      expect(await view.latest("queue.depth")).toBe("17");
      expect(await page.$$(`${metricPanel("queue.depth")} .u-legend`)).toHaveLength(0);
      expect((await view.timeCharts()).map((c) => c.chart)).toEqual(["saved:b-rate", "metric:cpu", "metric:queue.depth"]);

      // Live: the snapshot's 600 newest points of each host, then one more each.
      await view.waitUntil("the snapshot", async () => (await view.points("requests{host=a,region=eu}")).ts.length === 600);
      await postMetrics(suite.server.url, id, ingestToken, pointsAt(COUNT));
      await view.waitUntil("the new points", async () => (await view.points("requests{host=c,region=us}")).ts.at(-1) === posted[2]!.ts.at(-1));
      const live = (h: number): Column => ({ ts: posted[h]!.ts.slice(-600), values: posted[h]!.values.slice(-600) });
      const expectedLive = {
        eu: sumPerSecond([rates(live(0)), rates(live(1))]),
        us: sumPerSecond([rates(live(2))]),
        all: sumPerSecond([0, 1, 2].map((h) => rates(live(h)))),
      };
      await view.waitUntil("the aggregates to take the new points", async () => (await view.computed("total"))?.[0]?.ts.at(-1) === expectedLive.all.ts.at(-1));
      const byRegion = new Map((await view.computed("by-region"))!.map((s) => [s.key, s]));
      expect([...byRegion.keys()]).toEqual(["sum(rate){region=eu}", "sum(rate){region=us}"]);
      expectColumn(byRegion.get("sum(rate){region=eu}"), expectedLive.eu);
      expectColumn(byRegion.get("sum(rate){region=us}"), expectedLive.us);
      expectColumn((await view.computed("total"))![0], expectedLive.all);
      expect(await view.tableRows("by-region")).toEqual([
        `sum(rate){region=eu}=${expectedLive.eu.values.at(-1)!.toFixed(3)}`,
        `sum(rate){region=us}=${expectedLive.us.values.at(-1)!.toFixed(3)}`,
      ]);
      expect(await view.savedPanelText("total", '[data-testid="stat-value"]')).toBe(expectedLive.all.values.at(-1)!.toFixed(3));
      // Host b's counter restarted: its rate there is its new value over the seconds since, not negative.
      const bRate = (await view.computed("b-rate"))!;
      expect(bRate.map((s) => s.key)).toEqual(["rate(requests){host=b,region=eu}"]);
      expectColumn(bRate[0], rates(live(1)));
      const reset = bRate[0]!.ts.indexOf(posted[1]!.ts[RESET_AT]!);
      expect(bRate[0]!.values[reset]).toBeCloseTo(3 / (SPACING / 1000), 9);
      expect(await view.savedPanelAttribute("b-rate", "data-series-keys")).toBe("rate(requests){host=b,region=eu}");
      // The grouped chart's legend entries are buttons that hide and show a series, and the page passes axe.
      const toggle = page.locator(`${metricPanel("cpu")} .legend-toggle`).nth(1);
      await toggle.focus();
      await page.keyboard.press("Enter");
      expect(await toggle.getAttribute("aria-pressed")).toBe("false");
      await page.keyboard.press("Space");
      expect(await toggle.getAttribute("aria-pressed")).toBe("true");
      expect(await violations(page)).toEqual([]);
      await saveScreenshot(page, `grouping-aggregation-live-${size.name}`);

      // The last hour: each host's 10 s history buckets that end by its first live point, each
      // average at the middle of its bucket (where rates read it), then its live points.
      await view.chooseRange("1h");
      const withHistory = (h: number): Column => {
        const held = live(h);
        const older = bucketAverages(posted[h]!, 10_000);
        const end = older.ts.findIndex((t) => t + 10_000 > held.ts[0]!);
        const cut = end === -1 ? older.ts.length : end;
        return { ts: [...older.ts.slice(0, cut).map((t) => t + 5_000), ...held.ts], values: [...older.values.slice(0, cut), ...held.values] };
      };
      const expectedHistory = {
        eu: sumPerSecond([rates(withHistory(0)), rates(withHistory(1))]),
        us: sumPerSecond([rates(withHistory(2))]),
      };
      const ranged = new Map((await view.computed("by-region"))!.map((s) => [s.key, s]));
      expect(ranged.get("sum(rate){region=eu}")!.ts[0]).toBeLessThan(live(0).ts[0]!);
      expectColumn(ranged.get("sum(rate){region=eu}"), expectedHistory.eu);
      expectColumn(ranged.get("sum(rate){region=us}"), expectedHistory.us);
      const phoneFits = await page.$$eval('[data-testid="saved-panel"], [data-testid="panel"]', (panels) => panels.every((p) => p.getBoundingClientRect().right <= innerWidth));
      expect(phoneFits).toBe(true);
      await saveScreenshot(page, `grouping-aggregation-history-${size.name}`);
      expect(errors).toEqual([]);
    });
  }

  it("sets a panel's transform, aggregate and group-by tags in the editor, refusing tags without an aggregate at their field", async () => {
    const id = uniqueId("grouping-edit");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Grouping editor");
    const now = Math.floor(Date.now() / 1000) * 1000;
    await postMetrics(
      suite.server.url,
      id,
      ingestToken,
      hosts.flatMap(({ host, region }, h) => [0, 1].map((i) => ({ name: "requests", value: 100 * h + 10 * (h + 1) * i, ts: now - 20_000 + i * 2000, tags: { host, region } }))),
    );
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [{ id: "req", title: "Requests", type: "table", series: ["requests"] }] });
    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    await view.openEditor(ingestToken);
    // Tags typed with no aggregate: the group-by field shows, and the schema's error lands there.
    expect(await page.isVisible('[data-panel-id="req"] .editor-field-groupBy')).toBe(false);
    await view.editField("req", "aggregate", "sum");
    expect(await page.isVisible('[data-panel-id="req"] .editor-field-groupBy')).toBe(true);
    await view.editField("req", "groupBy", "region");
    await view.editField("req", "aggregate", "");
    await page.click('[data-testid="save-panels"]');
    await view.waitUntil("the group-by error", async () => (await view.fieldError("req", "groupBy")) !== "");
    expect(await view.fieldError("req", "groupBy")).toBe("groupBy needs an aggregate");
    expect(await page.getAttribute('[data-panel-id="req"] [data-field="groupBy"]', "aria-invalid")).toBe("true");

    await view.editField("req", "transform", "rate");
    await view.editField("req", "aggregate", "sum");
    await page.click('[data-testid="save-panels"]');
    await view.waitUntil("the editor to close", async () => (await page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "false");
    const saved = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { panels: unknown[] };
    expect(saved.panels).toEqual([{ id: "req", title: "Requests", type: "table", series: ["requests"], transform: "rate", aggregate: "sum", groupBy: ["region"] }]);
    // Host a rose 10 in 2 s and host b 20: eu's summed rate is 15 per second; host c's alone is us's, 15.
    await view.waitUntil("the summed rates", async () => (await view.tableRows("req")).length === 2);
    expect(await view.tableRows("req")).toEqual(["sum(rate){region=eu}=15", "sum(rate){region=us}=15"]);
    expect(errors).toEqual([]);
  });
});
