/**
 * The dashboard's own time per frame: a CPU profile of the dashboard's process (its isolate,
 * through wrangler's inspector; bench/cpu-profile.ts has the connection), and the sampled
 * time with the dashboard's `LiveStream.flush` on the stack. That covers serialising the
 * frame, the sends to the dashboard's own sockets and, through `RelayFleet.framed`, the RPC
 * pushes to its relays (arguments serialised, calls queued); not what the runtime does for
 * those sends and calls after the JavaScript returns.
 *
 * A relay forwards with the same `LiveStream.flush`, reached from its push
 * (`RelayedStream.forward` → `flushNow`), never from the frame pacer's timer; an RPC call runs
 * in the callee's own task, never inside the caller's stack. So when the relays share the
 * dashboard's process, a sample is the dashboard's when `flush` is on its stack and no frame
 * of src/relay/relayed-stream.ts or src/relay/relay-object.ts is; the others are the relays'.
 * Functions are placed through the bundle's source map (wrangler bundles src/ into one file).
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundlesNamed, Inspector } from "../cpu-profile.ts";

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** What one profile gives, in ms of sampled time. */
export interface FlushTimes {
  /** Sampling interval asked for, and the one taken at the median, in µs. */
  intervalUs: number;
  typicalUs: number;
  /** All sampled time, and the part that was not idle. */
  sampledMs: number;
  busyMs: number;
  /** Under the dashboard's `flush`, and the part of it under `RelayFleet.framed` (the pushes). */
  dashboardFlushMs: number;
  pushMs: number;
  /** Under a relay's `flush` (relays in this process only). */
  relayFlushMs: number;
  /** Whether the source map was found (without it nothing can be placed and the times are 0). */
  mapped: boolean;
}

/** A pause between samples this many intervals long is time the isolate did not run (as bench/cpu-profile.ts). */
const GAP_FACTOR = 10;
const LIVE_STREAM = "src/dashboard/live-stream.ts";
const RELAY_FLEET = "src/dashboard/relay-fleet.ts";
const RELAY_SIDE = ["src/relay/relayed-stream.ts", "src/relay/relay-object.ts"];

export class FlushProfile {
  private readonly inspector: Inspector;
  private readonly intervalUs: number;

  private constructor(inspector: Inspector, intervalUs: number) {
    this.inspector = inspector;
    this.intervalUs = intervalUs;
  }

  /** Starts sampling the isolate behind wrangler's inspector on `port` every `intervalUs`. */
  static async start(port: number, intervalUs: number): Promise<FlushProfile> {
    const inspector = await Inspector.connect(port);
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await inspector.call("Profiler.start");
    return new FlushProfile(inspector, intervalUs);
  }

  /**
   * Stops sampling and sums the times; `bundle.dir` holds the `.wrangler` the process bundled
   * into, and its bundle is the oldest written there since `bundle.since` (ms since the epoch).
   */
  async stop(bundle: { dir: string; since: number }): Promise<FlushTimes> {
    const profile = (await this.inspector.call("Profiler.stop")).profile as Profile;
    await this.inspector.call("Profiler.disable");
    this.inspector.close();
    return summarise(profile, bundle, this.intervalUs);
  }
}

function summarise(profile: Profile, bundle: { dir: string; since: number }, intervalUs: number): FlushTimes {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const sourceOf = sourcePlacer(profile, bundle);

  const stamps: number[] = [];
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) stamps.push((at += deltas[i] ?? 0));
  const steps = stamps.slice(1).map((stamp, i) => stamp - stamps[i]!);
  const typical = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? intervalUs;
  const gap = GAP_FACTOR * intervalUs;
  const weight = (i: number) => {
    const step = steps[i];
    return step !== undefined && step <= gap ? step : typical;
  };

  // What each node's stack holds, worked out once per node.
  const kinds = new Map<number, { flush: boolean; push: boolean; relay: boolean }>();
  const kindOf = (id: number) => {
    let kind = kinds.get(id);
    if (kind) return kind;
    kind = { flush: false, push: false, relay: false };
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = byId.get(node)!.callFrame;
      const source = sourceOf(node);
      if (source === null) continue;
      if (frame.functionName === "flush" && source.endsWith(LIVE_STREAM)) kind.flush = true;
      if (frame.functionName === "framed" && source.endsWith(RELAY_FLEET)) kind.push = true;
      if (RELAY_SIDE.some((file) => source.endsWith(file))) kind.relay = true;
    }
    kinds.set(id, kind);
    return kind;
  };

  const times = { sampled: 0, busy: 0, dashboardFlush: 0, push: 0, relayFlush: 0 };
  for (let i = 0; i < samples.length; i++) {
    const us = weight(i);
    times.sampled += us;
    if (byId.get(samples[i]!)!.callFrame.functionName !== "(idle)") times.busy += us;
    const kind = kindOf(samples[i]!);
    if (!kind.flush) continue;
    if (kind.relay) times.relayFlush += us;
    else {
      times.dashboardFlush += us;
      if (kind.push) times.push += us;
    }
  }
  const ms = (us: number) => us / 1000;
  return {
    intervalUs,
    typicalUs: typical,
    sampledMs: ms(times.sampled),
    busyMs: ms(times.busy),
    dashboardFlushMs: ms(times.dashboardFlush),
    pushMs: ms(times.push),
    relayFlushMs: ms(times.relayFlush),
    mapped: sourceOf.mapped(),
  };
}

/** Each node's original source file through the bundle's source map, or null (runtime code, no map). */
function sourcePlacer(profile: Profile, bundle: { dir: string; since: number }): ((id: number) => string | null) & { mapped(): boolean } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const maps = new Map<string, SourceMap | null>();
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    if (!url || maps.has(url)) continue;
    maps.set(url, null);
    const path = url.startsWith("file://") ? fileURLToPath(url) : isAbsolute(url) ? url : bundled(bundle.dir, url, bundle.since);
    if (!path) continue;
    try {
      maps.set(url, new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8")) as ConstructorParameters<typeof SourceMap>[0]));
    } catch {
      // No map beside it: a runtime script.
    }
  }
  const cache = new Map<number, string | null>();
  const place = (id: number): string | null => {
    if (cache.has(id)) return cache.get(id)!;
    const { url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    const map = maps.get(url);
    const entry = map ? (map.findEntry(lineNumber, columnNumber) as { originalSource?: string }) : undefined;
    const source = entry?.originalSource ?? null;
    cache.set(id, source);
    return source;
  };
  return Object.assign(place, { mapped: () => [...maps.values()].some((map) => map !== null) });
}

/**
 * The oldest bundle called `name` under `dir` written since `since` (two processes may
 * bundle into the same directory; the dashboard's started first).
 */
function bundled(dir: string, name: string, since: number): string | null {
  const fresh = bundlesNamed(dir, name).filter((bundle) => bundle.at >= since - 1_000);
  return fresh.reduce<{ path: string; at: number } | null>((best, bundle) => (!best || bundle.at < best.at ? bundle : best), null)?.path ?? null;
}
