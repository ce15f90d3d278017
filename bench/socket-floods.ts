// What one abusive viewer costs everyone else: for each flood, the latency of other viewers'
// live points and of ingest answers while it runs, against a baseline measured just before it
// on the same dashboard in the same run.
// Usage: node bench/socket-floods.ts [--flood small,subscribe,...] [--messages 10000] [--joins 50] [--repeat 3] [--direct] [--floor ignore|close|late] [--profile] [--pin] [--relayed [--cold-relay]]
// Floods: small (10,000 cheap valid messages), subscribe (10,000 subscribes), resume (10,000
// `since=0` resumes), history (10,000 history requests), invalid (10,000 invalid messages),
// joins (50 simultaneous joins of a dashboard of 1,000 series x 600 points).
// A probe posts one point every 100 ms and a watcher viewer (subscribed to the probe series
// only) times its arrival. A flood lasts well under a second, so only a few probes fall inside
// it: what it costs is the worst probe during it (its max), over the baseline's p99. Each
// message flood runs `--repeat` times on fresh dashboards (joins once: each needs a 100 s
// maintenance wait), each on a server of its own; a flood passes when the median over its
// runs of that excess is within
// 100 ms for both frames and ingest (1 s for joins). Exits non-zero when one does not.
// Each message flood is then sent again to the floor (ceiling/message-floor.ts): the same Worker and
// object, except that the object ignores every viewer message. What a flood costs there is
// the runtime's (and this machine's) cost of carrying the messages, which the object's code
// cannot save; the table gives both, so the object's own share can be read off. With
// `--floor close` the floor closes each socket at its first message and ignores the rest; with
// `--floor late`, a second after its first message.
// With `--relayed`, each message flood runs (instead) from a socket on a relay, the relays in a
// second `wrangler dev` (bench/relay-process/) as on Cloudflare's network each object has a
// thread of its own: the watcher stays on the dashboard's own object (RELAY_AFTER_VIEWERS 1),
// the flooder connects to the relays' runtime port and is sent to a relay, and the probes
// measure what the flood costs the dashboard's ingest and its own viewers (with `--cold-relay`,
// the flooder's own join attaches the relay, inside the measured window). With `--pin` the
// dashboard's process runs on CPU 1, the relays' with the probe and the sender on CPU 0.
// With `--profile`, every run takes a CPU profile of the server's isolate (bench/cpu-profile.ts)
// from just before the flood until probing stops, and prints its summary after the run's row.
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { createDashboard, type CreatedDashboard } from "../test/e2e/api.ts";
import { startDevServer, type DevServer } from "../test/e2e/dev-server.ts";
import { devServerProcesses, runtimeBaseUrl } from "./fanout/dev-server-processes.ts";
import { Worker } from "node:worker_threads";
import type { FloodOrder, FloodReport } from "./flood-sender.ts";
import { machine } from "./machine.ts";
import { percentiles } from "./percentiles.ts";
import { CpuProfile, nowUs } from "./cpu-profile.ts";
import { dirname } from "node:path";
import { relayProcessDir, relaysWithStorage, startRelayProcesses } from "./relay-process/start.ts";

const allFloods = ["small", "subscribe", "resume", "history", "invalid", "joins"] as const;
type Flood = (typeof allFloods)[number];

const { values: args } = parseArgs({
  options: {
    flood: { type: "string", default: allFloods.join(",") },
    messages: { type: "string", default: "10000" },
    joins: { type: "string", default: "50" },
    direct: { type: "boolean", default: false },
    floor: { type: "string", default: "ignore" },
    repeat: { type: "string", default: "3" },
    profile: { type: "boolean", default: false },
    pin: { type: "boolean", default: false },
    relayed: { type: "boolean", default: false },
    "cold-relay": { type: "boolean", default: false },
  },
});
// --pin: the server (wrangler, its proxy and the runtime) on CPU 1, this process (the probe and
// the flood's sender thread) on CPU 0, so that the flood's sending does not take CPU time from
// the runtime being measured (on two cores, a sender at full speed otherwise leaves the
// runtime's thread waiting for a CPU for tens of milliseconds at a time).
if (args.pin) execFileSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
const floods = args.flood.split(",") as Flood[];
if (!["ignore", "close", "late"].includes(args.floor)) throw new Error("--floor takes ignore, close or late");
if (floods.some((flood) => !allFloods.includes(flood))) throw new Error(`--flood takes ${allFloods.join(", ")}`);
const messages = Number(args.messages);
const joins = Number(args.joins);
const repeat = Number(args.repeat);
if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= 10)) throw new Error("--repeat takes 1-10");

/** How often the probe posts, and how long a baseline lasts. */
const PROBE_EVERY_MS = 100;
const BASELINE_MS = 5_000;
/** Probing goes on this long after a flood has ended (its socket closed, silent for 3 s, or every join served). */
const AFTER_FLOOD_MS = 2_000;
/** A fleet's feed is followed by maintenance (rolling up and merging 600,000 points); the joins are measured after it. */
const MAINTENANCE_WAIT_MS = 100_000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wsUrl = (server: DevServer, id: string, query = "") => `${baseOf(server).replace("http", "ws")}/api/dashboards/${id}/ws${query}`;
/** Where sockets and requests go: wrangler's dev proxy, or (`--direct`) the runtime's own port. */
const bases = new Map<DevServer, string>();
const baseOf = (server: DevServer) => bases.get(server) ?? server.url;

/** Posts JSON points, retrying on 429, and returns the answer's `seq.to`. */
async function post(server: DevServer, dashboard: CreatedDashboard, points: unknown[]): Promise<number> {
  for (;;) {
    const response = await fetch(`${baseOf(server)}/api/dashboards/${dashboard.id}/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${dashboard.ingestToken}`, "content-type": "application/json" },
      body: JSON.stringify(points),
    });
    if (response.status === 429) {
      await delay(Number(response.headers.get("retry-after") ?? 1) * 1000);
      continue;
    }
    const body = (await response.json()) as { seq?: { to: number } };
    if (!response.ok || !body.seq) throw new Error(`ingest answered ${response.status}: ${JSON.stringify(body)}`);
    return body.seq.to;
  }
}

/** Feeds `series` series of `perSeries` points each, one point of every series per request (as a fleet reports). */
async function feed(server: DevServer, dashboard: CreatedDashboard, series: number, perSeries: number, hostsOf4 = true): Promise<void> {
  const end = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < perSeries) {
        const i = next++;
        const ts = end - (perSeries - i) * 1000;
        await post(
          server,
          dashboard,
          Array.from({ length: series }, (_, s) =>
            hostsOf4
              ? { name: `fleet.${["cpu", "mem", "disk", "net"][s % 4]}`, tags: { host: `host-${String(Math.floor(s / 4)).padStart(3, "0")}` }, value: Math.random() * 100, ts }
              : { name: `s${s}`, value: Math.random() * 100, ts },
          ),
        );
      }
    }),
  );
}

/** Opens a socket and resolves once it is open. */
function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => resolve(socket), { once: true });
    socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), { once: true });
  });
}

/** Resolves with the first message of `type` (parsed), or null if the socket closes first. */
function first(socket: WebSocket, type: string): Promise<{ message: Record<string, unknown>; bytes: number } | null> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      const text = String(event.data);
      if (!text.startsWith(`{"type":"${type}"`)) return;
      socket.removeEventListener("message", onMessage);
      resolve({ message: JSON.parse(text) as Record<string, unknown>, bytes: Buffer.byteLength(text) });
    };
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", () => resolve(null), { once: true });
  });
}

/**
 * The probe: one point of the `probe` series every 100 ms (value = its index), each timed
 * from the start of its POST to its answer, and to its arrival at the watcher.
 */
class Probe {
  private readonly started = new Map<number, number>();
  readonly ingestMs: number[] = [];
  readonly frameMs: number[] = [];
  /** Each probe's start (on `nowUs`'s clock) and time, to place the worst against a profile. */
  readonly timed: { kind: "ingest" | "frame"; startUs: number; ms: number }[] = [];
  private readonly startedUs = new Map<number, number>();
  private index = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight: Promise<unknown>[] = [];

  private readonly server: DevServer;
  private readonly dashboard: CreatedDashboard;

  constructor(server: DevServer, dashboard: CreatedDashboard, watcher: WebSocket) {
    this.server = server;
    this.dashboard = dashboard;
    watcher.addEventListener("message", (event) => {
      const text = String(event.data);
      if (!text.startsWith('{"type":"points"')) return;
      const frame = JSON.parse(text) as { series: { key: string; values: number[] }[] };
      const arrived = performance.now();
      for (const series of frame.series) {
        if (series.key !== "probe") continue;
        for (const value of series.values) {
          const start = this.started.get(value);
          if (start !== undefined) {
            this.frameMs.push(arrived - start);
            this.timed.push({ kind: "frame", startUs: this.startedUs.get(value)!, ms: arrived - start });
          }
          this.started.delete(value);
        }
      }
    });
  }

  /** Starts a window of probing: what an earlier window measured is left out of this one's figures. */
  start(): void {
    this.ingestMs.length = 0;
    this.frameMs.length = 0;
    this.timed.length = 0;
    this.timer = setInterval(() => {
      const value = this.index++;
      const start = performance.now();
      const startUs = nowUs();
      this.started.set(value, start);
      this.startedUs.set(value, startUs);
      this.inFlight.push(
        post(this.server, this.dashboard, [{ name: "probe", value }]).then(() => {
          this.ingestMs.push(performance.now() - start);
          this.timed.push({ kind: "ingest", startUs, ms: performance.now() - start });
        }),
      );
    }, PROBE_EVERY_MS);
  }

  /** Stops probing and waits for the answers and points still on their way. */
  async stop(): Promise<{ ingest: ReturnType<typeof percentiles>; frame: ReturnType<typeof percentiles>; lost: number }> {
    clearInterval(this.timer!);
    await Promise.all(this.inFlight);
    const deadline = Date.now() + 10_000;
    while (this.started.size > 0 && Date.now() < deadline) await delay(50);
    const result = { ingest: percentiles(this.ingestMs), frame: percentiles(this.frameMs), lost: this.started.size };
    this.started.clear();
    return result;
  }
}

interface FloodOutcome {
  /** What happened to the flood, for the table. */
  note: string;
  /** How long the flood took to end, in ms. */
  ms: number;
}

/** Runs a flood in a worker thread (see flood-sender.ts) and says what happened. */
async function runFlood(order: FloodOrder): Promise<FloodOutcome> {
  const report = await new Promise<FloodReport>((resolve, reject) => {
    const worker = new Worker(new URL("./flood-sender.ts", import.meta.url), { workerData: order });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const note =
    order.kind === "joins"
      ? `${report.received}/${order.joins} snapshots, each ≤ ${(report.bytes / 1e6).toFixed(2)} MB (${(report.totalBytes / 1e6).toFixed(0)} MB in all), all in ${(report.ms / 1000).toFixed(1)} s`
      : `${report.code === null ? "not closed" : `closed with ${report.code}`} after ${(report.ms / 1000).toFixed(1)} s; ${report.received} messages (${(report.bytes / 1e6).toFixed(1)} MB) sent back`;
  return { note, ms: report.ms };
}

// wrangler's local observability collector traces every invocation (each WebSocket message
// is one) for the local explorer; a deployed Worker has no such collector (see README).
process.env.X_LOCAL_OBSERVABILITY = "false";
const limitsOff = ["--var", "RATE_LIMIT_REQUESTS_PER_SECOND:100000", "--var", "RATE_LIMIT_POINTS_PER_SECOND:100000000"];
const rows: string[] = [];
/** With `--profile`: each run's row and its profile's summary. */
const profiles: string[] = [];
let failed = false;
/** Each run's worst frame and ingest probe during the flood over the baseline's p99, by server and flood. */
const excesses = new Map<string, { frame: number[]; ingest: number[]; lost: number }>();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** Runs `flood` on a fresh dashboard of `server` and adds its row; returns whether it stayed within the allowance. */
async function measure(server: DevServer, target: string, flood: Flood, run: number, wranglerDir: string, relays?: DevServer): Promise<void> {
  const dashboard = await createDashboard(server.url, `flood-${flood}-${Date.now().toString(36)}`);
  const fleet = flood === "joins";
  // A 30,000-point dashboard (100 series) for the message floods; a fleet for the joins.
  if (fleet) {
    await feed(server, dashboard, 999, 600);
    await delay(MAINTENANCE_WAIT_MS);
  } else await feed(server, dashboard, 100, 300, false);
  const seq = await post(server, dashboard, [{ name: "probe", value: -1 }]);
  const watcher = await open(wsUrl(server, dashboard.id, "?series=probe"));
  await first(watcher, "snapshot");
  const probe = new Probe(server, dashboard, watcher);
  // The flooder's relay is attached (its window read from the dashboard) before the baseline,
  // as a relay serving an audience already is: what follows measures the flood, not the join.
  const settled = relays && !args["cold-relay"] ? await open(wsUrl(relays, dashboard.id, "?series=probe")) : null;
  if (settled) await first(settled, "snapshot");

  probe.start();
  await delay(BASELINE_MS);
  const baseline = await probe.stop();

  const duringFromUs = nowUs();
  probe.start();
  const now = Date.now();
  const message = (i: number) =>
    flood === "small"
      ? JSON.stringify({ type: "resume", since: seq })
      : flood === "subscribe"
        ? JSON.stringify({ type: "subscribe", series: i % 2 ? ["*"] : ["s1*"] })
        : flood === "resume"
          ? JSON.stringify({ type: "resume", since: 0 })
          : flood === "history"
            ? JSON.stringify({ type: "history", id: `h${i}`, series: ["*"], from: now - 3_600_000, to: now })
            : `{"type":"nonsense","n":${i}}`;
  const profile = args.profile ? await CpuProfile.start(server.inspectorPort, 100) : null;
  const outcome = await runFlood(
    fleet
      ? { kind: "joins", url: wsUrl(server, dashboard.id), joins }
      : { kind: "messages", url: wsUrl(relays ?? server, dashboard.id, "?series=probe"), messages: Array.from({ length: messages }, (_, i) => message(i)) },
  );
  // The flooder's relay recorded its position as the flooder joined.
  if (relays && relaysWithStorage(relays.persistTo) === 0) throw new Error("the flooder was not served by a relay");
  const floodEndUs = nowUs();
  await delay(Math.max(AFTER_FLOOD_MS, BASELINE_MS - outcome.ms));
  const during = await probe.stop();
  const summary = await profile?.stop({
    name: `socket-floods-${flood}-${target}-${run + 1}-${new Date().toISOString().replace(/[:.]/g, "-")}`,
    // The flood's first message: `outcome.ms` counts from it to the flood's end.
    zeroUs: floodEndUs - outcome.ms * 1000,
    marks: [
      { label: "The flood (its first message to its end)", fromUs: floodEndUs - outcome.ms * 1000, toUs: floodEndUs },
      ...(["ingest", "frame"] as const).flatMap((kind) => {
      const worst = probe.timed.filter((timed) => timed.kind === kind && timed.startUs >= duringFromUs).sort((a, b) => b.ms - a.ms)[0];
        return worst ? [{ label: `Worst ${kind} probe of the run (${worst.ms.toFixed(0)} ms)`, fromUs: worst.startUs, toUs: worst.startUs + worst.ms * 1000 }] : [];
      }),
    ],
    wranglerDir,
  });
  watcher.close();
  settled?.close();

  const excess = { frame: during.frame.max - baseline.frame.p99, ingest: during.ingest.max - baseline.ingest.p99 };
  const key = `${target}\t${flood}`;
  const runs = excesses.get(key) ?? { frame: [], ingest: [], lost: 0 };
  runs.frame.push(excess.frame);
  runs.ingest.push(excess.ingest);
  runs.lost += during.lost;
  excesses.set(key, runs);
  const ms = (value: number) => `${value.toFixed(0)}`;
  const row = `| ${flood} | ${target} | ${ms(baseline.frame.p50)} / ${ms(baseline.frame.p99)} | ${ms(during.frame.p50)} / ${ms(during.frame.p99)} / ${ms(during.frame.max)} | ${ms(baseline.ingest.p50)} / ${ms(baseline.ingest.p99)} | ${ms(during.ingest.p50)} / ${ms(during.ingest.p99)} / ${ms(during.ingest.max)} | ${during.frame.count} | ${outcome.note} | ${ms(excess.frame)} / ${ms(excess.ingest)} |`;
  rows.push(row);
  console.log(row);
  if (summary) {
    const section = `### ${flood}, ${target}, run ${run + 1}\n\n${row}\n\n${summary}`;
    profiles.push(section);
    console.log(`\n${summary}\n`);
  }
}

const floorConfig = fileURLToPath(new URL(args.floor === "ignore" ? "./ceiling/message-floor.toml" : `./ceiling/message-floor-${args.floor}.toml`, import.meta.url));
/** A server for one run, with the relays' process when the flood comes from a relay. */
type Started = { server: DevServer; relays?: DevServer; stop: () => Promise<void> };
const single = (extraArgs: readonly string[]) => async (): Promise<Started> => {
  const server = await startDevServer({ logLevel: "warn", extraArgs: [...extraArgs], ...(args.pin ? { cpus: "1" } : {}) });
  return { server, stop: () => server.dispose() };
};
const targets: { name: string; start: () => Promise<Started>; floods: readonly Flood[]; wranglerDir: string }[] = [
  { name: "Pulseboard", start: single(limitsOff), floods, wranglerDir: fileURLToPath(new URL("..", import.meta.url)) },
  { name: "floor", start: single([...limitsOff, "--config", floorConfig]), floods: floods.filter((flood) => flood !== "joins"), wranglerDir: dirname(floorConfig) },
];
if (args.relayed) {
  targets.length = 0;
  targets.push({
    name: "Pulseboard, flooder on a relay",
    start: async () => {
      const { dashboard, relays, stop } = await startRelayProcesses({
        vars: ["--var", "RELAY_AFTER_VIEWERS:1"],
        dashboardArgs: limitsOff,
        ...(args.pin ? { dashboardCpus: "1", relayCpus: "0" } : {}),
      });
      // The flooder reaches its relay as the edge would hand it over: past the dev proxy.
      bases.set(relays, await runtimeBaseUrl(devServerProcesses(relays.port).runtime));
      return { server: dashboard, relays, stop };
    },
    floods: floods.filter((flood) => flood !== "joins"),
    wranglerDir: relayProcessDir,
  });
}
for (const target of targets) {
  // A fresh server for every run: an earlier run's dashboard would otherwise start its
  // maintenance (rolling up its 30,000 points) a minute later, in the middle of a later
  // run's baseline or flood, since every object of a local server shares one runtime thread.
  for (const flood of target.floods) {
    for (let run = 0; run < (flood === "joins" ? 1 : repeat); run++) {
      const { server, relays, stop } = await target.start();
      try {
        if (args.direct) bases.set(server, await runtimeBaseUrl(devServerProcesses(server.port).runtime));
        await measure(server, target.name, flood, run, target.wranglerDir, relays);
      } finally {
        await stop();
      }
    }
  }
}

const table = [
  "| flood | server | baseline frame p50 / p99 | during frame p50 / p99 / max | baseline ingest p50 / p99 | during ingest p50 / p99 / max | probes during | the flood | worst probe over baseline p99, frame / ingest |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows,
].join("\n");
const verdicts = [...excesses].map(([key, runs]) => {
  const [target, flood] = key.split("\t") as [string, Flood];
  const allowance = flood === "joins" ? 1000 : 100;
  const ok = median(runs.frame) <= allowance && median(runs.ingest) <= allowance && runs.lost === 0;
  if (!ok && target !== "floor") failed = true;
  const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(", ");
  return `| ${flood} | ${target} | ${list(runs.frame)} | ${median(runs.frame).toFixed(0)} | ${list(runs.ingest)} | ${median(runs.ingest).toFixed(0)} | ${runs.lost} | ${ok ? "yes" : "**no**"} (${allowance} ms) |`;
});
const verdictTable = [
  "| flood | server | frame: worst over baseline, each run (ms) | median | ingest: worst over baseline, each run (ms) | median | probes lost | within |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...verdicts,
].join("\n");
console.log(`\n${machine()}\n\n${table}\n\n${verdictTable}${profiles.length > 0 ? `\n\n${profiles.join("\n\n")}` : ""}`);
process.exitCode = failed ? 1 : 0;
