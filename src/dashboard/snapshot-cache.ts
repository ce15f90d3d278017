import type { SeriesPoints } from "../common/protocol";

/**
 * Snapshots just read, by subscription, so that a crowd joining at once costs one read and
 * one serialisation instead of one each: a later join takes the cached snapshot and catches
 * up from its `seq` with ordinary frames. An entry serves joins for {@link MAX_AGE_MS} and
 * while fewer than {@link MAX_BEHIND} points have been stored since it was read (beyond,
 * reading afresh is cheaper than the catch-up); at most {@link MAX_ENTRIES} are kept, about
 * 1.5 MB each at most.
 */
export class SnapshotCache {
  static readonly MAX_AGE_MS = 5_000;
  static readonly MAX_BEHIND = 20_000;
  static readonly MAX_ENTRIES = 4;
  private readonly entries = new Map<string, CachedSnapshot>();

  /** A snapshot of `patterns` still fit to serve at broadcast position `seq` and time `now`. */
  get(patterns: string[], seq: number, now: number): CachedSnapshot | undefined {
    this.expire(now);
    const entry = this.entries.get(keyOf(patterns));
    return entry && seq >= entry.seq && seq - entry.seq <= SnapshotCache.MAX_BEHIND ? entry : undefined;
  }

  put(patterns: string[], seq: number, perSeries: number, series: SeriesPoints[], now: number): CachedSnapshot {
    const entry: CachedSnapshot = { seq, perSeries, seriesJson: JSON.stringify(series), readAt: now };
    const key = keyOf(patterns);
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Map order is insertion order: the first entries are the oldest.
    for (const old of this.entries.keys()) {
      if (this.entries.size <= SnapshotCache.MAX_ENTRIES) break;
      this.entries.delete(old);
    }
    return entry;
  }

  /** Forgets everything, when what was read may no longer be what is stored (maintenance pruned it). */
  clear(): void {
    this.entries.clear();
  }

  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.readAt > SnapshotCache.MAX_AGE_MS || now < entry.readAt) this.entries.delete(key);
    }
  }
}

/** One snapshot as read. */
export interface CachedSnapshot {
  /** The broadcast position it was read at: it holds every point up to this one. */
  seq: number;
  /** Newest points taken per series. */
  perSeries: number;
  /** Its `series`, serialised once for every viewer it is sent to. */
  seriesJson: string;
  /** When it was read, milliseconds since the epoch. */
  readAt: number;
  /** Its message texts once made, without and with `reset` (see {@link snapshotText}). */
  texts?: { fresh?: string; reset?: string };
}

function keyOf(patterns: string[]): string {
  return JSON.stringify(patterns);
}

/**
 * The `snapshot` message text for a cached snapshot (`ServerMessage` of type `snapshot`),
 * made once per entry and kind: every viewer of a crowd is sent the same string, which the
 * runtime flattens on its first send only (a text made per viewer was a copy of the whole
 * snapshot for each, garbage at once: a crowd of 4,000 made 14 MiB of it).
 */
export function snapshotText(entry: CachedSnapshot, reset: boolean): string {
  const texts = (entry.texts ??= {});
  const kind = reset ? "reset" : "fresh";
  return (texts[kind] ??= `{"type":"snapshot","seq":${entry.seq},"reset":${reset},"series":${entry.seriesJson},"perSeries":${entry.perSeries}}`);
}
