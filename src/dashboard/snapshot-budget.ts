import { limits } from "../shared/limits";

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
