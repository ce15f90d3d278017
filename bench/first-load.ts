// What a first visit to a dashboard costs on a slow connection: the bytes of script the page
// loads before its first chart, and the time from navigation to a chart drawn with points,
// in a real Chromium whose network is throttled by its own emulation (DevTools protocol:
// 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, the cache empty each time).
// Usage: node bench/first-load.ts [--runs 5]   (build the client first: npm run build:client)
// Prints a table; `--out <file>` also writes it.
import { readFile, readdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { createDashboard, postMetrics, updateDashboard, uniqueId } from "../test/e2e/api.ts";
import { launchBrowser } from "../test/e2e/browser.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { machine } from "./machine.ts";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" }, out: { type: "string" } } });
const runs = Number(args.runs);
const root = fileURLToPath(new URL("..", import.meta.url));
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };

/** Every script the build wrote, with its size and gzip size (what a deployed Worker's assets would send compressed). */
async function builtScripts(): Promise<Map<string, { bytes: number; gzip: number }>> {
  const sizes = new Map<string, { bytes: number; gzip: number }>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(`${dir}/${entry.name}`, `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".js")) {
        const text = await readFile(`${dir}/${entry.name}`);
        sizes.set(`/build/${prefix}${entry.name}`, { bytes: text.length, gzip: gzipSync(text, { level: 9 }).length });
      }
    }
  };
  await walk(`${root}public/build`, "");
  return sizes;
}

const server = await startDevServer({ logLevel: "warn" });
const browser = await launchBrowser();
try {
  const id = uniqueId("first-load");
  const { ingestToken } = await createDashboard(server.url, id, "Boiler room");
  await updateDashboard(server.url, id, ingestToken, {
    panels: [
      { id: "temps", title: "Temperatures", type: "line", series: ["boiler.temp*"], unit: "celsius" },
      { id: "now", title: "Inlet now", type: "stat", series: ["boiler.temp{sensor=inlet}"], unit: "celsius" },
      { id: "fill", title: "Tank fill", type: "gauge", series: ["tank.fill"], min: 0, max: 100, unit: "percent" },
    ],
  });
  const start = Date.now() - 300_000;
  await postMetrics(
    server.url,
    id,
    ingestToken,
    Array.from({ length: 300 }, (_, i) => [
      { name: "boiler.temp", tags: { sensor: "inlet" }, value: 70 + (i % 7), ts: start + i * 1000 },
      { name: "boiler.temp", tags: { sensor: "outlet" }, value: 60 + (i % 5), ts: start + i * 1000 },
      { name: "tank.fill", value: 40 + (i % 30), ts: start + i * 1000 },
      { name: "room.temp", value: 20 + (i % 3), ts: start + i * 1000 },
    ]).flat(),
  );
  const built = await builtScripts();
  const results: { ms: number; scripts: string[] }[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", NETWORK);
    const scripts: string[] = [];
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (path.endsWith(".js")) scripts.push(path);
    });
    const started = performance.now();
    await page.goto(`${server.url}/d/${id}`, { waitUntil: "commit" });
    // Drawn: every time chart holds points.
    await page.waitForFunction(
      () => {
        const hook = (globalThis as unknown as { __pulseboard?: { timeCharts(): { shown: { times: number } }[] } }).__pulseboard;
        const charts = hook?.timeCharts() ?? [];
        return charts.length >= 2 && charts.every((chart) => chart.shown.times > 0);
      },
      undefined,
      { timeout: 120_000, polling: 20 },
    );
    results.push({ ms: performance.now() - started, scripts });
    await context.close();
  }
  const loaded = [...new Set(results.flatMap((r) => r.scripts))].sort();
  const sum = (key: "bytes" | "gzip") => loaded.reduce((total, path) => total + (built.get(path)?.[key] ?? 0), 0);
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const report = [
    `Measured ${new Date().toISOString().slice(0, 16)}Z on ${machine()}.`,
    "",
    `Command: \`npx node bench/first-load.ts --runs ${runs}\` (after \`npm run build:client\`). Chromium's network emulation: ${NETWORK.latency} ms latency, 1.6 Mbit/s down, 750 kbit/s up, cache disabled; the page is \`/d/<id>\` of a dashboard with a saved line, stat and gauge panel and one automatic chart, 300 points per series.`,
    "",
    "| scripts loaded before the first chart | bytes | gzip -9 | first chart drawn, median (all runs) |",
    "| --- | --- | --- | --- |",
    `| ${loaded.map((path) => `\`${path.replace(/-[A-Z0-9]{8}\.js$/, "-….js")}\``).join(", ")} | ${kib(sum("bytes"))} | ${kib(sum("gzip"))} | ${Math.round(median)} ms (${times.map((t) => Math.round(t)).join(", ")}) |`,
    "",
  ].join("\n");
  console.log(report);
  if (args.out) await writeFile(args.out, report);
} finally {
  await browser.close();
  await server.dispose();
}
