// What one small ingest request costs the local runtime, in CPU time, with wrangler dev's local
// observability collector on (its default) and off (X_LOCAL_OBSERVABILITY=false), in one run.
// Usage: node bench/request-cost.ts [--requests 1000] [--rate 200] [--direct]
// Prints a table; --direct sends the requests to the runtime's own port, past the dev proxy.
import { parseArgs } from "node:util";
import { createDashboard } from "../test/e2e/api.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { devServerProcesses, runtimeBaseUrl } from "./fanout/dev-server-processes.ts";
import { cpuSeconds } from "./fanout/process-stats.ts";
import { machine } from "./machine.ts";
import { percentiles } from "./percentiles.ts";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    rate: { type: "string", default: "200" },
    direct: { type: "boolean", default: false },
  },
});
const requests = Number(args.requests);
const rate = Number(args.rate);
if (!(requests >= 10 && requests <= 20_000)) throw new Error("--requests takes 10-20000");
if (!(rate > 0 && rate <= 2_000)) throw new Error("--rate takes 1-2000");

interface Cost {
  collector: "on" | "off";
  runtimeMs: number;
  proxyMs: number;
  p50: number;
  p99: number;
}

async function measure(collector: "on" | "off"): Promise<Cost> {
  process.env.X_LOCAL_OBSERVABILITY = collector === "on" ? "true" : "false";
  const server = await startDevServer({ logLevel: "warn", extraArgs: ["--var", "RATE_LIMIT_REQUESTS_PER_SECOND:1000000"] });
  try {
    const { ingestToken } = await createDashboard(server.url, "cost");
    const pids = devServerProcesses(server.port);
    const base = args.direct ? await runtimeBaseUrl(pids.runtime) : server.url;
    const post = (k: number) =>
      fetch(`${base}/api/dashboards/cost/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json" },
        body: JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ name: "cost", value: k, tags: { sensor: String(i) } }))),
      }).then(async (response) => {
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`request ${k} answered ${response.status}`);
      });
    for (let k = 0; k < 50; k++) await post(k);
    const runtimeBefore = cpuSeconds(pids.runtime)!;
    const proxyBefore = cpuSeconds(pids.proxy)!;
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let k = 0; k < requests; k++) {
      const due = start + (k * 1000) / rate;
      while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, 1));
      const sent = performance.now();
      pending.push(post(k).then(() => void latencies.push(performance.now() - sent)));
    }
    await Promise.all(pending);
    const runtimeMs = ((cpuSeconds(pids.runtime)! - runtimeBefore) * 1000) / requests;
    const proxyMs = ((cpuSeconds(pids.proxy)! - proxyBefore) * 1000) / requests;
    const { p50, p99 } = percentiles(latencies);
    return { collector, runtimeMs, proxyMs, p50, p99 };
  } finally {
    await server.dispose();
  }
}

const costs = [await measure("on"), await measure("off")];
console.log(`${new Date().toISOString()}: ${requests} requests of 5 points at ${rate}/s${args.direct ? ", past the dev proxy" : ""}; ${machine()}`);
console.log("| local observability collector | runtime CPU per request | dev proxy CPU per request | latency p50 | p99 |");
console.log("| --- | --- | --- | --- | --- |");
for (const cost of costs) {
  console.log(`| ${cost.collector} | ${cost.runtimeMs.toFixed(2)} ms | ${cost.proxyMs.toFixed(2)} ms | ${cost.p50.toFixed(1)} ms | ${cost.p99.toFixed(1)} ms |`);
}
