import type { DashboardSettings } from "./dashboard-settings";
import type { DashboardStore } from "./dashboard-store";
import { bucketOf, fold, type Bucket } from "./bucket-fold";
import { mergeSmallChunks } from "./chunk-merging";
import { chunkOf, lastSeq, MAX_CHUNK_SEQ_SPAN, seqAt, type ChunkRow, type PointChunk } from "./point-chunk";

/** What one maintenance pass did, for logs and tests. */
export interface MaintenanceReport {
  /** Raw points folded into rollups. */
  rolledUp: number;
  /** Points left for the next pass, which follows at once (a pass takes a bounded slice). */
  pending: number;
  /** Raw points deleted (older than the window or over the per-series cap). */
  prunedPoints: number;
  /** Rollup rows deleted (older than their window). */
  prunedRollups: number;
  /** Series deleted because nothing of theirs is kept any more. */
  prunedSeries: number;
  /** Whether work is left (points to roll up, rows to prune), for a pass that follows at once. */
  more: boolean;
}

const MINUTE_MS = 60_000;

/**
 * Folds raw points with sequence numbers after the rollup watermark into per-minute rollups
 * and advances the watermark, in one transaction. Each point is counted exactly once: a
 * retried pass (alarms are at-least-once) finds the watermark already moved and adds nothing.
 * The same transaction merges the small chunks the pass read (`mergeSmallChunks`). With
 * `limit`, the pass stops after that many sequence numbers, so that it holds the object up
 * for a bounded time; the rest waits for the next pass.
 */
export function rollUp(store: DashboardStore, limit = Infinity): number {
  return store.transaction(() => {
    const sql = store.sql;
    const { rollupSeq: after, seq } = store.meta()!;
    const through = Math.min(seq, after + limit);
    if (through <= after) return 0;
    const minutes = new Map<string, Bucket & { seriesId: number; minute: number }>();
    /** Points rolled up per series, for the per-series cap (see `prune`). */
    const rolledPerSeries = new Map<number, number>();
    let count = 0;
    // Chunks stored since the last pass, in sequence order, whose points are all new.
    const arrived: PointChunk[] = [];
    for (const row of sql.exec<ChunkRow>(
      // Chunks that started before `after` are read only when they run past it: the
      // look-back otherwise returns thousands of one-point chunks to skip one by one.
      "SELECT first_seq, series_id, ts, vals, seqs FROM chunks WHERE first_seq > ? AND first_seq <= ? AND last_seq > ? ORDER BY first_seq",
      after - MAX_CHUNK_SEQ_SPAN,
      through,
      after,
    )) {
      const chunk = chunkOf(row);
      // A chunk the limit cuts through is rolled up in two passes, and left as it is.
      if (chunk.firstSeq > after && lastSeq(chunk) <= through) arrived.push(chunk);
      for (let i = 0; i < chunk.ts.length; i++) {
        const seq = seqAt(chunk, i);
        if (seq <= after) continue;
        if (seq > through) break;
        const ts = chunk.ts[i]!;
        const value = chunk.values[i]!;
        count++;
        rolledPerSeries.set(chunk.seriesId, (rolledPerSeries.get(chunk.seriesId) ?? 0) + 1);
        const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
        const id = `${chunk.seriesId}:${minute}`;
        const agg = minutes.get(id);
        if (agg) fold(agg, ts, seq, value);
        else minutes.set(id, { seriesId: chunk.seriesId, minute, ...bucketOf(ts, seq, value) });
      }
    }
    for (const agg of minutes.values()) {
      sql.exec(
        `INSERT INTO rollups (series_id, minute, min, max, sum, count, last, last_ts, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (series_id, minute) DO UPDATE SET
           min = min(min, excluded.min), max = max(max, excluded.max), sum = sum + excluded.sum, count = count + excluded.count,
           last = CASE WHEN (excluded.last_ts, excluded.last_seq) > (last_ts, last_seq) THEN excluded.last ELSE last END,
           last_seq = CASE WHEN (excluded.last_ts, excluded.last_seq) > (last_ts, last_seq) THEN excluded.last_seq ELSE last_seq END,
           last_ts = max(last_ts, excluded.last_ts)`,
        agg.seriesId,
        agg.minute,
        agg.min,
        agg.max,
        agg.sum,
        agg.count,
        agg.last,
        agg.lastTs,
        agg.lastSeq,
      );
    }
    // One write per series a pass touched, not one per request.
    for (const [id, points] of rolledPerSeries) {
      sql.exec("UPDATE series SET rolled_points = rolled_points + ? WHERE id = ?", points, id);
      store.rolledUp(id, points);
    }
    store.markRolledUp(through);
    mergeSmallChunks(store, arrived);
    return count;
  });
}

/** Most rows one pruning pass deletes, so that it holds the object for a bounded time. */
export const PRUNE_SLICE_ROWS = 2_000;
/** Chunks the per-series cap reads at a time; each page is read whole before any is deleted. */
export const PRUNE_PAGE_ROWS = 500;

/**
 * Deletes what the retention settings no longer keep: raw point chunks whose points are all
 * older than the raw window, or that lie beyond the per-series cap (which keeps at least the
 * newest `rawPointsPerSeries` points, and less than one chunk more), only once rolled up;
 * rollups older than their window; and series with nothing left. At most `limit` rows go in
 * one call (one transaction); `more` says rows may be left, for the next call to continue
 * (each call starts over from what is still there, so nothing is remembered between them).
 * Idempotent: a second pass at the same time deletes nothing more. Records the highest pruned
 * sequence number so resumes from before it reset.
 */
export function prune(
  store: DashboardStore,
  now: number,
  config: DashboardSettings,
  limit = PRUNE_SLICE_ROWS,
): Omit<MaintenanceReport, "rolledUp" | "pending" | "more"> & { more: boolean } {
  return store.transaction(() => {
    const sql = store.sql;
    const rolled = store.meta()!.rollupSeq;
    const rawCutoff = now - config.rawRetentionMs;
    let budget = limit;
    let prunedPoints = 0;
    let highest = 0;
    const drop = (row: { first_seq: number; last_seq: number; count: number }) => {
      sql.exec("DELETE FROM chunks WHERE first_seq = ?", row.first_seq);
      prunedPoints += row.count;
      highest = Math.max(highest, row.last_seq);
      budget--;
    };

    // Series by series, along the (series_id, max_ts) index, so a pass reads only what it
    // deletes. Only chunks wholly rolled up are ever deleted.
    // `rolled_points` counts the points kept that are rolled up (the only ones ever deleted);
    // the cap counts those not yet rolled up as well.
    for (const series of sql.exec<{ id: number; points: number }>("SELECT id, rolled_points AS points FROM series").toArray()) {
      if (budget <= 0) break;
      const unrolled = store.unrolledPoints(series.id);
      let points = series.points + unrolled;
      // Chunks whose newest point is older than the raw window.
      for (const row of sql
        .exec<{ first_seq: number; last_seq: number; count: number }>(
          "SELECT first_seq, last_seq, count FROM chunks WHERE series_id = ? AND max_ts < ? AND last_seq <= ? LIMIT ?",
          series.id,
          rawCutoff,
          rolled,
          sqlLimit(budget),
        )
        .toArray()) {
        drop(row);
        points -= row.count;
      }
      // Then the oldest chunks, while the newer ones still hold the per-series cap.
      // Read a page at a time and delete after reading: no cursor stays open across a delete.
      let more = points > config.rawPointsPerSeries;
      while (more && budget > 0) {
        const size = Math.min(PRUNE_PAGE_ROWS, budget);
        const page = sql
          .exec<{ first_seq: number; last_seq: number; count: number }>("SELECT first_seq, last_seq, count FROM chunks WHERE series_id = ? ORDER BY max_ts LIMIT ?", series.id, size)
          .toArray();
        more = page.length === size;
        for (const row of page) {
          if (points - row.count < config.rawPointsPerSeries || row.last_seq > rolled) {
            more = false;
            break;
          }
          drop(row);
          points -= row.count;
        }
      }
      if (points - unrolled !== series.points) sql.exec("UPDATE series SET rolled_points = ? WHERE id = ?", points - unrolled, series.id);
    }
    // The dashboard row keeps the position when the chunks that held it go (see storedSeq).
    if (highest > 0) store.markPruned(highest);

    // RETURNING counts rows; the cursor's rowsWritten would count index entries too.
    const rollupCutoff = now - config.rollupRetentionMs;
    const prunedRollups = budget <= 0 ? 0 : sql
      .exec(
        "DELETE FROM rollups WHERE (series_id, minute) IN (SELECT series_id, minute FROM rollups WHERE minute < ? ORDER BY minute LIMIT ?) RETURNING minute",
        rollupCutoff,
        sqlLimit(budget),
      )
      .toArray().length;
    budget -= prunedRollups;

    const prunedSeries = budget <= 0 ? 0 : store.deleteEmptySeries(sqlLimit(budget));
    budget -= prunedSeries;
    // A slice that used its whole budget may have stopped short; the next one finds out.
    return { prunedPoints, prunedRollups, prunedSeries, more: budget <= 0 };
  });
}

/** A row count as SQLite's LIMIT takes it: a negative one means none (an unbounded pass). */
function sqlLimit(rows: number): number {
  return Number.isFinite(rows) ? rows : -1;
}

/**
 * When maintenance should next run: in a minute while new points keep arriving (so rollups
 * stay current), otherwise when the oldest kept row expires, or never for an empty dashboard.
 */
export function nextMaintenance(store: DashboardStore, now: number, config: DashboardSettings): number | null {
  const sql = store.sql;
  const { seq, rollupSeq: rolled } = store.meta()!;
  if (seq > rolled) return now + MINUTE_MS;
  // A chunk expires with its newest point: the smallest max_ts per series, from the index.
  let oldestPoint: number | null = null;
  for (const { id } of sql.exec<{ id: number }>("SELECT id FROM series").toArray()) {
    const ts = sql.exec<{ ts: number | null }>("SELECT min(max_ts) AS ts FROM chunks WHERE series_id = ?", id).one().ts;
    if (ts !== null && (oldestPoint === null || ts < oldestPoint)) oldestPoint = ts;
  }
  const oldestRollup = sql.exec<{ minute: number | null }>("SELECT min(minute) AS minute FROM rollups").one().minute;
  const expiries = [
    oldestPoint === null ? Infinity : oldestPoint + config.rawRetentionMs,
    oldestRollup === null ? Infinity : oldestRollup + config.rollupRetentionMs,
  ];
  const next = Math.min(...expiries);
  return next === Infinity ? null : Math.max(next + 1, now + MINUTE_MS);
}
