// How long from the start of a POST to the value on screen in a real Chromium page.
// Usage: node bench/page-latency.ts [--posts 60] [--gap-ms 300]
// Starts its own `wrangler dev` on 127.0.0.1 (fresh state) and prints percentiles.
import { parseArgs } from "node:util";
import { createDashboard } from "../test/e2e/api.ts";
import { launchBrowser } from "../test/e2e/browser.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { percentiles } from "./percentiles.ts";

const { values: args } = parseArgs({ options: { posts: { type: "string", default: "60" }, "gap-ms": { type: "string", default: "300" } } });
const posts = Number(args.posts);
const gapMs = Number(args["gap-ms"]);

const server = await startDevServer();
const browser = await launchBrowser();
try {
  const dashboard = await createDashboard(server.url, "latency");
  const post = (value: number) =>
    fetch(`${server.url}/api/dashboards/latency/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${dashboard.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "probe", value }),
    });
  await post(-1);
  const page = await browser.newPage();
  await page.goto(`${server.url}/d/latency`);
  await page.waitForSelector('[data-testid="connection"][data-state="live"]');
  await page.waitForSelector('[data-testid="panel"] [data-testid="latest"][data-series="probe"]');
  // Record, in the page, the wall-clock time at which each value is painted: the observer
  // sees the text change, and the next animation frame is when it reaches the screen.
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (globalThis as unknown as { __seen: Record<string, number> }).__seen = seen;
    const latest = document.querySelector('[data-testid="panel"] [data-testid="latest"][data-series="probe"]')!;
    new MutationObserver(() => {
      const value = latest.getAttribute("data-value") ?? latest.textContent ?? "";
      requestAnimationFrame(() => (seen[value] ??= performance.timeOrigin + performance.now()));
    }).observe(latest, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  const started: number[] = [];
  for (let i = 0; i < posts; i++) {
    started.push(Date.now());
    await post(i);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const seen = await page.evaluate(() => (globalThis as unknown as { __seen: Record<string, number> }).__seen);
  const latencies = started.map((at, i) => (seen[String(i)] ?? NaN) - at);
  const missing = latencies.filter((ms) => Number.isNaN(ms)).length;
  const p = percentiles(latencies.filter((ms) => !Number.isNaN(ms)));
  console.log(`POST start -> value painted in Chromium, ${posts} single-point posts ${gapMs} ms apart, wrangler dev on 127.0.0.1`);
  console.log(`p50 ${p.p50.toFixed(1)} ms  p95 ${p.p95.toFixed(1)} ms  p99 ${p.p99.toFixed(1)} ms  max ${p.max.toFixed(1)} ms  missing ${missing}`);
} finally {
  await browser.close();
  await server.dispose();
}
