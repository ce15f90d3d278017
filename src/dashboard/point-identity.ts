/**
 * Point identity: a point is its series and its time. Writing a time a series already has
 * replaces that point (the last write wins), so a retried request changes nothing and a
 * corrected value takes the old one's place everywhere: in raw history, in the per-minute
 * rollups and, as a point with a new sequence number, in what viewers are sent.
 *
 * The store calls these for each series of a request. `lastWriteWins` (last-write-wins.ts)
 * keeps one point per time within the request; `replaceStored` removes the stored points at the request's times
 * (only when the request reaches back to times the series has: a sensor whose times move
 * on never gets here) and brings the rollups of their minutes back to what the remaining
 * points say, before the store appends the request's points with new sequence numbers.
 */
import { bucketOf, fold, type Bucket } from "./bucket-fold";
import { bytesOf, chunkOf, lastSeq, seqAt, withoutPoints, type ChunkRow, type PointChunk } from "./point-chunk";

const MINUTE_MS = 60_000;

/** What writing some times of a series did to what was stored. */
export interface Replacement {
  /**
   * Times not to store: their minute has lost raw points to retention, so its rollup counts
   * points no longer there to compare with, and a write there cannot be told from a retry.
   */
  refused: Set<number>;
  /** Stored points removed because the request writes their times again. */
  replaced: number;
  /** Of those, the ones not yet rolled up (the store counts them in memory). */
  replacedUnrolled: number;
}

/**
 * Removes the stored points of series `seriesId` at the times `ts` (one per time), in the
 * caller's transaction, except at times it refuses (see `Replacement.refused`). Rows are
 * rewritten in place; a row left with no point goes. A removed point already counted in the
 * rollups (sequence number up to `rolledThrough`) has its minute summed again from the raw
 * points that stay, which are all there: a minute that lost any is refused.
 */
export function replaceStored(sql: SqlStorage, seriesId: number, ts: Float64Array, rolledThrough: number): Replacement {
  const minutes = new Set<number>();
  for (const t of ts) minutes.add(minuteOf(t));
  const lo = Math.min(...minutes);
  const hi = Math.max(...minutes) + MINUTE_MS;
  // Every row holding a point of the request's minutes (a row's times are bounds: rewriting keeps them).
  const chunks = sql
    .exec<ChunkRow>("SELECT first_seq, series_id, ts, vals, seqs FROM chunks WHERE series_id = ? AND max_ts >= ? AND min_ts < ?", seriesId, lo, hi)
    .toArray()
    .map(chunkOf);

  // A minute's rollup counts its raw points up to `rolledThrough`: fewer of them in the
  // chunks means retention took some.
  const rawRolled = new Map<number, number>();
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.ts.length; i++) {
      const minute = minuteOf(chunk.ts[i]!);
      if (minutes.has(minute) && seqAt(chunk, i) <= rolledThrough) rawRolled.set(minute, (rawRolled.get(minute) ?? 0) + 1);
    }
  }
  const partial = new Set<number>();
  for (const row of sql.exec<{ minute: number; count: number }>("SELECT minute, count FROM rollups WHERE series_id = ? AND minute >= ? AND minute < ?", seriesId, lo, hi)) {
    if (minutes.has(row.minute) && row.count > (rawRolled.get(row.minute) ?? 0)) partial.add(row.minute);
  }
  const refused = new Set<number>();
  const written = new Set<number>();
  for (const t of ts) (partial.has(minuteOf(t)) ? refused : written).add(t);

  let replaced = 0;
  let replacedUnrolled = 0;
  const resum = new Set<number>();
  const kept: PointChunk[] = [];
  for (const chunk of chunks) {
    const keep: number[] = [];
    for (let i = 0; i < chunk.ts.length; i++) {
      const t = chunk.ts[i]!;
      if (!written.has(t)) {
        keep.push(i);
        continue;
      }
      replaced++;
      if (seqAt(chunk, i) <= rolledThrough) resum.add(minuteOf(t));
      else replacedUnrolled++;
    }
    if (keep.length === chunk.ts.length) {
      kept.push(chunk);
      continue;
    }
    if (keep.length === 0) {
      sql.exec("DELETE FROM chunks WHERE first_seq = ?", chunk.firstSeq);
      continue;
    }
    const left = withoutPoints(chunk, keep);
    sql.exec(
      "UPDATE chunks SET count = ?, last_seq = ?, ts = ?, vals = ?, seqs = ? WHERE first_seq = ?",
      left.ts.length,
      lastSeq(left),
      bytesOf(left.ts),
      bytesOf(left.values),
      left.seqs ? bytesOf(left.seqs) : null,
      left.firstSeq,
    );
    kept.push(left);
  }

  for (const minute of resum) resumMinute(sql, seriesId, minute, kept, rolledThrough);
  const replacedRolled = replaced - replacedUnrolled;
  if (replacedRolled > 0) sql.exec("UPDATE series SET rolled_points = max(0, rolled_points - ?) WHERE id = ?", replacedRolled, seriesId);
  return { refused, replaced, replacedUnrolled };
}

/** Sums a minute's rollup again from its raw points up to `rolledThrough` (all there, see `replaceStored`). */
function resumMinute(sql: SqlStorage, seriesId: number, minute: number, chunks: readonly PointChunk[], rolledThrough: number): void {
  let bucket: Bucket | undefined;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.ts.length; i++) {
      const ts = chunk.ts[i]!;
      const seq = seqAt(chunk, i);
      if (minuteOf(ts) !== minute || seq > rolledThrough) continue;
      if (bucket) fold(bucket, ts, seq, chunk.values[i]!);
      else bucket = bucketOf(ts, seq, chunk.values[i]!);
    }
  }
  if (!bucket) {
    sql.exec("DELETE FROM rollups WHERE series_id = ? AND minute = ?", seriesId, minute);
    return;
  }
  sql.exec(
    "UPDATE rollups SET min = ?, max = ?, sum = ?, count = ?, last = ?, last_ts = ?, last_seq = ? WHERE series_id = ? AND minute = ?",
    bucket.min,
    bucket.max,
    bucket.sum,
    bucket.count,
    bucket.last,
    bucket.lastTs,
    bucket.lastSeq,
    seriesId,
    minute,
  );
}

function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}
