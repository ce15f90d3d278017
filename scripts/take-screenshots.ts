// Takes the README's screenshots of the dashboard page: starts `wrangler dev`, lays out the
// demo dashboard as `npm start` does (its panels and simulated sensors), and shoots it in
// light and dark on a wide screen, and on a phone.
// Run: npm run build:client && npx node scripts/take-screenshots.ts
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createDashboard, postMetrics } from "../test/e2e/api.ts";
import { launchBrowser } from "../test/e2e/browser.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { demoPanels, demoSensors } from "./simulated-sensors.ts";

const outDir = join(import.meta.dirname, "..", "docs", "screenshots");
/** How long live data flows before the shots, so the charts' right edge is moving data. */
const LIVE_MS = 20_000;
/** The simulator's pace. */
const INTERVAL_MS = 500;
/** History posted up front, so the charts open with a few minutes of shape rather than a dot. */
const BACKFILL_MS = 10 * 60_000;
const BACKFILL_STEP_MS = 5_000;

const server = await startDevServer();
const browser = await launchBrowser();
try {
  const id = "demo";
  const { ingestToken } = await createDashboard(server.url, id, "Demo sensors");
  const saved = await fetch(`${server.url}/api/dashboards/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json" },
    body: JSON.stringify({ panels: demoPanels }),
  });
  if (!saved.ok) throw new Error(`save panels: HTTP ${saved.status}: ${await saved.text()}`);

  const sensors = demoSensors();
  const start = Date.now() - BACKFILL_MS;
  const backfill = [];
  for (let ts = start; ts < Date.now(); ts += BACKFILL_STEP_MS) backfill.push(...sensors.read(ts));
  await postMetrics(server.url, id, ingestToken, backfill);

  const live = setInterval(() => void postMetrics(server.url, id, ingestToken, sensors.read(Date.now())).catch(console.error), INTERVAL_MS);
  try {
    // Four columns of three rows: the demo's twelve panels whole, with no empty cell.
    const shots = [
      { name: "dashboard-light", colorScheme: "light", viewport: { width: 1600, height: 800 } },
      { name: "dashboard-dark", colorScheme: "dark", viewport: { width: 1600, height: 800 } },
      { name: "dashboard-phone", colorScheme: "light", viewport: { width: 390, height: 844 } },
    ] as const;
    const pages = await Promise.all(
      shots.map(async (shot) => {
        const context = await browser.newContext({ viewport: shot.viewport, colorScheme: shot.colorScheme });
        const page = await context.newPage();
        await page.goto(`${server.url}/d/${id}`);
        return { ...shot, page };
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, LIVE_MS));
    await mkdir(outDir, { recursive: true });
    for (const { name, viewport, page } of pages) {
      // Off the charts, so no cursor crosshair or tooltip is caught in the shot.
      await page.mouse.move(0, viewport.height - 1);
      const path = join(outDir, `${name}.png`);
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
