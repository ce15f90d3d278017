import type { HistoryResult, HistorySeries } from "../shared/protocol";
import type { SeriesInfo } from "../shared/dashboard-info";
import { bucketOf, fold, type Bucket } from "./bucket-fold";
import { chunkOf, seqAt, type ChunkRow } from "./point-chunk";

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
/** Longest range answered from raw points; longer ones read rollups, which stay cheap. */
export const RAW_QUERY_MAX_MS = 6 * 3_600_000;

type BucketRow = { series_id: number; bucket: number; min: number; max: number; sum: number; count: number };
type LastRow = { series_id: number; bucket: number; last: number };

/**
 * Buckets of `step` ms aligned to multiples of `step`. Raw points answer when the whole range
 * lies inside the raw window and spans at most {@link RAW_QUERY_MAX_MS}; otherwise per-minute
 * rollups do, with the step rounded up to whole minutes (the response says which step and
 * source it used).
 */
export function queryHistory(sql: SqlStorage, request: HistoryRequest, rawSince: number): HistoryResult {
  const raw = request.from >= rawSince && request.to - request.from <= RAW_QUERY_MAX_MS;
  const step = raw ? request.step : Math.max(MINUTE_MS, Math.ceil(request.step / MINUTE_MS) * MINUTE_MS);
  const from = Math.floor(request.from / step) * step;
  const result: HistoryResult = { from, to: request.to, step, source: raw ? "raw" : "rollup", series: [] };
  const buckets = raw ? rawBuckets(sql, request, from, step) : rollupBuckets(sql, request, from, step);
  result.series = [...request.series.entries()].map(([id, info]) => {
    const entry = { ...info, ts: [] as number[], min: [] as number[], max: [] as number[], avg: [] as number[], last: [] as number[], count: [] as number[] };
    const own = buckets.get(id);
    if (!own) return entry;
    for (const start of [...own.keys()].sort((a, b) => a - b)) {
      const bucket = own.get(start)!;
      entry.ts.push(start);
      entry.min.push(bucket.min);
      entry.max.push(bucket.max);
      entry.avg.push(bucket.sum / bucket.count);
      entry.last.push(bucket.last);
      entry.count.push(bucket.count);
    }
    return entry;
  });
  result.series.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return result;
}

/** Buckets from raw chunks: each chunk overlapping the range is unpacked and folded in. */
function rawBuckets(sql: SqlStorage, request: HistoryRequest, from: number, step: number): Map<number, Map<number, Bucket>> {
  const result = new Map<number, Map<number, Bucket>>();
  for (const id of request.series.keys()) {
    const own = new Map<number, Bucket>();
    for (const row of sql.exec<ChunkRow>(
      "SELECT first_seq, series_id, ts, vals, seqs FROM chunks WHERE series_id = ? AND max_ts >= ? AND min_ts < ?",
      id,
      from,
      request.to,
    )) {
      const chunk = chunkOf(row);
      // Points mostly come in time order, so the previous point's bucket is tried first.
      let bucket: Bucket | undefined;
      let bucketStart = NaN;
      for (let i = 0; i < chunk.ts.length; i++) {
        const ts = chunk.ts[i]!;
        if (ts < from || ts >= request.to) continue;
        const value = chunk.values[i]!;
        const seq = seqAt(chunk, i);
        const start = ts - (ts % step);
        if (start !== bucketStart || !bucket) {
          bucketStart = start;
          bucket = own.get(start);
          if (!bucket) {
            own.set(start, (bucket = bucketOf(ts, seq, value)));
            continue;
          }
        }
        fold(bucket, ts, seq, value);
      }
    }
    if (own.size > 0) result.set(id, own);
  }
  return result;
}

/** Buckets from per-minute rollups, merged in SQL. */
function rollupBuckets(sql: SqlStorage, request: HistoryRequest, from: number, step: number): Map<number, Map<number, Bucket>> {
  const result = new Map<number, Map<number, Bucket>>();
  const ids = [...request.series.keys()];
  if (ids.length === 0) return result;
  const placeholders = ids.map(() => "?").join(",");
  // `%` works on integers in SQLite (a bound number may arrive as REAL, so `/` would not).
  const aggregates = sql.exec<BucketRow>(
    `SELECT series_id, minute - minute % ? AS bucket, min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(count) AS count
       FROM rollups WHERE series_id IN (${placeholders}) AND minute >= ? AND minute < ? GROUP BY series_id, bucket`,
    step, ...ids, from, request.to,
  );
  // Each bucket's latest value: the first row of the bucket ordered newest first.
  const lasts = sql.exec<LastRow>(
    `SELECT series_id, bucket, last FROM (
       SELECT series_id, minute - minute % ? AS bucket, last,
              row_number() OVER (PARTITION BY series_id, minute - minute % ? ORDER BY last_ts DESC, last_seq DESC) AS newest
         FROM rollups WHERE series_id IN (${placeholders}) AND minute >= ? AND minute < ?)
     WHERE newest = 1`,
    step, step, ...ids, from, request.to,
  );
  const lastOf = new Map<string, number>();
  for (const row of lasts) lastOf.set(`${row.series_id}:${row.bucket}`, row.last);
  for (const row of aggregates) {
    let own = result.get(row.series_id);
    if (!own) result.set(row.series_id, (own = new Map()));
    own.set(row.bucket, { min: row.min, max: row.max, sum: row.sum, count: row.count, last: lastOf.get(`${row.series_id}:${row.bucket}`)!, lastTs: 0, lastSeq: 0 });
  }
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
