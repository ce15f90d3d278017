/** The loads the fan-out benchmark puts on every server, and the targets Pulseboard aims at. */
import type { TargetName } from "./target.ts";

/**
 * Where Pulseboard's viewers are served: `default` as wrangler.toml has it (new viewers go
 * to relays once the audience reaches 1,000); `off` every viewer on the dashboard's own object
 * (what Pulseboard did before relays); `all` every viewer on a relay of 1,000 viewers, relays
 * in the same workerd process as the dashboard; `second-process` the same with the relays in
 * a second `wrangler dev` (bench/relay-process/), where the viewers connect.
 */
export type RelaySetup = "default" | "off" | "all" | "second-process";

/** One load shape: how many viewers watch, how fast ingest runs, and for how long. */
export interface Scenario {
  /** Name on the command line and in the results, e.g. `steady-1000`. */
  name: string;
  /** Viewer sockets to open. */
  viewers: number;
  /** Ingest requests per second, started on a fixed schedule whatever the answers take. */
  postsPerSecond: number;
  /** Points in each request. */
  pointsPerPost: number;
  /** How long ingest runs, in seconds. */
  seconds: number;
  /** What Pulseboard should reach here (reported, not enforced). */
  target: Target;
  /** Where Pulseboard's viewers are served. */
  relays: RelaySetup;
  /** The servers it runs against (all by default); the relay scenarios are Pulseboard's alone. */
  servers?: TargetName[];
  /**
   * Take a CPU profile of the dashboard's process during the load, for the dashboard's own
   * time per frame (bench/fanout/flush-profile.ts). Only in Pulseboard-only scenarios, so the
   * rows compared with the peers carry no profiler.
   */
  profile?: boolean;
}

/** Pulseboard's target in a scenario. */
export interface Target {
  /** Highest acceptable p99 latency, in milliseconds. */
  p99Ms: number;
  /** Highest acceptable ratio of Pulseboard's p99 to the plain ws server's, if any. */
  p99VsWs?: number;
  /** Whether every viewer must connect. */
  allConnected?: boolean;
  /** Fewest frames per second each viewer must receive (at least 95% of it counts as met). */
  framesPerSecond?: number;
  /** The target as the issue states it. */
  text: string;
}

const steady = (viewers: number, target: Target, name = `steady-${viewers}`, more: Partial<Scenario> = {}): Scenario => ({
  name,
  viewers,
  postsPerSecond: 10,
  pointsPerPost: 10,
  seconds: 10,
  target,
  relays: "default",
  ...more,
});
const pulseboardOnly = (relays: RelaySetup): Partial<Scenario> => ({ relays, servers: ["pulseboard"], profile: true });

export const scenarios: Scenario[] = [
  steady(100, { p99Ms: 100, text: "p99 ≤ 100 ms" }),
  steady(1000, { p99Ms: 100, p99VsWs: 1.5, text: "p99 ≤ 100 ms and ≤ 1.5× the ws server's p99" }),
  steady(4000, { p99Ms: 500, allConnected: true, text: "all 4,000 connected, p99 ≤ 500 ms" }),
  // The same loads, Pulseboard alone, its dashboard's process profiled: relays off, every
  // viewer on a relay in the same process, and (4,000) the relays in a second process.
  steady(1000, { p99Ms: 100, text: "p99 ≤ 100 ms" }, "direct-1000", pulseboardOnly("off")),
  steady(1000, { p99Ms: 100, framesPerSecond: 10, text: "p99 ≤ 100 ms, 10 frames/s per viewer" }, "relayed-1000", pulseboardOnly("all")),
  steady(4000, { p99Ms: 500, allConnected: true, text: "all 4,000 connected, p99 ≤ 500 ms" }, "direct-4000", pulseboardOnly("off")),
  steady(4000, { p99Ms: 500, allConnected: true, framesPerSecond: 10, text: "all 4,000 connected, p99 ≤ 500 ms, 10 frames/s per viewer" }, "relayed-4000", pulseboardOnly("all")),
  steady(4000, { p99Ms: 300, allConnected: true, framesPerSecond: 10, text: "all 4,000 connected, p99 ≤ 300 ms, 10 frames/s per viewer" }, "relay-process-4000", pulseboardOnly("second-process")),
  {
    name: "firehose",
    viewers: 1000,
    postsPerSecond: 200,
    pointsPerPost: 5,
    seconds: 10,
    target: { p99Ms: 250, text: "p99 ≤ 250 ms while the naive peers fall behind" },
    relays: "default",
  },
];

/** Points one run sends: requests times points per request. */
export function pointsSent(scenario: Scenario): number {
  return postCount(scenario) * scenario.pointsPerPost;
}

/** Requests one run sends. */
export function postCount(scenario: Scenario): number {
  return Math.round(scenario.postsPerSecond * scenario.seconds);
}
