import type { HistoryResult, HistorySeries } from "../shared/protocol";
import type { SeriesInfo } from "./dashboard-store";

/** A validated history request. */
export interface HistoryRequest {
  /** Series ids to read, with their descriptions. */
  series: Map<number, SeriesInfo>;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width, ms. */
  step: number;
}

const MINUTE_MS = 60_000;

type BucketRow = { series_id: number; bucket: number; min: number; max: number; sum: number; count: number };
type LastRow = { series_id: number; bucket: number; last: number };

/**
 * Buckets of `step` ms aligned to multiples of `step`. Raw points answer when the whole range
 * lies inside the raw window; otherwise per-minute rollups do, with the step rounded up to
 * whole minutes (the response says which step and source it used).
 */
export function queryHistory(sql: SqlStorage, request: HistoryRequest, rawSince: number): HistoryResult {
  const raw = request.from >= rawSince;
  const step = raw ? request.step : Math.max(MINUTE_MS, Math.ceil(request.step / MINUTE_MS) * MINUTE_MS);
  const from = Math.floor(request.from / step) * step;
  const ids = [...request.series.keys()];
  const result: HistoryResult = { from, to: request.to, step, source: raw ? "raw" : "rollup", series: [] };
  if (ids.length === 0) return result;

  const placeholders = ids.map(() => "?").join(",");
  // `%` works on integers in SQLite (a bound number may arrive as REAL, so `/` would not).
  // Each bucket's latest value: the first row of the bucket ordered newest first.
  const [aggregates, lasts] = raw
    ? [
        sql.exec<BucketRow>(
          `SELECT series_id, ts - ts % ? AS bucket, min(value) AS min, max(value) AS max, sum(value) AS sum, count(*) AS count
             FROM points WHERE series_id IN (${placeholders}) AND ts >= ? AND ts < ? GROUP BY series_id, bucket ORDER BY series_id, bucket`,
          step, ...ids, from, request.to,
        ),
        sql.exec<LastRow>(
          `SELECT series_id, bucket, last FROM (
             SELECT series_id, ts - ts % ? AS bucket, value AS last,
                    row_number() OVER (PARTITION BY series_id, ts - ts % ? ORDER BY ts DESC, seq DESC) AS newest
               FROM points WHERE series_id IN (${placeholders}) AND ts >= ? AND ts < ?)
           WHERE newest = 1`,
          step, step, ...ids, from, request.to,
        ),
      ]
    : [
        sql.exec<BucketRow>(
          `SELECT series_id, minute - minute % ? AS bucket, min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(count) AS count
             FROM rollups WHERE series_id IN (${placeholders}) AND minute >= ? AND minute < ? GROUP BY series_id, bucket ORDER BY series_id, bucket`,
          step, ...ids, from, request.to,
        ),
        sql.exec<LastRow>(
          `SELECT series_id, bucket, last FROM (
             SELECT series_id, minute - minute % ? AS bucket, last,
                    row_number() OVER (PARTITION BY series_id, minute - minute % ? ORDER BY last_ts DESC, last_seq DESC) AS newest
               FROM rollups WHERE series_id IN (${placeholders}) AND minute >= ? AND minute < ?)
           WHERE newest = 1`,
          step, step, ...ids, from, request.to,
        ),
      ];

  const lastOf = new Map<string, number>();
  for (const row of lasts) lastOf.set(`${row.series_id}:${row.bucket}`, row.last);
  const bySeries = new Map<number, HistorySeries>();
  for (const row of aggregates) {
    let entry = bySeries.get(row.series_id);
    if (!entry) {
      const info = request.series.get(row.series_id)!;
      bySeries.set(row.series_id, (entry = { ...info, ts: [], min: [], max: [], avg: [], last: [], count: [] }));
    }
    entry.ts.push(row.bucket);
    entry.min.push(row.min);
    entry.max.push(row.max);
    entry.avg.push(row.sum / row.count);
    entry.last.push(lastOf.get(`${row.series_id}:${row.bucket}`)!);
    entry.count.push(row.count);
  }
  result.series = [...request.series.entries()].map(([id, info]) => bySeries.get(id) ?? { ...info, ts: [], min: [], max: [], avg: [], last: [], count: [] });
  result.series.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return result;
}

/** Most buckets one history query may return per series. */
export const MAX_HISTORY_BUCKETS = 10_000;
/** Buckets a query gets when it names no step. */
const DEFAULT_BUCKETS = 500;
const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);

/** Checks a history range and picks a step when none is given; the error names the parameter. */
export function resolveHistoryRange(from: number, to: number, step: number | undefined): { from: number; to: number; step: number } | { error: string; field: string } {
  if (!(to > from)) return { error: "to must be later than from", field: "to" };
  if (step === undefined) {
    const wanted = (to - from) / DEFAULT_BUCKETS;
    return { from, to, step: NICE_STEPS.find((s) => s >= wanted) ?? Math.ceil(wanted / 86_400_000) * 86_400_000 };
  }
  if (!(Number.isInteger(step) && step > 0)) return { error: "step must be a positive whole number of milliseconds", field: "step" };
  if ((to - from) / step > MAX_HISTORY_BUCKETS) {
    return { error: `step ${step} ms makes more than ${MAX_HISTORY_BUCKETS} buckets over this range; use a step of at least ${Math.ceil((to - from) / MAX_HISTORY_BUCKETS)} ms`, field: "step" };
  }
  return { from, to, step };
}
