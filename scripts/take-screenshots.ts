// Takes the README's screenshots of the dashboard page: starts `wrangler dev`, fills a demo
// dashboard with saved panels and simulated sensors, and shoots it in light and dark.
// Run: npm run build:client && node scripts/take-screenshots.ts
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Panel } from "../src/common/dashboard-config.ts";
import { seriesKey } from "../src/common/series-key.ts";
import { createDashboard, postMetrics } from "../test/e2e/api.ts";
import { launchBrowser } from "../test/e2e/browser.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { demoSensors } from "./simulated-sensors.ts";

const outDir = join(import.meta.dirname, "..", "docs", "screenshots");
/** How long live data flows before the shots, so the charts' right edge is moving data. */
const LIVE_MS = 20_000;
/** The simulator's pace. */
const INTERVAL_MS = 500;
/** History posted up front, so the charts open with a few minutes of shape rather than a dot. */
const BACKFILL_MS = 10 * 60_000;
const BACKFILL_STEP_MS = 5_000;

const panels: Panel[] = [
  { id: "cpu", title: "CPU by host", type: "line", series: ["cpu.usage"], unit: "%", decimals: 1 },
  {
    id: "api-rate",
    title: "API requests",
    type: "stat",
    series: [seriesKey("http.requests_per_second", { service: "api" })],
    unit: "req/s",
    decimals: 0,
    thresholds: [
      { value: 600, color: "#d97706" },
      { value: 900, color: "#dc2626" },
    ],
  },
  {
    id: "server-room",
    title: "Server room",
    type: "gauge",
    series: [seriesKey("temperature", { room: "server-room" })],
    unit: "°C",
    decimals: 1,
    min: 15,
    max: 35,
    thresholds: [
      { value: 15, color: "#16a34a" },
      { value: 27, color: "#d97706" },
      { value: 30, color: "#dc2626" },
    ],
  },
  { id: "temperatures", title: "Temperatures", type: "table", series: ["temperature"], unit: "°C", decimals: 1 },
  { id: "requests", title: "Requests per second", type: "line", series: ["http.requests_per_second"], unit: "req/s", decimals: 0 },
  {
    id: "office",
    title: "Office",
    type: "gauge",
    series: [seriesKey("temperature", { room: "office" })],
    unit: "°C",
    decimals: 1,
    min: 15,
    max: 30,
    thresholds: [
      { value: 15, color: "#2563eb" },
      { value: 19, color: "#16a34a" },
      { value: 25, color: "#d97706" },
    ],
  },
  {
    id: "web-rate",
    title: "Web requests",
    type: "stat",
    series: [seriesKey("http.requests_per_second", { service: "web" })],
    unit: "req/s",
    decimals: 0,
  },
  { id: "temperature-trend", title: "Temperature trend", type: "line", series: ["temperature"], unit: "°C", decimals: 2 },
  { id: "cpu-now", title: "CPU now", type: "table", series: ["cpu.usage"], unit: "%", decimals: 1 },
];

const server = await startDevServer();
const browser = await launchBrowser();
try {
  const id = "demo";
  const { ingestToken } = await createDashboard(server.url, id, "Demo sensors");
  const saved = await fetch(`${server.url}/api/dashboards/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json" },
    body: JSON.stringify({ panels }),
  });
  if (!saved.ok) throw new Error(`save panels: HTTP ${saved.status}: ${await saved.text()}`);

  const sensors = demoSensors();
  const start = Date.now() - BACKFILL_MS;
  const backfill = [];
  for (let ts = start; ts < Date.now(); ts += BACKFILL_STEP_MS) backfill.push(...sensors.read(ts));
  await postMetrics(server.url, id, ingestToken, backfill);

  const live = setInterval(() => void postMetrics(server.url, id, ingestToken, sensors.read(Date.now())).catch(console.error), INTERVAL_MS);
  try {
    const pages = await Promise.all(
      (["light", "dark"] as const).map(async (colorScheme) => {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme });
        const page = await context.newPage();
        await page.goto(`${server.url}/d/${id}`);
        return { colorScheme, page };
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, LIVE_MS));
    await mkdir(outDir, { recursive: true });
    for (const { colorScheme, page } of pages) {
      // Off the charts, so no cursor crosshair or tooltip is caught in the shot.
      await page.mouse.move(0, 899);
      const path = join(outDir, `dashboard-${colorScheme}.png`);
      await page.screenshot({ path });
      console.log(`wrote ${path}`);
    }
  } finally {
    clearInterval(live);
  }
} finally {
  await browser.close();
  await server.dispose();
}
