/**
 * The "Fan-out" section of bench/results.md: a headline of ratios, then a table per scenario
 * with a row per server. Only that section is rewritten; the rest of the file is kept.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import type { RunResult } from "./scenario-run.ts";
import { postCount, type RelaySetup, type Scenario } from "./scenarios.ts";
import type { TargetKind, TargetName } from "./target.ts";

const HEADING = "## Fan-out";

/** What the section says besides the runs. */
export interface RunContext {
  date: string;
  machine: string;
  command: string;
  /** Wall time of the whole benchmark, in s. */
  seconds: number;
  /** Generator CPU over the whole benchmark, in s. */
  generatorCpuSeconds: number;
  /** File descriptors a process may open here. */
  openFiles: string;
  /** Whether viewers and requests bypassed wrangler's dev proxy. */
  direct: boolean;
}

export function renderSection(context: RunContext, scenarios: Scenario[], kinds: TargetKind[], results: RunResult[]): string {
  const find = (scenario: Scenario, name: TargetName) => results.find((r) => r.scenario.name === scenario.name && r.target === name);
  const title = (name: TargetName) => kinds.find((kind) => kind.name === name)?.title ?? name;
  const lines = [
    HEADING,
    "",
    `Measured ${context.date} on ${context.machine}; ${context.openFiles} open files per process. The whole run took ${minutes(context.seconds)}.`,
    "",
    `Command: \`${context.command}\` (the project's Node 24, which runs the TypeScript as is).`,
    "",
    "Load: one Node process opens the viewer sockets (the `ws` client without compression or UTF-8 validation; Pulseboard's frames parsed as JSON once per distinct frame and compared byte for byte at every other viewer, the peers' messages, each the body of one request as sent, recognised by their first value and length) and sends ingest requests on a fixed schedule (request k starts at k / rate whatever earlier answers take; at most 500 unanswered, and none started more than 2 s after the schedule's end). Every point's value is the index of its request, so each arrival is matched to the moment its request started: latency is from the start of the POST to the arrival of the point at the viewer, over every point at every viewer. Each server is started fresh for each scenario, warmed up with 20 requests, and measured alone; Pulseboard and the partyserver room run under `wrangler dev` (workerd behind wrangler's dev proxy; its local observability collector, which traces every invocation for the local explorer, turned off with `X_LOCAL_OBSERVABILITY=false`), the ws server as its own Node process. See bench/README.md." +
      (context.direct ? " **This run bypassed the dev proxy** (`--direct`): viewers and requests went straight to the workerd runtime's own port." : ""),
    "",
    `The load generator used ${context.generatorCpuSeconds.toFixed(1)} s of CPU over ${context.seconds.toFixed(0)} s (${((100 * context.generatorCpuSeconds) / context.seconds).toFixed(0)}% of one core); per run, during the load, in the tables. Generator, servers and everything else share the ${context.machine.split(" ")[0]} cores.`,
    "",
    "### Headline: Pulseboard's p99 latency against the peers'",
    "",
    `| scenario | Pulseboard p99 | ${title("partyserver")} p99 | ${title("ws")} p99 | Pulseboard ÷ partyserver | Pulseboard ÷ ws | all delivered in order (Pulseboard / partyserver / ws) | Pulseboard's target |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const scenario of scenarios) {
    const runs = (["pulseboard", "partyserver", "ws"] as const).map((name) => find(scenario, name));
    if (runs.every((run) => run === undefined)) continue;
    const [ours, party, ws] = runs;
    lines.push(
      `| ${scenario.name} | ${p99(ours)} | ${p99(party)} | ${p99(ws)} | ${ratio(ours, party)} | ${ratio(ours, ws)} | ${runs.map(verdictWord).join(" / ")} | ${targetStatus(scenario, ours, ws)} |`,
    );
  }
  lines.push("", "Ratios are Pulseboard's p99 divided by the peer's: below 1 Pulseboard is faster.", "");

  for (const scenario of scenarios) {
    const runs = results.filter((r) => r.scenario.name === scenario.name);
    if (runs.length === 0) continue;
    const ours = find(scenario, "pulseboard");
    lines.push(
      `### ${scenario.name}: ${scenario.viewers.toLocaleString("en-US")} viewers, ${scenario.postsPerSecond} requests/s of ${scenario.pointsPerPost} points for ${scenario.seconds} s`,
      "",
      `Pulseboard's viewers: ${SETUPS[scenario.relays]}.${scenario.profile ? " The dashboard's process was CPU-profiled during the load (sampling every 250 µs asked)." : ""}`,
      "",
      "| server | connected (s) | p50 ms | p95 ms | p99 ms | max ms | delivered | in order | frames per viewer (per s) | relays | tail s | RSS before → after connect, MiB | KiB per viewer | server CPU | generator CPU (kernel; loop busy) | Pulseboard p99 ÷ this | Pulseboard KiB per viewer ÷ this |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const run of runs) lines.push(row(title(run.target), run, ours));
    lines.push("", ...notes(runs, title), `Target for Pulseboard: ${scenario.target.text}: ${targetStatus(scenario, ours, find(scenario, "ws"))}.`, "");
  }
  lines.push(...frameCosts(results));
  lines.push(
    "Columns: *connected* is the viewers open and ready when the load started, with the seconds from the first handshake until the server went quiet (Pulseboard tells every viewer the new count whenever one joins); *delivered* is points received over points sent times viewers connected, each point counted once per viewer; *frames per viewer* is the mean number of `points` frames a viewer received, and per second of ingest after the slash; *relays* the Relay objects that held viewers; *in order* means, for Pulseboard, that every frame continued exactly after the previous one's sequence range and every point came in the frame covering the sequence numbers its request was stored under, and for the peers (one message per request, no sequence numbers) that every viewer got the requests in the same order as the first viewer; *tail* is from the start of the last request until the last point arrived anywhere (how far behind the server ended); *RSS* is the resident memory of the process running the Worker and its object (workerd) or of the Node server, plus that of the relays' process after the `+` when they have one; *KiB per viewer* is the growth of it (of both runtimes) over connecting, divided by the viewers; *server CPU* is that process's CPU during the load, plus wrangler's dev proxy after the `+`, in % of one core (then the relays' process and its proxy, when they have one); *generator CPU* is the load generator's, with the part spent in the kernel (receiving on its sockets) and how busy its event loop was (the share of the time its own timestamps could be late).",
    "",
  );
  return lines.join("\n");
}

/** Replaces the Fan-out section of `path` (or appends it, or creates the file). */
export async function writeSection(path: string, section: string): Promise<void> {
  const text = existsSync(path) ? await readFile(path, "utf8") : "# Benchmark results\n";
  const start = text.search(/^## Fan-out\s*$/m);
  if (start === -1) {
    await writeFile(path, `${text.trimEnd()}\n\n${section.trimEnd()}\n`);
    return;
  }
  const next = text.slice(start + HEADING.length).search(/^## /m);
  const after = next === -1 ? "" : `\n${text.slice(start + HEADING.length + next)}`;
  await writeFile(path, `${text.slice(0, start)}${section.trimEnd()}\n${after}`);
}

function row(title: string, run: RunResult, ours: RunResult | undefined): string {
  if (run.error) return `| ${title} | failed: ${run.error.replaceAll("|", "\\|")} |${" |".repeat(15)}`;
  const d = run.delivery!;
  const { runtime, proxy, relayRuntime } = run.memory;
  const relayProcess = relayRuntime.before !== null;
  const perViewer = kibPerViewer(run);
  const oursPerViewer = ours ? kibPerViewer(ours) : NaN;
  return [
    title,
    `${run.connected.toLocaleString("en-US")}/${run.scenario.viewers.toLocaleString("en-US")} (${run.connectSeconds.toFixed(1)})`,
    ms(d.latency.p50),
    ms(d.latency.p95),
    ms(d.latency.p99),
    ms(d.latency.max),
    delivered(run),
    d.outOfOrderViewers === 0 ? "yes" : `no (${d.outOfOrderViewers} viewers)`,
    `${d.framesPerViewer.toFixed(1)} (${(d.framesPerViewer / run.scenario.seconds).toFixed(1)})`,
    run.relays === null ? "–" : String(run.relays),
    run.tailSeconds.toFixed(2),
    `${mib(runtime.before)} → ${mib(runtime.afterConnect)}${relayProcess ? ` + ${mib(relayRuntime.before)} → ${mib(relayRuntime.afterConnect)}` : ""}`,
    Number.isFinite(perViewer) ? perViewer.toFixed(1) : "n/a",
    `${percent(run.cpu.runtime)}${proxy.before === null ? "" : ` + ${percent(run.cpu.proxy)}`}` +
      (relayProcess ? `; relays ${percent(run.cpu.relayRuntime)} + ${percent(run.cpu.relayProxy)}` : ""),
    `${percent(run.cpu.generator)} (${percent(run.cpu.generatorSystem)}; ${percent(run.cpu.generatorLoopBusy)})`,
    ours?.delivery && !ours.error ? fixed(ours.delivery.latency.p99 / d.latency.p99) : "n/a",
    fixed(oursPerViewer / perViewer),
  ]
    .join(" | ")
    .replace(/^/, "| ")
    .concat(" |");
}

function notes(runs: RunResult[], title: (name: TargetName) => string): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    const said: string[] = [];
    if (run.socketFailures.length) said.push(`sockets: ${run.socketFailures.map(([why, n]) => `${n}× ${why}`).join(", ")}`);
    if (run.posts.failures.length) said.push(`requests failed: ${run.posts.failures.map(([why, n]) => `${n}× ${why}`).join(", ")}`);
    if (run.foreign) said.push(`${run.foreign} points arrived that no request sent`);
    if (run.delivery?.duplicates) said.push(`${run.delivery.duplicates} points arrived twice`);
    if (!run.error) {
      const scheduled = postCount(run.scenario);
      const dropped = run.posts.sent < scheduled ? `; the other ${scheduled - run.posts.sent} were not sent: the server held 500 unanswered and the run's time was up` : "";
      const failed = run.posts.failures.reduce((sum, [, n]) => sum + n, 0);
      const unanswered = run.posts.sent - run.posts.ok - failed;
      said.push(
        `${run.posts.sent} of ${scheduled} scheduled requests sent (the latest start ${fixedMs(run.posts.maxLagMs)} behind schedule), ${run.posts.ok} answered 2xx` +
          `${unanswered > 0 ? `, ${unanswered} still unanswered when the run ended` : ""}${dropped}`,
      );
      said.push(`RSS after the load ${mib(run.memory.runtime.afterLoad)} MiB${run.memory.relayRuntime.afterLoad === null ? "" : ` (relays' process ${mib(run.memory.relayRuntime.afterLoad)} MiB)`}`);
      if (run.memory.proxy.before !== null) {
        said.push(`dev proxy RSS ${mib(run.memory.proxy.before)} → ${mib(run.memory.proxy.afterConnect)} → ${mib(run.memory.proxy.afterLoad)} MiB`);
      }
      if (run.memory.relayProxy.before !== null) {
        said.push(`the relays' dev proxy RSS ${mib(run.memory.relayProxy.before)} → ${mib(run.memory.relayProxy.afterConnect)} → ${mib(run.memory.relayProxy.afterLoad)} MiB`);
      }
      if (run.cpu.generatorLoopBusy > 80) said.push("the generator's event loop was busy most of the time: latencies include its own queueing");
    }
    if (said.length) lines.push(`- ${title(run.target)}: ${said.join("; ")}.`);
  }
  if (lines.length) lines.push("");
  return lines;
}

function targetStatus(scenario: Scenario, ours: RunResult | undefined, ws: RunResult | undefined): string {
  if (!ours || ours.error || !ours.delivery) return "not measured";
  const { target } = scenario;
  const p99 = ours.delivery.latency.p99;
  const misses: string[] = [];
  if (!complete(ours)) misses.push("not every point reached every viewer in order");
  if (target.allConnected && ours.connected < scenario.viewers) misses.push(`${ours.connected} of ${scenario.viewers} connected`);
  if (!(p99 <= target.p99Ms)) misses.push(`p99 ${ms(p99)} ms > ${target.p99Ms} ms`);
  const perSecond = ours.delivery.framesPerViewer / scenario.seconds;
  if (target.framesPerSecond !== undefined && !(perSecond >= 0.95 * target.framesPerSecond)) misses.push(`${perSecond.toFixed(1)} frames/s per viewer`);
  if (target.p99VsWs !== undefined) {
    const wsP99 = ws?.delivery?.latency.p99;
    if (wsP99 === undefined || ws?.error) misses.push("no ws run to compare with");
    else if (!(p99 <= target.p99VsWs * wsP99)) misses.push(`p99 is ${fixed(p99 / wsP99)} the ws server's (target ≤ ×${target.p99VsWs})`);
  }
  return misses.length === 0 ? "met" : `not met (${misses.join("; ")})`;
}

function complete(run: RunResult): boolean {
  const d = run.delivery;
  return !!d && d.delivered === d.expected && d.duplicates === 0 && d.outOfOrderViewers === 0 && run.foreign === 0 && d.expected > 0;
}

function verdictWord(run: RunResult | undefined): string {
  if (!run) return "–";
  if (run.error || !run.delivery) return "failed";
  return complete(run) ? "yes" : `no (${delivered(run)})`;
}

function delivered(run: RunResult): string {
  const d = run.delivery!;
  if (d.expected === 0) return "nothing expected";
  const share = (100 * d.delivered) / d.expected;
  const text = d.delivered === d.expected ? "100%" : `${share.toFixed(share > 99 ? 2 : 1)}%`;
  const viewers = d.completeViewers === run.connected ? "" : `${d.completeViewers} viewers complete`;
  const scheduled = postCount(run.scenario);
  const dropped = run.posts.sent < scheduled ? `of ${run.posts.sent}/${scheduled} requests sent` : "";
  const more = [viewers, dropped].filter(Boolean).join("; ");
  return more ? `${text} (${more})` : text;
}

function p99(run: RunResult | undefined): string {
  if (!run) return "–";
  if (run.error || !run.delivery) return "failed";
  return `${ms(run.delivery.latency.p99)} ms`;
}

function ratio(ours: RunResult | undefined, peer: RunResult | undefined): string {
  if (!ours?.delivery || !peer?.delivery || ours.error || peer.error) return "–";
  return fixed(ours.delivery.latency.p99 / peer.delivery.latency.p99);
}

function kibPerViewer(run: RunResult): number {
  const { runtime, relayRuntime } = run.memory;
  if (runtime.before === null || runtime.afterConnect === null || run.connected === 0) return NaN;
  const relays = relayRuntime.before === null || relayRuntime.afterConnect === null ? 0 : relayRuntime.afterConnect - relayRuntime.before;
  return (runtime.afterConnect - runtime.before + relays) / run.connected;
}

/** How each relay setup reads in the results. */
const SETUPS: Record<RelaySetup, string> = {
  default: "as wrangler.toml has it (new viewers go to relays, 1,000 each, once the audience reaches 1,000; relays in the same process)",
  off: "all on the dashboard's own object (relays off: `RELAY_AFTER_VIEWERS` 1,000,000)",
  all: "every one on a relay of 1,000 (`RELAY_AFTER_VIEWERS` 0, `VIEWERS_PER_RELAY` 1,000), the relays in the dashboard's workerd process",
  "second-process":
    "every one on a relay of 1,000, the relays in a second `wrangler dev` (bench/relay-process/wrangler.toml), where the viewers connect on its runtime's own port (past its dev proxy, as Cloudflare's edge would hand them to the relays); ingest goes to the first (bench/relay-process/dashboard.toml)",
};

/**
 * The dashboard's own time per frame from the profiled runs: sampled time under its
 * `LiveStream.flush` (the pushes to relays included) over the frames it sent, against the
 * direct run with the same audience.
 */
function frameCosts(results: RunResult[]): string[] {
  const profiled = results.filter((run) => run.profile && run.delivery && !run.error);
  if (profiled.length === 0) return [];
  const perFrame = (run: RunResult) => run.profile!.dashboardFlushMs / run.delivery!.framesPerViewer;
  const lines = [
    "### The dashboard's own time per frame",
    "",
    "From the CPU profile of the dashboard's process during the load: the time sampled with the dashboard's `LiveStream.flush` on the stack (serialising the frame, its own sockets' sends, and the RPC pushes to its relays through `RelayFleet.framed`), divided by the frames it sent (the frames each viewer received). With the relays in the same process, a relay's `flush` (reached from its push, through `RelayedStream`) is counted apart: a sample is the dashboard's when no frame of src/relay/relayed-stream.ts or src/relay/relay-object.ts is on its stack. With the relays in a second process, the profiled process holds only the dashboard.",
    "",
    "| scenario | frames sent | dashboard flush ms | per frame ms | of it pushes to relays, ms per frame | ÷ direct with the same audience | relays' flush in this process, ms per frame | process busy, ms sampled |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of profiled) {
    const profile = run.profile!;
    const frames = run.delivery!.framesPerViewer;
    const direct = profiled.find((other) => other.scenario.relays === "off" && other.scenario.viewers === run.scenario.viewers);
    const ratio = direct && direct !== run ? `${((100 * perFrame(run)) / perFrame(direct)).toFixed(1)}%` : "–";
    lines.push(
      `| ${run.scenario.name} | ${frames.toFixed(0)} | ${profile.dashboardFlushMs.toFixed(1)} | ${perFrame(run).toFixed(3)} | ${(profile.pushMs / frames).toFixed(3)} | ${ratio} | ${(profile.relayFlushMs / frames).toFixed(2)} | ${profile.busyMs.toFixed(0)} of ${profile.sampledMs.toFixed(0)}${profile.mapped ? "" : " (no source map: nothing placed)"} |`,
    );
  }
  lines.push("", "Target: with relays at 4,000 viewers the dashboard spends at most 5% of its direct time per frame.", "");
  return lines;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US");
}

function fixedMs(value: number): string {
  return value < 1000 ? `${value.toFixed(1)} ms` : `${(value / 1000).toFixed(1)} s`;
}

function mib(kib: number | null): string {
  return kib === null ? "n/a" : (kib / 1024).toFixed(0);
}

function percent(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "n/a" : `${value.toFixed(0)}%`;
}

function fixed(value: number): string {
  return Number.isFinite(value) ? `×${value < 10 ? value.toFixed(2) : value.toFixed(0)}` : "n/a";
}

function minutes(seconds: number): string {
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
