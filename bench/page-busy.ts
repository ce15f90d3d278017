// How busy a dashboard page keeps the browser's main thread under a steady firehose:
// 50 series updated 10 times a second for 30 s, watched in headless Chromium.
// Usage: node bench/page-busy.ts [--series 50] [--hz 10] [--seconds 30] [--panels 20] [--hosts 1] [--aggregated 0]
// With --panels N > 0 it first saves N panels (line, stat, gauge and table in turn) that
// cover the series; with 0 the page draws the automatic charts, one per metric name.
// With --hosts H > 1 the series are H hosts' of each of series/H metric names (tagged `host`
// and, four regions in turn, `region`): automatic charts then group H series each, and a
// saved panel shows whole metrics. --aggregated K gives the first K saved panels
// `transform: "rate"` and `aggregate: "sum"` by `region`, worked out on the page.
import { parseArgs } from "node:util";
import { createDashboard } from "../test/e2e/api.ts";
import { launchBrowser } from "../test/e2e/browser.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { machine } from "./machine.ts";

const { values: args } = parseArgs({
  options: {
    series: { type: "string", default: "50" },
    hz: { type: "string", default: "10" },
    seconds: { type: "string", default: "30" },
    panels: { type: "string", default: "20" },
    hosts: { type: "string", default: "1" },
    aggregated: { type: "string", default: "0" },
  },
});
const seriesCount = Number(args.series);
const hz = Number(args.hz);
const seconds = Number(args.seconds);
const panelCount = Number(args.panels);
const hostCount = Number(args.hosts);
const aggregatedCount = Number(args.aggregated);
const names = Math.ceil(seriesCount / hostCount);
/** Series `s`: metric `metric.s<n>`, and with several hosts its host's and region's tags. */
const seriesOf = (s: number) => ({
  name: `metric.s${Math.floor(s / hostCount)}`,
  ...(hostCount > 1 ? { tags: { host: `h${s % hostCount}`, region: `r${s % 4}` } } : {}),
});
const server = await startDevServer({ logLevel: "warn" });
const browser = await launchBrowser();
try {
  const dashboard = await createDashboard(server.url, "busy");
  const headers = { authorization: `Bearer ${dashboard.ingestToken}`, "content-type": "application/json" };
  const types = ["line", "stat", "gauge", "table"] as const;
  if (panelCount > 0) {
    // Panel i shows the metrics whose index is i modulo the panel count.
    const panels = Array.from({ length: panelCount }, (_, i) => ({
      id: `p${i}`,
      title: `Panel ${i}`,
      type: types[i % types.length]!,
      series: Array.from({ length: names }, (_, n) => n).filter((n) => n % panelCount === i).map((n) => `metric.s${n}`),
      ...(types[i % types.length] === "gauge" ? { min: 0, max: 100 } : {}),
      ...(i < aggregatedCount ? { transform: "rate", aggregate: "sum", groupBy: ["region"] } : {}),
    }));
    const saved = await fetch(`${server.url}/api/dashboards/busy`, { method: "PUT", headers, body: JSON.stringify({ panels }) });
    if (!saved.ok) throw new Error(`saving panels: ${saved.status} ${await saved.text()}`);
  }
  const post = (tick: number) =>
    fetch(`${server.url}/api/dashboards/busy/metrics`, {
      method: "POST",
      headers,
      body: JSON.stringify(Array.from({ length: seriesCount }, (_, s) => ({ ...seriesOf(s), value: 50 + 40 * Math.sin(tick / 10 + s) }))),
    });
  await post(0);
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`${server.url}/d/busy`);
  await page.waitForSelector('[data-testid="connection"][data-state="live"]');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const taskSeconds = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "TaskDuration")!.value;
  };
  const before = await taskSeconds();
  const started = performance.now();
  let tick = 1;
  while (performance.now() - started < seconds * 1000) {
    const due = started + (tick * 1000) / hz;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    void post(tick++);
  }
  const wall = (performance.now() - started) / 1000;
  const busy = (await taskSeconds()) - before;
  const layout = panelCount > 0 ? `${panelCount} saved panels${aggregatedCount > 0 ? ` (${Math.min(aggregatedCount, panelCount)} summing rates by region)` : ""}` : `automatic charts, one per metric (${names})`;
  console.log(`Page main-thread busy time, ${seriesCount} series${hostCount > 1 ? ` (${names} metrics x ${hostCount} hosts)` : ""} x ${hz} Hz for ${wall.toFixed(1)} s, ${layout}`);
  console.log(`TaskDuration ${busy.toFixed(2)} s = ${((busy / wall) * 100).toFixed(1)}% of one core (${machine()}; headless Chromium; wrangler dev and the load on the same 2 cores)`);
} finally {
  await browser.close();
  await server.dispose();
}
