import type { DeliveryConfig } from "./delivery-config";

/** What one maintenance pass did, for logs and tests. */
export interface MaintenanceReport {
  /** Raw points folded into rollups. */
  rolledUp: number;
  /** Raw points deleted (older than the window or over the per-series cap). */
  prunedPoints: number;
  /** Rollup rows deleted (older than their window). */
  prunedRollups: number;
  /** Series deleted because nothing of theirs is kept any more. */
  prunedSeries: number;
}

const MINUTE_MS = 60_000;

type Aggregate = { min: number; max: number; sum: number; count: number; last: number; lastTs: number; lastSeq: number };

/**
 * Folds raw points with sequence numbers after the rollup watermark into per-minute rollups
 * and advances the watermark, in one transaction. Each point is counted exactly once: a
 * retried pass (alarms are at-least-once) finds the watermark already moved and adds nothing.
 */
export function rollUp(storage: DurableObjectStorage): number {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    const { rollup_seq: after, seq: through } = sql.exec<{ rollup_seq: number; seq: number }>("SELECT rollup_seq, seq FROM dashboard").one();
    if (through <= after) return 0;
    const minutes = new Map<string, Aggregate & { seriesId: number; minute: number }>();
    let count = 0;
    for (const row of sql.exec<{ seq: number; series_id: number; ts: number; value: number }>(
      "SELECT seq, series_id, ts, value FROM points WHERE seq > ? AND seq <= ?",
      after,
      through,
    )) {
      count++;
      const minute = Math.floor(row.ts / MINUTE_MS) * MINUTE_MS;
      const id = `${row.series_id}:${minute}`;
      const agg = minutes.get(id);
      if (!agg) {
        minutes.set(id, { seriesId: row.series_id, minute, min: row.value, max: row.value, sum: row.value, count: 1, last: row.value, lastTs: row.ts, lastSeq: row.seq });
        continue;
      }
      agg.min = Math.min(agg.min, row.value);
      agg.max = Math.max(agg.max, row.value);
      agg.sum += row.value;
      agg.count++;
      if (row.ts > agg.lastTs || (row.ts === agg.lastTs && row.seq > agg.lastSeq)) Object.assign(agg, { last: row.value, lastTs: row.ts, lastSeq: row.seq });
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
    sql.exec("UPDATE dashboard SET rollup_seq = ?", through);
    return count;
  });
}

/**
 * Deletes what the retention settings no longer keep: raw points older than the raw window
 * or beyond the per-series cap (only after they are rolled up), rollups older than their
 * window, and series with nothing left. Idempotent: a second pass at the same time deletes
 * nothing more. Records the highest pruned sequence number so resumes from before it reset.
 */
export function prune(storage: DurableObjectStorage, now: number, config: DeliveryConfig): Omit<MaintenanceReport, "rolledUp"> {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    const { rollup_seq: rolled } = sql.exec<{ rollup_seq: number }>("SELECT rollup_seq FROM dashboard").one();
    const rawCutoff = now - config.rawRetentionMs;
    let prunedPoints = 0;
    let highest = 0;

    // Series by series, so each delete walks the (series_id, ts) index instead of the table.
    for (const { id } of sql.exec<{ id: number }>("SELECT id FROM series").toArray()) {
      const old = sql
        .exec<{ n: number; top: number | null }>("SELECT count(*) AS n, max(seq) AS top FROM points WHERE series_id = ? AND ts < ? AND seq <= ?", id, rawCutoff, rolled)
        .one();
      if (old.n === 0) continue;
      sql.exec("DELETE FROM points WHERE series_id = ? AND ts < ? AND seq <= ?", id, rawCutoff, rolled);
      prunedPoints += old.n;
      highest = Math.max(highest, old.top ?? 0);
    }

    const crowded = sql
      .exec<{ series_id: number }>("SELECT series_id FROM points GROUP BY series_id HAVING count(*) > ?", config.rawPointsPerSeries)
      .toArray();
    for (const { series_id: seriesId } of crowded) {
      // The newest `rawPointsPerSeries` points by time stay; the rest go.
      const edge = sql
        .exec<{ ts: number; seq: number }>("SELECT ts, seq FROM points WHERE series_id = ? ORDER BY ts DESC, seq DESC LIMIT 1 OFFSET ?", seriesId, config.rawPointsPerSeries)
        .one();
      const doomed = sql
        .exec<{ n: number; top: number | null }>(
          "SELECT count(*) AS n, max(seq) AS top FROM points WHERE series_id = ? AND (ts, seq) <= (?, ?) AND seq <= ?",
          seriesId,
          edge.ts,
          edge.seq,
          rolled,
        )
        .one();
      sql.exec("DELETE FROM points WHERE series_id = ? AND (ts, seq) <= (?, ?) AND seq <= ?", seriesId, edge.ts, edge.seq, rolled);
      prunedPoints += doomed.n;
      highest = Math.max(highest, doomed.top ?? 0);
    }
    if (highest > 0) sql.exec("UPDATE dashboard SET pruned_seq = max(pruned_seq, ?)", highest);

    const rollupCutoff = now - config.rollupRetentionMs;
    const prunedRollups = sql.exec<{ n: number }>("SELECT count(*) AS n FROM rollups WHERE minute < ?", rollupCutoff).one().n;
    if (prunedRollups > 0) sql.exec("DELETE FROM rollups WHERE minute < ?", rollupCutoff);

    const prunedSeries = sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM series s WHERE NOT EXISTS (SELECT 1 FROM points p WHERE p.series_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.series_id = s.id)`,
      )
      .one().n;
    if (prunedSeries > 0) {
      sql.exec(
        `DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM points p WHERE p.series_id = series.id)
           AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.series_id = series.id)`,
      );
    }
    return { prunedPoints, prunedRollups, prunedSeries };
  });
}

/**
 * When maintenance should next run: in a minute while new points keep arriving (so rollups
 * stay current), otherwise when the oldest kept row expires, or never for an empty dashboard.
 */
export function nextMaintenance(sql: SqlStorage, now: number, config: DeliveryConfig): number | null {
  const { seq, rollup_seq: rolled } = sql.exec<{ seq: number; rollup_seq: number }>("SELECT seq, rollup_seq FROM dashboard").one();
  if (seq > rolled) return now + MINUTE_MS;
  let oldestPoint: number | null = null;
  for (const { id } of sql.exec<{ id: number }>("SELECT id FROM series").toArray()) {
    const ts = sql.exec<{ ts: number | null }>("SELECT min(ts) AS ts FROM points WHERE series_id = ?", id).one().ts;
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
