/** The loads the fan-out benchmark puts on every server, and the targets Pulseboard aims at. */

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
}

/** Pulseboard's target in a scenario. */
export interface Target {
  /** Highest acceptable p99 latency, in milliseconds. */
  p99Ms: number;
  /** Highest acceptable ratio of Pulseboard's p99 to the plain ws server's, if any. */
  p99VsWs?: number;
  /** Whether every viewer must connect. */
  allConnected?: boolean;
  /** The target as the issue states it. */
  text: string;
}

const steady = (viewers: number, target: Target): Scenario => ({
  name: `steady-${viewers}`,
  viewers,
  postsPerSecond: 10,
  pointsPerPost: 10,
  seconds: 10,
  target,
});

export const scenarios: Scenario[] = [
  steady(100, { p99Ms: 100, text: "p99 ≤ 100 ms" }),
  steady(1000, { p99Ms: 100, p99VsWs: 1.5, text: "p99 ≤ 100 ms and ≤ 1.5× the ws server's p99" }),
  steady(4000, { p99Ms: 500, allConnected: true, text: "all 4,000 connected, p99 ≤ 500 ms" }),
  {
    name: "firehose",
    viewers: 1000,
    postsPerSecond: 200,
    pointsPerPost: 5,
    seconds: 10,
    target: { p99Ms: 250, text: "p99 ≤ 250 ms while the naive peers fall behind" },
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
