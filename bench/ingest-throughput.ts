// Points per second stored and broadcast by one dashboard through the Worker and its object,
// against a ceiling server whose object discards what it is sent, in the same run: each
// request carries new times, as senders' do; in the "retried" rows every request is sent a
// second time, as a client whose answer was lost does, and the second replaces its points.
// Usage: node bench/ingest-throughput.ts [--seconds 4] [--senders 4] [--modes fresh,retried]
// Writes bench/results/ingest-throughput.md and prints the same table.
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDashboard } from "../test/e2e/api.ts";
import { startDevServer, type DevServer } from "../test/e2e/dev-server.ts";
import { NodeViewer } from "../test/e2e/node-viewer.ts";
import { machine } from "./machine.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "4" },
    senders: { type: "string", default: "4" },
    // e.g. --only "line protocol:5000" to run one cell while working on it.
    only: { type: "string" },
    modes: { type: "string", default: "fresh,retried" },
  },
});
const seconds = Number(args.seconds);
const senders = Number(args.senders);
const root = fileURLToPath(new URL("..", import.meta.url));

type Format = "json" | "line protocol";
type Mode = "fresh" | "retried";
const SIZES = [1, 100, 5000];
const FORMATS: Format[] = ["json", "line protocol"];
const MODES = args.modes.split(",") as Mode[];
/** Series per sender: each sender writes series of its own (20 in all with 4 senders), as separate sensors do. */
const SERIES_PER_SENDER = 5;

/**
 * The `request`-th body of sender `sender`: `size` points over its series, one millisecond
 * apart, at times after those of its earlier requests (from half an hour ago on).
 */
function body(format: Format, size: number, sender: number, request: number, start: number): string {
  const first = start + request * size;
  const points = Array.from({ length: size }, (_, i) => ({ host: `s${sender}h${i % SERIES_PER_SENDER}`, value: (i * 7919) % 1000 / 10, ts: first + i }));
  if (format === "json") return JSON.stringify(points.map((p) => ({ name: "cpu.usage", value: p.value, ts: p.ts, tags: { host: p.host } })));
  return points.map((p) => `cpu,host=${p.host} usage=${p.value} ${p.ts}`).join("\n");
}

interface Run {
  points: number;
  requests: number;
  elapsed: number;
  failures: number;
}

async function drive(server: DevServer, id: string, token: string, format: Format, size: number, mode: Mode, start: number): Promise<Run> {
  const url = format === "json" ? `${server.url}/api/dashboards/${id}/metrics` : `${server.url}/api/dashboards/${id}/metrics?precision=ms`;
  const headers = { authorization: `Bearer ${token}`, "content-type": format === "json" ? "application/json" : "text/plain" };
  const run: Run = { points: 0, requests: 0, elapsed: 0, failures: 0 };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      for (let request = 0; performance.now() < deadline; request++) {
        const text = body(format, size, sender, request, start);
        for (let attempt = 0; attempt < (mode === "retried" ? 2 : 1); attempt++) {
          const response = await fetch(url, { method: "POST", headers, body: text });
          await response.arrayBuffer();
          run.requests++;
          if (response.status === 200) run.points += size;
          else run.failures++;
        }
      }
    }),
  );
  run.elapsed = (performance.now() - started) / 1000;
  return run;
}

const unlimited = ["--var", "RATE_LIMIT_REQUESTS_PER_SECOND:1000000", "--var", "RATE_LIMIT_POINTS_PER_SECOND:100000000"];
const results: { format: Format; size: number; mode: Mode; real: Run; ceiling: Run; delivered: number }[] = [];
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();

for (const mode of MODES) {
  for (const format of FORMATS) {
    for (const size of SIZES) {
      if (args.only && args.only !== `${format}:${size}`) continue;
      // A fresh server per cell, so no run inherits another's stored rows or warm caches.
      const real = await startDevServer({ logLevel: "warn", extraArgs: unlimited });
      const ceiling = await startDevServer({ logLevel: "warn", extraArgs: ["--config", `${root}bench/ceiling/wrangler.toml`] });
      try {
        const a = await createDashboard(real.url, "bench");
        const b = await createDashboard(ceiling.url, "bench");
        const viewer = await NodeViewer.open(real.url, "bench");
        // The warm-up's times come before the measured run's, which then carries new times as in its own run.
        await drive(real, "bench", a.ingestToken, format, size, mode, Date.now() - 60 * 60_000).then(() => undefined);
        const warmPosition = await (async () => {
          await viewer.until(() => viewer.frames.some((f) => f.type === "snapshot"), "snapshot");
          await new Promise((resolve) => setTimeout(resolve, 300));
          return viewer.position();
        })();
        const realRun = await drive(real, "bench", a.ingestToken, format, size, mode, Date.now() - 30 * 60_000);
        const ceilingRun = await drive(ceiling, "bench", b.ingestToken, format, size, mode, Date.now() - 30 * 60_000);
        await viewer.until(() => viewer.position() >= warmPosition + realRun.points, "every stored point at the viewer", 60_000);
        const delivered = viewer.position() - warmPosition;
        viewer.close();
        results.push({ format, size, mode, real: realRun, ceiling: ceilingRun, delivered });
        const rate = (r: Run) => Math.round(r.points / r.elapsed);
        console.log(`${format} x${size} ${mode}: pulseboard ${rate(realRun)} points/s (${realRun.requests} requests, ${realRun.failures} failed), ceiling ${rate(ceilingRun)} points/s, viewer got ${delivered}/${realRun.points}`);
      } finally {
        await real.dispose();
        await ceiling.dispose();
      }
    }
  }
}

const cpu = process.cpuUsage(cpuBefore);
const wall = (performance.now() - wallBefore) / 1000;
const rate = (r: Run) => r.points / r.elapsed;
const rows = results.map(
  (r) =>
    `| ${r.format} | ${r.size} | ${r.mode} | ${Math.round(rate(r.real)).toLocaleString("en")} | ${Math.round(rate(r.ceiling)).toLocaleString("en")} | ${(rate(r.real) / rate(r.ceiling)).toFixed(2)} | ${Math.round(r.real.requests / r.real.elapsed)} | ${r.delivered === r.real.points ? "all" : `${r.delivered}/${r.real.points}`} |`,
);
const report = [
  "# Ingest throughput",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
  "",
  `Command: \`node bench/ingest-throughput.ts --seconds ${seconds} --senders ${senders} --modes ${MODES.join(",")}\` (run with the project's Node 24: \`npx node bench/ingest-throughput.ts\`).`,
  "",
  `Load: one Node process, ${senders} concurrent senders posting back to back for ${seconds} s per cell, each to ${SERIES_PER_SENDER} series of its own, ` +
    `every request with times after its previous one's (one millisecond apart); in the *retried* rows each request is sent twice in a row, ` +
    `and the second replaces the first's points (both count in the rates). ` +
    `to \`wrangler dev\` on 127.0.0.1 (rate limits raised with \`--var\`). Each cell gets a fresh server; one viewer socket is connected to ` +
    `the Pulseboard server and must receive every stored point. The ceiling is the same Worker with a dashboard object that discards ` +
    `the points (\`bench/ceiling/\`), measured right after, on the same machine. The load generator used ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU over ${wall.toFixed(0)} s ` +
    `(${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(0)}% of one core); the server and the generator share the 2 cores.`,
  "",
  "| format | points per request | requests | Pulseboard points/s | ceiling points/s | ratio | Pulseboard requests/s | viewer received |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows,
  "",
];
if (!args.only) {
  await mkdir(`${root}bench/results`, { recursive: true });
  await writeFile(`${root}bench/results/ingest-throughput.md`, report.join("\n"));
}
console.log(report.join("\n"));
