// What reading history costs a dashboard fed by sensors that post a point at a time: six hours
// of one-second points for each series, sent as one small request per second of data, then
// (after the dashboard's maintenance pass has run) the time a 6-hour history query and a
// viewer's first snapshot take, from the client.
// Usage: node bench/history-cost.ts [--series 10] [--requests 21600] [--queries 5]
// The requests go out eight at a time as fast as the local server answers; their times are
// spread one second apart over the last `requests` seconds.
import { parseArgs } from "node:util";
import { createDashboard } from "../test/e2e/api.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { machine } from "./machine.ts";

const { values: args } = parseArgs({
  options: {
    series: { type: "string", default: "10" },
    requests: { type: "string", default: "21600" },
    queries: { type: "string", default: "5" },
  },
});
const seriesCount = Number(args.series);
const requests = Number(args.requests);
const queries = Number(args.queries);
if (!(seriesCount >= 1 && seriesCount <= 100)) throw new Error("--series takes 1-100");
if (!(requests >= 60 && requests <= 86_400)) throw new Error("--requests takes 60-86400");
if (!(queries >= 1 && queries <= 50)) throw new Error("--queries takes 1-50");

/** Maintenance runs a minute after points start arriving, then every minute while they do. */
const MAINTENANCE_WAIT_MS = 65_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startDevServer({ logLevel: "warn" });
try {
  const dashboard = await createDashboard(server.url, "history-cost");
  const headers = { authorization: `Bearer ${dashboard.ingestToken}`, "content-type": "application/json" };
  const now = Date.now();
  const start = now - requests * 1000;
  let next = 0;
  let retried = 0;
  const posting = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < requests) {
        const i = next++;
        const body = JSON.stringify(Array.from({ length: seriesCount }, (_, s) => ({ name: `sensor.s${s}`, value: Math.sin(i / 60 + s), ts: start + i * 1000 })));
        for (;;) {
          const response = await fetch(`${server.url}/api/dashboards/history-cost/metrics`, { method: "POST", headers, body });
          if (response.status === 429) {
            retried++;
            await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("retry-after") ?? 1) * 1000));
            continue;
          }
          if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
          break;
        }
      }
    }),
  );
  const postedS = (performance.now() - posting) / 1000;
  // Let the last points' maintenance pass run, as it does a minute after they arrive.
  await new Promise((resolve) => setTimeout(resolve, MAINTENANCE_WAIT_MS));

  const historyMs: number[] = [];
  let buckets = 0;
  for (let q = 0; q < queries; q++) {
    const began = performance.now();
    const response = await fetch(`${server.url}/api/dashboards/history-cost/series?from=${start}&to=${now}`, { headers });
    const body = (await response.json()) as { source: string; series: { ts: number[]; count: number[] }[] };
    historyMs.push(performance.now() - began);
    if (!response.ok || body.source !== "raw") throw new Error(`history answered ${response.status} from ${body.source}`);
    const points = body.series.reduce((sum, s) => sum + s.count.reduce((a, b) => a + b, 0), 0);
    if (points !== requests * seriesCount) throw new Error(`history counted ${points} points, ${requests * seriesCount} were sent`);
    buckets = body.series[0]!.ts.length;
  }

  const snapshotMs: number[] = [];
  for (let q = 0; q < queries; q++) {
    const began = performance.now();
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/api/dashboards/history-cost/ws`);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("message", (event) => {
        if (JSON.parse(String(event.data)).type === "snapshot") resolve();
      });
      socket.addEventListener("error", () => reject(new Error("viewer socket failed")));
    });
    snapshotMs.push(performance.now() - began);
    socket.close();
  }

  console.log(`${seriesCount} series × ${requests} one-point requests (${requests * seriesCount} points, posted in ${postedS.toFixed(0)} s, ${retried} retried after 429)`);
  console.log(`6-hour history query (${buckets} buckets a series, every point counted): median ${median(historyMs).toFixed(0)} ms of ${queries} (${historyMs.map((ms) => ms.toFixed(0)).join(", ")})`);
  console.log(`viewer connect to snapshot (600 points a series): median ${median(snapshotMs).toFixed(0)} ms of ${queries} (${snapshotMs.map((ms) => ms.toFixed(0)).join(", ")})`);
  console.log(machine());
} finally {
  await server.dispose();
}
