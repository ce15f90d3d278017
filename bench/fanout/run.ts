// Fan-out: how fast points reach many viewers of one dashboard, against a partyserver room on
// the same runtime and a hand-written Node ws server, in the same run (see bench/README.md).
// Usage: node bench/fanout/run.ts [--scenario steady-100,firehose] [--server pulseboard,ws]
//        [--seconds 10] [--direct] [--write]
// A full run (no options) writes the "Fan-out" section of bench/results.md; a partial run
// only prints it, unless given --write. --direct sends viewers and requests to the workerd
// runtime past wrangler's dev proxy, to see what the proxy costs.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machine } from "../machine.ts";
import { renderSection, writeSection } from "./results-section.ts";
import { runScenario, type RunResult } from "./scenario-run.ts";
import { scenarios } from "./scenarios.ts";
import type { TargetKind } from "./target.ts";
import { partyserver } from "./target-partyserver.ts";
import { pulseboard } from "./target-pulseboard.ts";
import { wsServer } from "./target-ws.ts";

const kinds: TargetKind[] = [pulseboard, partyserver, wsServer];
const { values: args } = parseArgs({
  options: {
    scenario: { type: "string" },
    server: { type: "string" },
    seconds: { type: "string" },
    direct: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
  },
});
const pick = <T extends { name: string }>(all: T[], wanted: string | undefined, what: string): T[] => {
  if (wanted === undefined) return all;
  const names = wanted.split(",");
  const unknown = names.filter((name) => !all.some((item) => item.name === name));
  if (unknown.length) throw new Error(`unknown ${what} ${unknown.join(", ")}; known: ${all.map((item) => item.name).join(", ")}`);
  return all.filter((item) => names.includes(item.name));
};
const seconds = args.seconds === undefined ? undefined : Number(args.seconds);
if (seconds !== undefined && !(seconds > 0 && seconds <= 60)) throw new Error("--seconds takes 1-60");
const chosen = pick(scenarios, args.scenario, "scenario").map((scenario) => (seconds === undefined ? scenario : { ...scenario, seconds }));
const servers = pick(kinds, args.server, "server");
const full = args.scenario === undefined && args.server === undefined && args.seconds === undefined && !args.direct;

// wrangler dev streams a trace of every invocation (each request, RPC call and alarm) to a
// local observability collector for its explorer page, unless told not to. It cost the
// runtime about 1.8 ms of CPU per ingest request here (4.05 → 2.23 ms, see
// bench/results/request-cost.md): a debugging aid's price, not the server's, so both servers
// under wrangler dev run without it.
process.env.X_LOCAL_OBSERVABILITY = "false";

const started = performance.now();
const cpuBefore = process.cpuUsage();
const results: RunResult[] = [];
for (const scenario of chosen) {
  for (const kind of servers) {
    if (scenario.servers && !scenario.servers.includes(kind.name)) continue;
    const log = (line: string) => console.log(`[${scenario.name}] ${kind.name}: ${line}`);
    log("starting");
    const result = await runScenario(scenario, kind, { direct: args.direct }, log);
    results.push(result);
    if (!result.error) {
      const { latency, delivered, expected, outOfOrderViewers } = result.delivery!;
      log(
        `p50 ${latency.p50.toFixed(1)} p95 ${latency.p95.toFixed(1)} p99 ${latency.p99.toFixed(1)} max ${latency.max.toFixed(1)} ms; ` +
          `delivered ${delivered}/${expected}; ${outOfOrderViewers === 0 ? "in order" : `${outOfOrderViewers} viewers out of order`}; ` +
          `generator CPU ${result.cpu.generator.toFixed(0)}% (kernel ${result.cpu.generatorSystem.toFixed(0)}%, loop busy ${result.cpu.generatorLoopBusy.toFixed(0)}%); ` +
          `${result.delivery!.framesPerViewer.toFixed(1)} frames per viewer${result.relays === null ? "" : `; ${result.relays} relays`}`,
      );
      const profile = result.profile;
      if (profile) {
        log(
          `profile: dashboard's flush ${profile.dashboardFlushMs.toFixed(1)} ms (pushes ${profile.pushMs.toFixed(1)} ms), relays' flush ${profile.relayFlushMs.toFixed(1)} ms, ` +
            `busy ${profile.busyMs.toFixed(0)} of ${profile.sampledMs.toFixed(0)} ms sampled (every ${profile.typicalUs} µs)${profile.mapped ? "" : "; NO SOURCE MAP"}`,
        );
      }
    }
  }
}

const cpu = process.cpuUsage(cpuBefore);
const argv = process.argv.slice(2).join(" ");
const section = renderSection(
  {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z").replace("T", " "),
    machine: machine(),
    command: process.env.npm_lifecycle_event === "bench" && argv === "" ? "npm run bench" : `node bench/fanout/run.ts${argv ? ` ${argv}` : ""}`,
    seconds: (performance.now() - started) / 1000,
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    direct: args.direct,
    openFiles: /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? "unknown",
  },
  chosen,
  servers,
  results,
);
console.log(`\n${section}`);
if (full || args.write) {
  const path = fileURLToPath(new URL("../results.md", import.meta.url));
  await writeSection(path, section);
  console.log(`Wrote the Fan-out section of ${path}`);
}
