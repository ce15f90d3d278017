import type { SeriesInfo } from "../common/dashboard-info";
import type { SeriesPoints } from "../common/protocol";
import type { SeriesMatcher } from "../common/series-pattern";
import { snapshotPointsPerSeries } from "../dashboard/snapshot-budget";
import { mergeBatches } from "../dashboard/merge-batches";
import type { PointRun, StreamPositions, StreamSource } from "../dashboard/stream-source";
import { MAX_REPLAY_POINTS } from "../dashboard/viewer-feed";
import { RELAY_FETCH_POINTS, seriesPerFetch, type RangeOutcome, type RelayBase } from "./relay-contract";

/** Points of recent frames a relay keeps for resumes (more while a fetched stretch is young). */
export const RELAY_WINDOW_POINTS = 50_000;
/** A frame older than this may leave the window once it is over {@link RELAY_WINDOW_POINTS}. */
const WINDOW_KEEP_MS = 30_000;

/** What a relay asks its dashboard for when its window lacks something. */
export interface RelaySupply {
  /** Points after `after` up to `through`, about `limit` at most (the run ends where the read stopped). */
  range(after: number, through: number, limit: number): Promise<RangeOutcome>;
  /** The newest `perSeries` points up to `through` of the series with these keys. */
  recent(keys: string[], perSeries: number, through: number): Promise<SeriesPoints[]>;
}

/** A range `range` cannot read: the points after `after` are not in the window. */
export class WindowMiss extends Error {
  constructor(after: number) {
    super(`the relay's window holds no frame starting after ${after}`);
  }
}

interface HeldRun extends PointRun {
  count: number;
  addedAt: number;
}

/**
 * A series' newest points as the relay has them, in time order, each with the end of the
 * frame that brought it (a frame's end is a position viewers can be at, so "points up to a
 * position" is exact at any frame boundary). `complete`: these are all of the series' points.
 */
interface Ring {
  info: SeriesInfo;
  ts: number[];
  values: number[];
  runTo: number[];
  complete: boolean;
  /** Newest points kept. */
  cap: number;
}

export function runCount(run: PointRun): number {
  let count = 0;
  for (const series of run.series) count += series.ts.length;
  return count;
}

/**
 * What a relay holds of its dashboard, read by its live stream as the dashboard's store is:
 * the newest points of every series (for snapshots), and a window of recent frames (for
 * resumes and catch-up), each kept up to date from the frames the dashboard pushes. What it
 * lacks (an older stretch, deeper history of a series, a resume from inside a frame) it
 * fetches from the dashboard through `cover` and `coverRecent` before the stream reads it.
 */
export class RelayWindow implements StreamSource {
  /** Frames held, contiguous and in order. */
  private runs: HeldRun[] = [];
  /** Stretches fetched for resumes from inside a frame, by the position they start after. */
  private readonly bridges = new Map<number, HeldRun>();
  private readonly rings = new Map<string, Ring>();
  private readonly covering = new Map<string, Promise<void>>();
  private heldSeq: number;
  private broadcast: number;
  private folded: number;
  private prunedSeq: number;
  private windowPoints = 0;
  /** Per series key, a time no point of the series in the held runs is later than. */
  private readonly newestHeld = new Map<string, number>();

  constructor(
    base: RelayBase,
    private readonly supply: RelaySupply,
    private readonly now: () => number = Date.now,
  ) {
    this.heldSeq = this.broadcast = this.folded = base.seq;
    this.prunedSeq = base.prunedSeq;
    for (const series of base.series) {
      this.rings.set(series.key, {
        info: { key: series.key, name: series.name, tags: series.tags },
        ts: [...series.ts],
        values: [...series.values],
        runTo: series.ts.map(() => base.seq),
        complete: series.ts.length < base.perSeries,
        cap: base.perSeries,
      });
    }
    // Their points are fetched by `coverRecent` when a viewer's snapshot needs them; what
    // comes in frames meanwhile is kept.
    for (const info of base.withheld) {
      this.rings.set(info.key, { info: { key: info.key, name: info.name, tags: info.tags }, ts: [], values: [], runTo: [], complete: false, cap: base.perSeries });
    }
  }

  positions(): StreamPositions {
    return { seq: this.heldSeq, broadcastSeq: this.broadcast, prunedSeq: this.prunedSeq };
  }

  /**
   * Adds the next frame; it must follow on from what is held (`from` = held position + 1).
   * A point at a series and time the window holds takes the held one's place, as in the
   * dashboard's store: replays from the window then carry each time once.
   */
  append(run: PointRun): void {
    if (run.from !== this.heldSeq + 1) throw new Error(`frame ${run.from}..${run.to} does not follow ${this.heldSeq}`);
    this.dropReplaced(run);
    const held = { ...run, count: runCount(run), addedAt: this.now() };
    this.runs.push(held);
    this.windowPoints += held.count;
    this.heldSeq = run.to;
  }

  /**
   * Takes out of the held runs and bridges the points `run` writes again (same series and
   * time). Only a series whose new points reach back to times the window has is looked for.
   */
  private dropReplaced(run: PointRun): void {
    for (const series of run.series) {
      const newest = this.newestHeld.get(series.key) ?? -Infinity;
      const { min } = this.noteTimes({ series: [series] });
      if (min > newest) continue;
      const times = new Set(series.ts);
      /** Takes the points at `times` out of `held`; returns how many. */
      const drop = (held: HeldRun): number => {
        let dropped = 0;
        held.series = held.series.map((entry) => {
          if (entry.key !== series.key || !entry.ts.some((ts) => times.has(ts))) return entry;
          const keep = entry.ts.flatMap((ts, i) => (times.has(ts) ? [] : [i]));
          dropped += entry.ts.length - keep.length;
          return { ...entry, ts: keep.map((i) => entry.ts[i]!), values: keep.map((i) => entry.values[i]!) };
        });
        held.count -= dropped;
        return dropped;
      };
      for (const held of this.runs) this.windowPoints -= drop(held);
      for (const held of this.bridges.values()) drop(held);
    }
  }

  /** Keeps `newestHeld` a bound for the points of `run`, about to be held; returns their earliest time. */
  private noteTimes(run: Pick<PointRun, "series">): { min: number } {
    let earliest = Infinity;
    for (const series of run.series) {
      let latest = this.newestHeld.get(series.key) ?? -Infinity;
      for (const ts of series.ts) {
        if (ts < earliest) earliest = ts;
        if (ts > latest) latest = ts;
      }
      this.newestHeld.set(series.key, latest);
    }
    return { min: earliest };
  }

  markBroadcast(seq: number): void {
    if (seq <= this.broadcast) return;
    this.broadcast = seq;
    for (const run of this.runs) {
      if (run.to <= this.folded) continue;
      if (run.to > seq) break;
      for (const series of run.series) this.fold(series, run.to);
      this.folded = run.to;
    }
    this.trim();
  }

  seriesCount(): number {
    return this.rings.size;
  }

  listSeries(): SeriesInfo[] {
    return [...this.rings.values()].map((ring) => ring.info).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  recent(perSeries: number, through: number, series: readonly SeriesInfo[]): SeriesPoints[] {
    const answer: SeriesPoints[] = [];
    for (const info of series) {
      const ring = this.rings.get(info.key);
      if (!ring) continue;
      const ts: number[] = [];
      const values: number[] = [];
      for (let i = ring.ts.length - 1; i >= 0 && ts.length < perSeries; i--) {
        if (ring.runTo[i]! > through) continue;
        ts.push(ring.ts[i]!);
        values.push(ring.values[i]!);
      }
      answer.push({ ...ring.info, ts: ts.reverse(), values: values.reverse() });
    }
    return answer;
  }

  range(after: number, through: number, limit: number, matcher: SeriesMatcher): PointRun & { count: number } {
    const grouped = new Map<string, SeriesPoints>();
    let count = 0;
    let to = after;
    for (let run = this.startingAfter(after); run && run.to <= through; run = this.startingAfter(to)) {
      for (const series of run.series) {
        if (!matcher(series)) continue;
        const entry = grouped.get(series.key);
        if (entry) {
          entry.ts.push(...series.ts);
          entry.values.push(...series.values);
        } else grouped.set(series.key, { ...series, ts: [...series.ts], values: [...series.values] });
        count += series.ts.length;
      }
      to = run.to;
      if (count >= limit) break;
    }
    // Positions asked for are frame boundaries (`cover` makes any other one so).
    if (to === after && after < through) throw new WindowMiss(after);
    return { from: after + 1, to, series: [...grouped.values()], count };
  }

  cover(since: number): Promise<void> | null {
    if (since >= this.heldSeq || this.broadcast - since > MAX_REPLAY_POINTS || since < this.prunedSeq) return null;
    if (this.startingAfter(since)) return null;
    return this.once(`since:${since}`, async () => {
      const firstHeld = this.runs[0]?.from ?? this.heldSeq + 1;
      if (since < firstHeld - 1) {
        // An older stretch: fetched up to the window's start and put in front of it.
        const fetched = await this.fetch(since, firstHeld - 1);
        if (fetched && (this.runs[0]?.from ?? this.heldSeq + 1) === firstHeld) {
          fetched.forEach((run) => this.noteTimes(run));
          this.runs.unshift(...fetched);
          this.windowPoints += fetched.reduce((sum, run) => sum + run.count, 0);
        }
        return;
      }
      // Inside a frame: a bridge from `since` to that frame's end.
      const inside = this.runs.find((run) => run.from <= since && since < run.to);
      if (!inside) return;
      const fetched = await this.fetch(since, inside.to);
      if (fetched) {
        fetched.forEach((run) => this.noteTimes(run));
        this.bridges.set(since, joinRuns(fetched, this.now()));
      }
    });
  }

  /** As the stream source's `coverRecent`, up to position `through` (a frame boundary; the broadcast position unless given). */
  coverRecent(series: readonly SeriesInfo[], perSeries: number, through = this.broadcast): Promise<void> | null {
    const lacking = series.filter((info) => {
      const ring = this.rings.get(info.key);
      return ring !== undefined && !ring.complete && heldThrough(ring, through) < perSeries;
    });
    if (lacking.length === 0) return null;
    const keys = lacking.map((info) => info.key);
    return this.once(`recent:${perSeries}:${through}:${keys.join("\n")}`, async () => {
      // A few series per call, so that no call makes the dashboard read more than one fetch's worth.
      const perCall = seriesPerFetch(perSeries);
      for (let i = 0; i < keys.length; i += perCall) this.keepRecent(await this.supply.recent(keys.slice(i, i + perCall), perSeries, through), perSeries, through);
    });
  }

  /** Takes a series' newest points up to `through` as the dashboard read them. */
  private keepRecent(answer: SeriesPoints[], perSeries: number, through: number): void {
    for (const fetched of answer) {
      const ring = this.rings.get(fetched.key);
      if (!ring) continue;
      // What came in frames after `through` stays; the rest is replaced by the dashboard's answer.
      const later = ring.runTo.flatMap((runTo, i) => (runTo > through ? [i] : []));
      ring.ts = [...fetched.ts, ...later.map((i) => ring.ts[i]!)];
      ring.values = [...fetched.values, ...later.map((i) => ring.values[i]!)];
      ring.runTo = [...fetched.ts.map(() => through), ...later.map((i) => ring.runTo[i]!)];
      ring.cap = Math.max(ring.cap, perSeries);
      ring.complete = fetched.ts.length < perSeries;
      sortByTime(ring);
    }
  }

  /** The held frame (or bridge) that starts right after `after`. */
  private startingAfter(after: number): HeldRun | undefined {
    const bridge = this.bridges.get(after);
    if (bridge) return bridge;
    let low = 0;
    let high = this.runs.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const run = this.runs[middle]!;
      if (run.from === after + 1) return run;
      if (run.from <= after) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** Points in (`after`, `through`] from the dashboard, as held runs; null when they are gone. */
  private async fetch(after: number, through: number): Promise<HeldRun[] | null> {
    const runs: HeldRun[] = [];
    for (let position = after; position < through; ) {
      const outcome = await this.supply.range(position, through, RELAY_FETCH_POINTS);
      if (outcome.status === "pruned") this.prunedSeq = Math.max(this.prunedSeq, outcome.prunedSeq);
      if (outcome.status !== "ok" || outcome.run.to <= position) return null;
      runs.push({ ...outcome.run, addedAt: this.now() });
      position = outcome.run.to;
    }
    return runs;
  }

  /** Runs `work` once for callers asking the same thing at the same time. */
  private once(key: string, work: () => Promise<void>): Promise<void> {
    let running = this.covering.get(key);
    if (!running) {
      running = work().finally(() => this.covering.delete(key));
      this.covering.set(key, running);
    }
    return running;
  }

  private fold(series: SeriesPoints, runTo: number): void {
    let ring = this.rings.get(series.key);
    if (!ring) {
      // A series the base did not have: every point of it comes in frames.
      ring = { info: { key: series.key, name: series.name, tags: series.tags }, ts: [], values: [], runTo: [], complete: true, cap: snapshotPointsPerSeries(this.rings.size + 1) };
      this.rings.set(series.key, ring);
    }
    for (let i = 0; i < series.ts.length; i++) {
      const ts = series.ts[i]!;
      // Older than all of a partial ring: where it belongs among the points not held is unknown,
      // and it is not among the newest.
      if (!ring.complete && ring.ts.length >= ring.cap && ts < ring.ts[0]!) continue;
      let at = ring.ts.length;
      while (at > 0 && ring.ts[at - 1]! > ts) at--;
      if (at > 0 && ring.ts[at - 1] === ts) {
        // A write at a time the series has: the point takes the old one's place, as in the store.
        ring.values[at - 1] = series.values[i]!;
        ring.runTo[at - 1] = runTo;
        continue;
      }
      ring.ts.splice(at, 0, ts);
      ring.values.splice(at, 0, series.values[i]!);
      ring.runTo.splice(at, 0, runTo);
    }
    // Trimmed with some slack, so a snapshot read at a slightly older position still finds its points.
    if (ring.ts.length > ring.cap + Math.max(16, ring.cap >> 2)) {
      const drop = ring.ts.length - ring.cap - (ring.cap >> 3);
      ring.ts.splice(0, drop);
      ring.values.splice(0, drop);
      ring.runTo.splice(0, drop);
      ring.complete = false;
    }
  }

  /** Lets the oldest frames go once the window is over its size (and they are old, unless far over). */
  private trim(): void {
    const old = this.now() - WINDOW_KEEP_MS;
    while (this.runs.length > 1 && this.windowPoints > RELAY_WINDOW_POINTS) {
      const first = this.runs[0]!;
      if (first.to > this.folded || (first.addedAt > old && this.windowPoints <= 2 * RELAY_WINDOW_POINTS)) break;
      this.runs.shift();
      this.windowPoints -= first.count;
    }
    for (const [after, bridge] of this.bridges) if (bridge.addedAt < old) this.bridges.delete(after);
  }
}

function heldThrough(ring: Ring, through: number): number {
  let held = 0;
  for (const runTo of ring.runTo) if (runTo <= through) held++;
  return held;
}

function sortByTime(ring: Ring): void {
  const order = ring.ts.map((_, i) => i).sort((a, b) => ring.ts[a]! - ring.ts[b]! || a - b);
  ring.ts = order.map((i) => ring.ts[i]!);
  ring.values = order.map((i) => ring.values[i]!);
  ring.runTo = order.map((i) => ring.runTo[i]!);
}

/** Consecutive runs as one. */
function joinRuns(runs: HeldRun[], addedAt: number): HeldRun {
  return { ...mergeBatches(runs), count: runs.reduce((sum, run) => sum + run.count, 0), addedAt };
}
