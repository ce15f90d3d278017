// How long from `npm start` to a moving chart at /d/demo, as a newcomer sees it: fresh state,
// the page opened as soon as the server answers (and reloaded while the demo dashboard does
// not exist yet). Usage: node bench/startup-to-moving.ts
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser } from "../test/e2e/browser.ts";
import { freePort } from "../test/e2e/dev-server.ts";

const port = await freePort();
const state = await mkdtemp(join(tmpdir(), "pulseboard-startup-"));
const base = `http://localhost:${port}`;
const started = Date.now();
const child = spawn("npm", ["start", "--", "--persist-to", state], {
  env: { ...process.env, PORT: String(port), CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  stdio: "ignore",
  detached: true,
});
const since = () => ((Date.now() - started) / 1000).toFixed(2);
const browser = await launchBrowser();
try {
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // Not up yet.
    }
    if (Date.now() - started > 120_000) throw new Error("no server after 120 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`server answering: ${since()} s`);
  const page = await browser.newPage();
  let first: string | null = null;
  for (;;) {
    if (!page.url().includes("/d/demo") || (await page.$('[data-testid="not-found"]'))) await page.goto(`${base}/d/demo`);
    const latest = await page.$eval('[data-testid="panel"] [data-testid="latest"]', (el) => el.textContent).catch(() => null);
    if (latest !== null && first === null) {
      first = latest;
      console.log(`first value on screen: ${since()} s`);
    } else if (latest !== null && latest !== first) {
      console.log(`chart moving (value changed): ${since()} s after npm start`);
      break;
    }
    if (Date.now() - started > 120_000) throw new Error("chart not moving after 120 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
} finally {
  await browser.close();
  process.kill(-child.pid!, "SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await rm(state, { recursive: true, force: true });
}
