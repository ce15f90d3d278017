import { limits } from "../common/limits";
import { isGlob } from "../common/series-pattern";

/**
 * Most points one snapshot carries, over all its series. A point costs about 17-35 bytes of
 * JSON (a 13-digit time and a value), so a snapshot stays under about 1.5 MB whatever the
 * number of series, where 600 points for each of 1,000 series came to 10 MB.
 */
export const SNAPSHOT_MAX_POINTS = 40_000;

/**
 * How many of each series' newest points a snapshot of `seriesCount` series carries: 600 up
 * to 66 series, then the budget shared evenly (40 each for 1,000 series, a chart's worth when
 * a page lays out hundreds of them). The span shown shrinks rather than the resolution, so a
 * snapshot reads only the points it sends.
 */
export function snapshotPointsPerSeries(seriesCount: number): number {
  if (seriesCount <= 0) return limits.snapshotPointsPerSeries;
  return Math.max(1, Math.min(limits.snapshotPointsPerSeries, Math.floor(SNAPSHOT_MAX_POINTS / seriesCount)));
}

/**
 * Most snapshot points a dashboard reads per second for its joins, with a second's worth of
 * burst (five whole snapshots at once): joins past it wait for the budget to refill rather
 * than being refused, and viewers joining together share one read (see SnapshotCache), so a
 * crowd costs about one read per subscription.
 */
export const SNAPSHOT_READ_POINTS_PER_SECOND = 200_000;

/**
 * Glob characters matched against one series per snapshot point of cost. A subscription's
 * globs are matched against every series before its snapshot is read, and a subscription
 * that matches nothing reads no points, so without this its matching would cost nothing:
 * 4,000 characters of globs that never stop matching a prefix took about 50 ms over 1,000
 * series (V8, this machine), about as long as reading 100,000-200,000 snapshot points.
 */
const GLOB_CHARACTERS_PER_POINT = 20;

/**
 * What matching `patterns` against `seriesCount` series costs, in snapshot points: charged
 * to the socket's budget and to the dashboard's join budget before the matching runs.
 * Exact names are looked up, not matched, and `*` takes everything: both cost nothing.
 */
export function matchingWork(patterns: readonly string[], seriesCount: number): number {
  if (patterns.includes("*")) return 0;
  const globCharacters = patterns.filter(isGlob).reduce((sum, pattern) => sum + pattern.length, 0);
  return Math.ceil((seriesCount * globCharacters) / GLOB_CHARACTERS_PER_POINT);
}
