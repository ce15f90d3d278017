// A bounded soak of one dashboard under `wrangler dev`: sensors post at a steady rate, a few
// viewers stay connected throughout while the others keep leaving and coming back with
// `since=` (resume), and a reader queries history every few seconds. Every 30 s it records the
// runtime's resident memory, the JavaScript heap of the Worker's isolate (through wrangler's
// inspector: the Worker and the dashboard's object) and the dashboard's storage on disk. It
// fails (exit code 1) on any lost, repeated or out-of-order point seen by any viewer, and on
// storage, resident memory or heap that keeps growing once the per-series cap is reached (the
// heap judged on its lowest readings, since garbage not yet collected comes and goes). Not a test: about ten minutes by default.
// Usage: node bench/soak.ts [--minutes 10] [--viewers 40] [--steady 3] [--write]
// `--write` records the run in bench/results/soak.md.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ServerMessage } from "../src/common/protocol.ts";
import { createDashboard } from "../test/e2e/api.ts";
import { startDevServer } from "../test/e2e/dev-server.ts";
import { devServerProcesses } from "./fanout/dev-server-processes.ts";
import { residentKiB } from "./fanout/process-stats.ts";
import { IsolateHeap } from "./isolate-heap.ts";
import { machine } from "./machine.ts";
import { percentiles } from "./percentiles.ts";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    viewers: { type: "string", default: "40" },
    steady: { type: "string", default: "3" },
    write: { type: "boolean", default: false },
  },
});
const minutes = Number(args.minutes);
const churning = Number(args.viewers);
const steadyCount = Number(args.steady);
if (!(minutes >= 1 && minutes <= 60)) throw new Error("--minutes takes 1-60");
if (!(churning >= 0 && churning <= 500)) throw new Error("--viewers takes 0-500");
if (!(steadyCount >= 1 && steadyCount <= 50)) throw new Error("--steady takes 1-50");

/** Series the sensors feed, and points per series per request. */
const SERIES = 10;
const POINTS_PER_SERIES = 2;
/** Requests per second: 10 x 20 points = 200 points/s. */
const REQUESTS_PER_SECOND = 10;
/**
 * Raw points kept per series: low, so that the cap is reached after 150 s and storage must
 * stop growing for most of the run (pruning runs with maintenance, every minute under load).
 */
const RAW_POINTS_PER_SERIES = 3000;
const SAMPLE_MS = 30_000;
const HISTORY_EVERY_MS = 5_000;

// wrangler's local observability collector traces every invocation into a store of its own
// that grows without bound under load; a deployed Worker has none, so it is off here.
process.env.X_LOCAL_OBSERVABILITY = "false";
const server = await startDevServer({ logLevel: "warn", extraArgs: ["--var", `RAW_POINTS_PER_SERIES:${RAW_POINTS_PER_SERIES}`] });
const processes = devServerProcesses(server.port);
const id = "soak";
const dashboard = await createDashboard(server.url, id);
const wsUrl = `${server.url.replace(/^http/, "ws")}/api/dashboards/${id}/ws`;
const endAt = Date.now() + minutes * 60_000;
const running = () => Date.now() < endAt;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything that went wrong, for the verdict. */
const faults: string[] = [];
const fault = (text: string) => {
  if (faults.length < 50) faults.push(text);
};

/** Newest sequence number an ingest answer acknowledged. */
let ackedSeq = 0;
let ackedPoints = 0;
const ingestMs: number[] = [];
const historyMs: number[] = [];
let replays = 0;

/**
 * One viewer's stream, checked frame by frame: a `points` frame must start right after the
 * viewer's position, a resume must end where the replay did, and every point is counted.
 */
class TrackedViewer {
  position = -1;
  /** Points received after the first snapshot (a reset snapshot restarts the count). */
  received = 0;
  /** Position of the snapshot the count starts from. */
  countedFrom = 0;
  resets = 0;
  reconnects = 0;
  private socket: WebSocket | null = null;
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  async connect(): Promise<void> {
    const since = this.position >= 0 ? `?since=${this.position}` : "";
    const socket = new WebSocket(wsUrl + since);
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string" || !event.data.startsWith("{")) return;
      this.take(JSON.parse(event.data) as ServerMessage);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket === socket && event.code !== 1000) fault(`${this.name}: closed by the server with ${event.code} ${event.reason}`);
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`${this.name}: could not connect`)), { once: true });
    });
  }

  disconnect(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "leaving");
  }

  private take(message: ServerMessage): void {
    switch (message.type) {
      case "snapshot":
        if (this.position >= 0 && !message.reset) fault(`${this.name}: a snapshot without reset in the middle of a stream`);
        if (message.reset) this.resets++;
        this.position = message.seq;
        this.countedFrom = message.seq;
        this.received = 0;
        return;
      case "points": {
        if (message.from !== this.position + 1) fault(`${this.name}: frame ${message.from}-${message.to} after position ${this.position}`);
        this.position = message.to;
        for (const series of message.series) this.received += series.values.length;
        return;
      }
      case "resumed":
        if (message.seq !== this.position) fault(`${this.name}: resumed at ${message.seq} but the replay ended at ${this.position}`);
        return;
      case "error":
        fault(`${this.name}: error ${message.code}: ${message.message}`);
        return;
    }
  }
}

async function sendLoop(): Promise<void> {
  let n = 0;
  const interval = 1000 / REQUESTS_PER_SECOND;
  const started = Date.now();
  while (running()) {
    const now = Date.now();
    const points = Array.from({ length: SERIES * POINTS_PER_SERIES }, (_, i) => ({
      name: `soak.s${i % SERIES}`,
      value: Math.sin(n / 50 + i),
      ts: now - (POINTS_PER_SERIES - 1 - Math.floor(i / SERIES)),
    }));
    const body = JSON.stringify(points);
    // One request in ten carries an Idempotency-Key and is sent twice, as a client that lost
    // the first answer would: the retry must be answered the same and store nothing.
    const key = n % 10 === 0 ? `soak-${n}` : null;
    const headers = { authorization: `Bearer ${dashboard.ingestToken}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) };
    const t0 = performance.now();
    const response = await fetch(`${server.url}/api/dashboards/${id}/metrics`, { method: "POST", headers, body });
    ingestMs.push(performance.now() - t0);
    const answer = (await response.json()) as { accepted: number; seq: { from: number; to: number } };
    if (response.status !== 200) fault(`ingest ${n}: HTTP ${response.status} ${JSON.stringify(answer)}`);
    else {
      if (answer.seq.from !== ackedSeq + 1) fault(`ingest ${n}: seq ${answer.seq.from} after ${ackedSeq}`);
      ackedSeq = answer.seq.to;
      ackedPoints += answer.accepted;
      if (key) {
        const again = await fetch(`${server.url}/api/dashboards/${id}/metrics`, { method: "POST", headers, body });
        const replayed = (await again.json()) as typeof answer;
        replays++;
        if (again.headers.get("idempotency-replayed") !== "true" || replayed.seq?.to !== answer.seq.to) fault(`retry of ${key}: ${again.status} ${JSON.stringify(replayed)}`);
      }
    }
    n++;
    await sleep(Math.max(0, started + n * interval - Date.now()));
  }
}

async function churnLoop(viewer: TrackedViewer): Promise<void> {
  await sleep(Math.random() * 5000);
  while (running()) {
    await viewer.connect().catch((err: Error) => fault(err.message));
    await sleep(5000 + Math.random() * 15_000);
    viewer.disconnect();
    viewer.reconnects++;
    await sleep(500 + Math.random() * 2500);
  }
}

async function historyLoop(): Promise<void> {
  while (running()) {
    const now = Date.now();
    const t0 = performance.now();
    const response = await fetch(`${server.url}/api/dashboards/${id}/series?from=${now - 600_000}&to=${now}&step=10s`);
    await response.arrayBuffer();
    historyMs.push(performance.now() - t0);
    if (response.status !== 200) fault(`history: HTTP ${response.status}`);
    await sleep(HISTORY_EVERY_MS);
  }
}

/**
 * Bytes of the dashboards' SQLite databases (one file per object under the state directory's
 * `v3/do/pulseboard-Dashboard`, beside the runtime's own `metadata.sqlite`), and of their
 * write-ahead logs apart: SQLite lets a log grow between checkpoints and reuses it after.
 */
function storageBytes(root: string): { db: number; wal: number } {
  const total = { db: 0, wal: 0 };
  const dir = join(root, "v3", "do", "pulseboard-Dashboard");
  for (const name of readdirSync(dir)) {
    if (name.startsWith("metadata.")) continue;
    if (name.endsWith(".sqlite")) total.db += statSync(join(dir, name)).size;
    else if (name.endsWith(".sqlite-wal")) total.wal += statSync(join(dir, name)).size;
  }
  return total;
}

interface Sample {
  /** Seconds since the start. */
  at: number;
  /** Resident memory of the runtime (workerd), MiB. */
  rssMiB: number;
  /** JavaScript heap of the Worker's isolate in use (live objects and garbage not yet collected), MiB. */
  heapMiB: number;
  /** The heap V8 had reserved for it, MiB. */
  heapTotalMiB: number;
  /** The databases on disk, MiB. */
  storageMiB: number;
  /** Their write-ahead logs, MiB. */
  walMiB: number;
  /** Points acknowledged so far. */
  points: number;
  /** Reconnections of the churning viewers so far. */
  reconnects: number;
}

const steady = Array.from({ length: steadyCount }, (_, i) => new TrackedViewer(`steady-${i}`));
const churners = Array.from({ length: churning }, (_, i) => new TrackedViewer(`viewer-${i}`));
for (const viewer of steady) await viewer.connect();

const samples: Sample[] = [];
const started = Date.now();
const heap = await IsolateHeap.connect(server.inspectorPort);
const sample = async () => {
  const live = await heap.read();
  const rss = residentKiB(processes.runtime);
  const storage = storageBytes(server.persistTo);
  samples.push({
    at: Math.round((Date.now() - started) / 1000),
    rssMiB: rss === null ? NaN : rss / 1024,
    heapMiB: live.usedBytes / 2 ** 20,
    heapTotalMiB: live.totalBytes / 2 ** 20,
    storageMiB: storage.db / 2 ** 20,
    walMiB: storage.wal / 2 ** 20,
    points: ackedPoints,
    reconnects: churners.reduce((sum, viewer) => sum + viewer.reconnects, 0),
  });
  const last = samples.at(-1)!;
  console.log(`${last.at}s  runtime ${last.rssMiB.toFixed(1)} MiB  heap ${last.heapMiB.toFixed(1)} of ${last.heapTotalMiB.toFixed(1)} MiB  storage ${last.storageMiB.toFixed(2)} MiB (log ${last.walMiB.toFixed(2)})  points ${last.points}  reconnects ${last.reconnects}  faults ${faults.length}`);
};
await sample();
const sampler = setInterval(() => void sample(), SAMPLE_MS);
await Promise.all([sendLoop(), historyLoop(), ...churners.map(churnLoop)]);
clearInterval(sampler);

// Let the last frames arrive, then every steady viewer must hold every point since its snapshot.
const drainUntil = Date.now() + 10_000;
while (steady.some((viewer) => viewer.position < ackedSeq) && Date.now() < drainUntil) await sleep(50);
await sample();
heap.close();
for (const viewer of steady) {
  if (viewer.position !== ackedSeq) fault(`${viewer.name}: at ${viewer.position} after the run, not ${ackedSeq}`);
  if (viewer.received !== ackedSeq - viewer.countedFrom) fault(`${viewer.name}: received ${viewer.received} points, expected ${ackedSeq - viewer.countedFrom}`);
  if (viewer.resets > 0) fault(`${viewer.name}: ${viewer.resets} reset snapshots`);
  viewer.disconnect();
}
for (const viewer of churners) viewer.disconnect();
await server.dispose();

/** Growth once the cap holds: the last third of the samples against the middle third. */
function growth(values: number[]): { middle: number; last: number } {
  const third = Math.floor(values.length / 3);
  return { middle: Math.max(...values.slice(third, 2 * third)), last: Math.max(...values.slice(2 * third)) };
}
const storage = growth(samples.map((s) => s.storageMiB + s.walMiB));
const memory = growth(samples.map((s) => s.rssMiB));
/** The lowest readings of the middle and last thirds: garbage not yet collected comes and goes. */
function floors(values: number[]): { middle: number; last: number } {
  const third = Math.floor(values.length / 3);
  return { middle: Math.min(...values.slice(third, 2 * third)), last: Math.min(...values.slice(2 * third)) };
}
const liveHeap = floors(samples.map((s) => s.heapMiB));
const judged = samples.length >= 9;
if (judged && storage.last > storage.middle * 1.2 + 0.25) fault(`storage grew from ${storage.middle.toFixed(2)} to ${storage.last.toFixed(2)} MiB after the cap was reached`);
if (judged && memory.last > memory.middle * 1.3 + 20) fault(`runtime memory grew from ${memory.middle.toFixed(1)} to ${memory.last.toFixed(1)} MiB`);
if (judged && liveHeap.last > liveHeap.middle * 1.2 + 2) fault(`the isolate's heap (lowest readings) grew from ${liveHeap.middle.toFixed(1)} to ${liveHeap.last.toFixed(1)} MiB`);

const ingest = percentiles(ingestMs);
const history = percentiles(historyMs);
const resets = churners.reduce((sum, viewer) => sum + viewer.resets, 0);
const verdict = faults.length === 0 ? (judged ? "passed" : "passed (too short to judge growth: fewer than 9 samples)") : "FAILED";
const report = [
  `## Soak (${new Date().toISOString().slice(0, 16)}Z)`,
  "",
  `Command: \`npx node bench/soak.ts --minutes ${minutes} --viewers ${churning} --steady ${steadyCount}\`. Machine: ${machine()}.`,
  `Load, from one Node process beside \`wrangler dev\` on the same two cores: ${REQUESTS_PER_SECOND} requests/s of ${SERIES * POINTS_PER_SERIES} points (${SERIES} series), one in ten sent twice with an \`Idempotency-Key\`;`,
  `${steadyCount} viewers connected throughout; ${churning} viewers each staying 5-20 s, then gone 0.5-3 s and back with \`since=\`; a 10-minute history query every ${HISTORY_EVERY_MS / 1000} s.`,
  `\`RAW_POINTS_PER_SERIES=${RAW_POINTS_PER_SERIES}\`, so the cap is reached after ${RAW_POINTS_PER_SERIES / (REQUESTS_PER_SECOND * POINTS_PER_SERIES)} s; wrangler's local observability collector off (\`X_LOCAL_OBSERVABILITY=false\`), as a deployed Worker has none.`,
  "",
  `Verdict: **${verdict}**. ${ackedPoints} points acknowledged (${replays} retries replayed); every steady viewer received each one exactly once, in order;`,
  `${samples.at(-1)!.reconnects} reconnections resumed (${resets} reset snapshots). Ingest p50 ${ingest.p50.toFixed(1)} ms, p99 ${ingest.p99.toFixed(1)} ms; history p50 ${history.p50.toFixed(1)} ms, p99 ${history.p99.toFixed(1)} ms.`,
  "",
  "| s | runtime memory (MiB) | isolate heap used / reserved (MiB) | database (MiB) | write-ahead log (MiB) | points | reconnections |",
  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...samples.map((s) => `| ${s.at} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} / ${s.heapTotalMiB.toFixed(1)} | ${s.storageMiB.toFixed(2)} | ${s.walMiB.toFixed(2)} | ${s.points} | ${s.reconnects} |`),
  "",
  ...(faults.length ? ["Faults:", "", ...faults.map((f) => `- ${f}`), ""] : []),
].join("\n");
console.log(`\n${report}`);
if (args.write) writeFileSync(new URL("./results/soak.md", import.meta.url), `# Soak\n\n${report}`);
process.exit(faults.length === 0 ? 0 : 1);
