import type { SeriesInfo } from "../common/dashboard-info";
import type { SeriesPoints } from "../common/protocol";
import type { SeriesMatcher } from "../common/series-pattern";

/** A run of points with their sequence range, grouped by series in sequence order. */
export interface PointRun {
  /** Sequence number of the first point. */
  from: number;
  /** Sequence number of the last point. */
  to: number;
  /** The points grouped by series, in sequence order within each. */
  series: SeriesPoints[];
}

/** Where a stream stands. */
export interface StreamPositions {
  /** Sequence number of the newest point held. */
  seq: number;
  /** Every point up to this one has gone out to the viewers. */
  broadcastSeq: number;
  /** Highest sequence number no longer held: a resume from before it starts afresh. */
  prunedSeq: number;
}

/**
 * What the live stream (`LiveStream`, `viewer-feed.ts`) reads its points from: the series,
 * the newest points of each for snapshots, runs of points by sequence number for replays and
 * catch-up frames, and the positions. A dashboard's store is one such source; anything that
 * holds a dashboard's recent points in sequence (a relay's window of frames) can be another.
 */
export interface StreamSource {
  /** The positions, or null for a dashboard that does not exist. */
  positions(): StreamPositions | null;
  /** Records that every point up to `seq` has gone out to the viewers. */
  markBroadcast(seq: number): void;
  seriesCount(): number;
  /** Every series, in key order. */
  listSeries(): SeriesInfo[];
  /** The newest `perSeries` points (up to sequence `through`) of each of `series`, in time order. */
  recent(perSeries: number, through: number, series: readonly SeriesInfo[]): SeriesPoints[];
  /**
   * Points with sequence numbers in (`after`, `through`] of the series `matcher` takes, about
   * `limit` at most; the run ends where the read stopped, so consecutive calls leave no gap.
   */
  range(after: number, through: number, limit: number, matcher: SeriesMatcher): PointRun & { count: number };
  /**
   * Makes the points after `since` readable by `range` when the source has to fetch them
   * first (a relay asks its dashboard); null when it holds them already or they cannot be
   * had (the stream then decides as for any source, from the positions).
   */
  cover?(since: number): Promise<void> | null;
  /** Makes the newest `perSeries` points of each of `series` readable by `recent`, as `cover` does. */
  coverRecent?(series: readonly SeriesInfo[], perSeries: number, through?: number): Promise<void> | null;
}
