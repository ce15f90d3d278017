/**
 * The page's copy of every series: columnar arrays per series, one point per time, kept
 * sorted by time and bounded, merged from the `snapshot`, `points` and `resumed` frames of the viewer WebSocket.
 * It also tracks the sequence number reached, which is what a reconnect resumes from.
 */
import { limits } from "../../common/limits.ts";
import type { SeriesPoints, Tags } from "../../common/protocol.ts";
import { firstAtOrAfter } from "../sorted-times.ts";

/** One series as the page holds it; `ts` and `values` are handed to uPlot as they are. */
export interface StoredSeries {
  /** Canonical series identity (see `seriesKey`). */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags of the series. */
  tags: Tags;
  /** Point times in milliseconds since the epoch, ascending. */
  ts: number[];
  /** Point values; `values[i]` belongs to `ts[i]`. */
  values: number[];
}

/** What a frame changed, so the view touches only those panels. */
export interface StoreChange {
  /** Keys whose points changed (new series included). */
  changed: string[];
  /** Keys that no longer exist (only a snapshot removes series). */
  removed: string[];
}

/**
 * The page keeps as many points per series as the server's snapshot sends, so a reload
 * shows the same chart as a page that stayed open.
 */
export const DEFAULT_CAPACITY = limits.snapshotPointsPerSeries;

export class SeriesStore {
  readonly capacity: number;
  #series = new Map<string, StoredSeries>();
  /** Sequence number of the newest point merged; frames at or below it are repeats. */
  #seq = 0;
  /** Whether a snapshot has arrived, so `seq` is a position the server can resume from. */
  #synced = false;

  constructor(capacity: number = DEFAULT_CAPACITY) {
    this.capacity = capacity;
  }

  get seq(): number {
    return this.#seq;
  }

  /** The sequence number to resume from after a reconnect, or `undefined` before any snapshot. */
  get resumePoint(): number | undefined {
    return this.#synced ? this.#seq : undefined;
  }

  get(key: string): StoredSeries | undefined {
    return this.#series.get(key);
  }

  /** The newest value held for `key`, if any. */
  latest(key: string): number | undefined {
    const series = this.#series.get(key);
    return series?.values[series.values.length - 1];
  }

  keys(): string[] {
    return [...this.#series.keys()];
  }

  /** Replaces everything: a snapshot holds all recent history up to `seq`. */
  applySnapshot(seq: number, series: SeriesPoints[]): StoreChange {
    const previous = new Set(this.#series.keys());
    this.#series.clear();
    for (const incoming of series) this.#merge(incoming);
    this.#seq = seq;
    this.#synced = true;
    const changed = [...this.#series.keys()];
    for (const key of changed) previous.delete(key);
    return { changed, removed: [...previous] };
  }

  /**
   * Merges a frame of points, live or replayed after a resume. A frame already covered
   * (`to <= seq`) is skipped, since a reconnect can race a broadcast.
   */
  applyPoints(from: number, to: number, series: SeriesPoints[]): StoreChange {
    if (to <= this.#seq) return { changed: [], removed: [] };
    if (from > this.#seq + 1 && this.#seq > 0) {
      // Frames on one socket arrive in order, so a gap means the server skipped numbers;
      // the data is still good, and the next snapshot would heal anything truly missing.
      console.warn(`pulseboard: points ${this.#seq + 1}..${from - 1} were not received`);
    }
    for (const incoming of series) this.#merge(incoming);
    this.#seq = to;
    return { changed: series.map((s) => s.key), removed: [] };
  }

  /**
   * A resume ended at `seq`. Replay frames only carry subscribed series, so the position can
   * be ahead of the last frame's `to` when the missed points were all elsewhere.
   */
  applyResumed(seq: number): void {
    this.#seq = Math.max(this.#seq, seq);
  }

  #merge(incoming: SeriesPoints): void {
    let stored = this.#series.get(incoming.key);
    if (!stored) {
      stored = { key: incoming.key, name: incoming.name, tags: incoming.tags, ts: [], values: [] };
      this.#series.set(incoming.key, stored);
    }
    const count = Math.min(incoming.ts.length, incoming.values.length);
    for (let i = 0; i < count; i++) {
      const t = incoming.ts[i]!;
      const v = incoming.values[i]!;
      if (Number.isFinite(t) && Number.isFinite(v)) insertSorted(stored, t, v);
    }
    const excess = stored.ts.length - this.capacity;
    if (excess > 0) {
      stored.ts.splice(0, excess);
      stored.values.splice(0, excess);
    }
  }
}

/**
 * Appends in the common case; a late point goes to its place by time, and a point at a time
 * the series has takes that point's place (a write at a stored time replaces its value).
 */
function insertSorted(series: StoredSeries, t: number, v: number): void {
  const { ts, values } = series;
  const last = ts.length - 1;
  if (last < 0 || ts[last]! < t) {
    ts.push(t);
    values.push(v);
    return;
  }
  const lo = firstAtOrAfter(ts, t);
  if (ts[lo] === t) values[lo] = v;
  else {
    ts.splice(lo, 0, t);
    values.splice(lo, 0, v);
  }
}
