/**
 * One scenario against one server: start it fresh, warm it up, connect the viewers, drive
 * ingest at the scenario's rate, wait for stragglers, and judge what arrived.
 */
// Node's own `performance`: the global one is typed from the DOM, without eventLoopUtilization.
import { performance } from "node:perf_hooks";
import { DeliveryLedger, type Delivery } from "./delivery-ledger.ts";
import { FlushProfile, type FlushTimes } from "./flush-profile.ts";
import { driveIngest, warmUp } from "./ingest-driver.ts";
import { cpuSeconds, residentKiB } from "./process-stats.ts";
import { postCount, type Scenario } from "./scenarios.ts";
import type { StartOptions, Target, TargetKind, TargetName } from "./target.ts";
import { ViewerFleet } from "./viewer-fleet.ts";

/** Requests sent one by one before viewers connect, so no run measures a cold path. */
const WARM_UP_POSTS = 20;
/**
 * No handshake starts after the first minute. The handshake timeout is long enough that a
 * server which serialises joins can finish the ones it was given: a client that gave up would
 * leave the server working for a socket nobody uses, and a backlog that delays the load.
 */
const CONNECT = { concurrency: 100, handshakeTimeoutMs: 30_000, connectDeadlineMs: 60_000 };
/** After connecting: the fleet is settled once no message came for this long (at most the max). */
const QUIET_MS = 500;
const SETTLE_MAX_MS = 30_000;
/** How often a slow connect phase says how far it got. */
const PROGRESS_MS = 10_000;
/** How long after the last request started stragglers may still arrive. */
const DRAIN_MS = 10_000;
/** The CPU profile's sampling interval, in µs (bench/fanout/flush-profile.ts). */
const PROFILE_INTERVAL_US = 250;

/** Memory of a server's processes at the three moments a run reads it, in KiB. */
export interface MemoryReadings {
  /** Started, warmed up, no viewers. */
  before: number | null;
  /** Every viewer connected and settled, before any load. */
  afterConnect: number | null;
  /** When the run stopped measuring. */
  afterLoad: number | null;
}

export interface RunResult {
  scenario: Scenario;
  target: TargetName;
  /** Why the run could not finish, if it could not. */
  error?: string;
  /** Viewers open and ready when the load started. */
  connected: number;
  /** From the first handshake until every viewer was ready and the server had gone quiet. */
  connectSeconds: number;
  /** Why sockets failed to open or closed early, with counts. */
  socketFailures: [string, number][];
  /** Viewers whose socket closed during the load. */
  closedEarly: number;
  delivery: Delivery | null;
  /** Points received that no request of the run sent (should be 0). */
  foreign: number;
  posts: { sent: number; ok: number; failures: [string, number][]; maxLagMs: number };
  /** From the start of the last request until the last point arrived anywhere, in s. */
  tailSeconds: number;
  /** The relays' process and its dev proxy are there only when the relays have a process of their own. */
  memory: { runtime: MemoryReadings; proxy: MemoryReadings; relayRuntime: MemoryReadings; relayProxy: MemoryReadings };
  /** Relays holding viewers once every viewer had connected (null: a server without relays). */
  relays: number | null;
  /** The dashboard's process profiled during the load (profiled scenarios only). */
  profile: FlushTimes | null;
  /**
   * CPU used during the load (ingest plus drain), in % of one core; the generator's split into
   * kernel time (mostly receiving on its sockets) and how busy its event loop was (the share
   * that delays its own timestamps).
   */
  cpu: {
    runtime: number | null;
    proxy: number | null;
    relayRuntime: number | null;
    relayProxy: number | null;
    generator: number;
    generatorSystem: number;
    generatorLoopBusy: number;
  };
  /** Wall time of the load (ingest plus drain), in s. */
  loadSeconds: number;
}

export async function runScenario(scenario: Scenario, kind: TargetKind, options: Omit<StartOptions, "relays">, log: (line: string) => void): Promise<RunResult> {
  const result: RunResult = {
    scenario,
    target: kind.name,
    connected: 0,
    connectSeconds: NaN,
    socketFailures: [],
    closedEarly: 0,
    delivery: null,
    foreign: 0,
    posts: { sent: 0, ok: 0, failures: [], maxLagMs: NaN },
    tailSeconds: NaN,
    memory: { runtime: noReadings(), proxy: noReadings(), relayRuntime: noReadings(), relayProxy: noReadings() },
    relays: null,
    profile: null,
    cpu: { runtime: null, proxy: null, relayRuntime: null, relayProxy: null, generator: NaN, generatorSystem: NaN, generatorLoopBusy: NaN },
    loadSeconds: NaN,
  };
  let target: Target | undefined;
  let fleet: ViewerFleet | undefined;
  try {
    target = await kind.start({ ...options, relays: scenario.relays });
    const pids = target.pids;
    const watched = ["runtime", "proxy", "relayRuntime", "relayProxy"] as const;
    const readMemory = (key: keyof MemoryReadings) => {
      for (const process of watched) result.memory[process][key] = residentKiB(pids[process] ?? null);
    };
    await warmUp(target.ingest, WARM_UP_POSTS, scenario.pointsPerPost);
    await delay(QUIET_MS);
    readMemory("before");

    const ledger = new DeliveryLedger(scenario.viewers, postCount(scenario), scenario.pointsPerPost, target.protocol === "pulseboard");
    const connectStart = performance.now();
    const viewers = new ViewerFleet({ url: target.viewerUrl, count: scenario.viewers, protocol: target.protocol, ledger, ...CONNECT });
    fleet = viewers;
    const progress = setInterval(() => log(`connecting: ${viewers.connected().length} ready, ${viewers.openCount()} open`), PROGRESS_MS);
    let opened: number;
    try {
      await viewers.connectAll();
      opened = performance.now();
      await viewers.settle(QUIET_MS, SETTLE_MAX_MS);
    } finally {
      clearInterval(progress);
    }
    // Connecting ends with the last handshake or the last message of the join (the quiet wait
    // after it is not counted).
    result.connectSeconds = (Math.max(opened, fleet.lastMessageAt) - connectStart) / 1000;
    readMemory("afterConnect");
    const connected = fleet.connected();
    result.connected = connected.length;
    result.relays = target.relays?.() ?? null;
    log(`connected ${connected.length}/${scenario.viewers} in ${result.connectSeconds.toFixed(1)} s; load ${scenario.postsPerSecond} req/s × ${scenario.pointsPerPost} points for ${scenario.seconds} s`);

    const generatorBefore = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const cpuBefore = watched.map((process) => cpuSeconds(pids[process] ?? null));
    const profile = scenario.profile && target.inspectorPort !== undefined ? await FlushProfile.start(target.inspectorPort, PROFILE_INTERVAL_US) : null;
    const loadStart = performance.now();
    const ingest = await driveIngest(target.ingest, ledger, scenario.postsPerSecond);
    let answered = false;
    void ingest.answered.then(() => (answered = true));
    const expected = ingest.sent * scenario.pointsPerPost * connected.length;
    const drainUntil = ingest.lastStart + DRAIN_MS;
    while (performance.now() < drainUntil && !(answered && ledger.received >= expected)) await delay(20);
    fleet.stopMeasuring();
    const loadMs = performance.now() - loadStart;
    const generator = process.cpuUsage(generatorBefore);
    const loop = performance.eventLoopUtilization(loopBefore);
    const cpuAfter = watched.map((process) => cpuSeconds(pids[process] ?? null));
    if (profile) {
      try {
        result.profile = await profile.stop(target.bundle ?? { dir: process.cwd(), since: 0 });
      } catch (error) {
        log(`the CPU profile failed: ${(error as Error).message}`);
      }
    }
    const share = (i: number) => {
      const before = cpuBefore[i] ?? null;
      const after = cpuAfter[i] ?? null;
      return before === null || after === null ? null : ((after - before) * 1000 * 100) / loadMs;
    };
    result.cpu = {
      runtime: share(0),
      proxy: share(1),
      relayRuntime: share(2),
      relayProxy: share(3),
      generator: ((generator.user + generator.system) / 1000 / loadMs) * 100,
      generatorSystem: (generator.system / 1000 / loadMs) * 100,
      generatorLoopBusy: loop.utilization * 100,
    };
    result.loadSeconds = loadMs / 1000;
    readMemory("afterLoad");

    result.delivery = ledger.verdict(connected, ingest.sent);
    result.foreign = ledger.foreign;
    result.closedEarly = fleet.closedEarly;
    result.socketFailures = [...fleet.failures];
    result.posts = { sent: ingest.sent, ok: ingest.ok, failures: [...ingest.failures], maxLagMs: ingest.maxLagMs };
    result.tailSeconds = ledger.lastArrival > 0 ? (ledger.lastArrival - ingest.lastStart) / 1000 : NaN;
    const output = target.output().trim();
    if ((fleet.closedEarly > 0 || ingest.ok < ingest.sent) && output) log(`sockets closed or requests failed; the server's last output:\n${output.slice(-2000)}`);
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    result.error = (error as Error).message.split("\n")[0]!.slice(0, 300);
    if (fleet) result.socketFailures = [...fleet.failures];
  } finally {
    // The server goes first, so it spends nothing on saying goodbye to each socket.
    await target?.stop();
    fleet?.terminate();
  }
  return result;
}

function noReadings(): MemoryReadings {
  return { before: null, afterConnect: null, afterLoad: null };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
