import type { SeriesInfo } from "../common/dashboard-info";
import type { ServerMessage, SeriesPoints } from "../common/protocol";
import { seriesMatcher, type SeriesMatcher } from "../common/series-pattern";
import type { StreamSource } from "./stream-source";
import { snapshotPointsPerSeries } from "./snapshot-budget";
import { snapshotText, type SnapshotCache } from "./snapshot-cache";
import type { TokenBucket } from "./rate-limiter";

/**
 * What a viewer is sent before it takes live frames: a snapshot, or a replay of what it
 * missed, then whatever live frames went out meanwhile. Each is a generator whose `yield`s
 * cut it into slices (see {@link SlicedWork}), so the points of one slice are read and sent
 * while other work waits, and other work runs between slices. A feed ends exactly at the
 * broadcast position, in the same slice that finds it caught up, so the viewer's next frame
 * is the next live one, without gap or overlap.
 */

/** Points a snapshot slice reads (a few milliseconds of the object's time). */
export const SNAPSHOT_SLICE_POINTS = 5_000;
/**
 * Most points in one replay or catch-up frame; one frame per slice. Read from one-point
 * chunks (a sensor's, before maintenance merges them), 2,000 points take a few milliseconds;
 * 5,000 held other viewers' frames and ingest answers up past 100 ms during a flood of
 * resumes (bench/results/socket-floods.md, run 5).
 */
export const REPLAY_FRAME_POINTS = 2_000;
/**
 * A resume that would replay more stored points than this (counting every series, as
 * sequence numbers do) gets a snapshot marked `reset` instead: redrawing is cheaper for
 * both sides than catching up on that much.
 */
export const MAX_REPLAY_POINTS = 100_000;

/** The viewer being fed and what the feed reads. */
export interface FeedTarget {
  /** The points and series the stream reads. */
  store: StreamSource;
  /** Every point up to this sequence number has gone out in live frames. */
  broadcastSeq(): number;
  /** Sends to the viewer; false when its socket is gone, which ends the feed. */
  send(message: ServerMessage | string): boolean;
  /** Snapshots just read, shared by the viewers joining together. */
  cache: SnapshotCache;
  /** The clock, milliseconds since the epoch. */
  now(): number;
  /** The dashboard's budget of snapshot points read per second, shared by every join. */
  snapshotReads: TokenBucket;
}

/** What a snapshot of some patterns will hold, worked out before any point is read. */
export interface SnapshotPlan {
  /** The subscription's patterns. */
  patterns: string[];
  /** The matching series, in key order. */
  series: SeriesInfo[];
  /** Newest points taken per series. */
  perSeries: number;
  /** Most points the snapshot will carry (what it costs the viewer's budget). */
  points: number;
  /** Matcher of the patterns, for the catch-up frames after it. */
  matcher: SeriesMatcher;
  /**
   * The broadcast position the series were listed at, which the snapshot is read up to: a
   * series first stored after it (while a relay fetched what it lacked, say) comes in the
   * catch-up frames, not missing from a snapshot read further on.
   */
  through: number;
}

export function planSnapshot(store: StreamSource, patterns: string[], through: number): SnapshotPlan {
  const matcher = seriesMatcher(patterns);
  const series = store.listSeries().filter(matcher);
  const perSeries = snapshotPointsPerSeries(series.length);
  return { patterns, series, perSeries, points: perSeries * series.length, matcher, through };
}

/**
 * How a resume from `since` is served: a replay of at most {@link MAX_REPLAY_POINTS}, or a
 * reset snapshot when the points are gone (pruned), `since` is ahead of the stream, or the
 * replay would be longer.
 */
export function resumeKind(since: number, broadcastSeq: number, prunedSeq: number): "replay" | "reset" {
  if (since > broadcastSeq || since < prunedSeq) return "reset";
  return broadcastSeq - since > MAX_REPLAY_POINTS ? "reset" : "replay";
}

/**
 * A snapshot of `plan`, then catch-up frames: one just read for another viewer of the same
 * subscription when the cache has it, else read now (at the broadcast position when the
 * feed starts), in slices.
 */
export function* snapshotFeed(target: FeedTarget, plan: SnapshotPlan, reset: boolean): Generator<number | void, void> {
  let snapshot = target.cache.get(plan.patterns, plan.through, target.now());
  if (!snapshot) {
    const through = plan.through;
    const series: SeriesPoints[] = [];
    const perSlice = Math.max(1, Math.floor(SNAPSHOT_SLICE_POINTS / plan.perSeries));
    for (let i = 0; i < plan.series.length; i += perSlice) {
      if (i > 0) yield;
      const points = plan.perSeries * Math.min(perSlice, plan.series.length - i);
      yield* joinBudget(target, points);
      series.push(...target.store.recent(plan.perSeries, through, plan.series.slice(i, i + perSlice)));
    }
    snapshot = target.cache.put(plan.patterns, through, plan.perSeries, series, target.now());
  }
  if (!target.send(snapshotText(snapshot, reset))) return;
  // Live frames that went out since the snapshot was read, as ordinary frames (even empty
  // ones: positions must follow on from the snapshot's `seq`).
  yield* frames(target, snapshot.seq, plan.matcher, false);
}

/**
 * Takes `points` from the dashboard's join budget, first waiting (ending slices) until it has
 * refilled when it is short: joins past the budget wait, none is refused.
 */
export function* joinBudget(target: Pick<FeedTarget, "snapshotReads" | "now">, points: number): Generator<number, void> {
  for (let wait = target.snapshotReads.wait(points, target.now()); wait > 0; wait = target.snapshotReads.wait(points, target.now())) yield Math.ceil(wait * 1000);
  target.snapshotReads.take(points, target.now());
}

/** Every stored point of the patterns after `since`, in replay frames, then `resumed`. */
export function* replayFeed(target: FeedTarget, since: number, patterns: string[]): Generator<void, void> {
  const replayed = yield* frames(target, since, seriesMatcher(patterns), true);
  if (replayed !== null) target.send({ type: "resumed", since, seq: target.broadcastSeq(), points: replayed });
}

/**
 * Frames from `position` up to the broadcast position (which moves while this runs), one
 * per slice; returns the points sent, or null when the socket is gone. A replay leaves out
 * frames without points of the viewer's series (`resumed` says where it ends); a catch-up
 * after a snapshot sends them, as live frames do.
 */
function* frames(target: FeedTarget, position: number, matcher: SeriesMatcher, replay: boolean): Generator<void, number | null> {
  let sent = 0;
  let first = true;
  while (position < target.broadcastSeq()) {
    if (!first) yield;
    first = false;
    // A slice may have been preceded by live frames: read up to where they are now.
    const through = target.broadcastSeq();
    if (position >= through) break;
    const chunk = target.store.range(position, through, REPLAY_FRAME_POINTS, matcher);
    if ((chunk.count > 0 || !replay) && !target.send({ type: "points", from: chunk.from, to: chunk.to, replay, series: chunk.series })) return null;
    sent += chunk.count;
    position = chunk.to;
  }
  return sent;
}
