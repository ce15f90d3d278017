import type { HistoryResult, HistorySeries } from "../shared/protocol";
import { limits } from "../shared/limits";
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
  const { raw, step } = historySource(request, rawSince);
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

/** Whether raw points answer (else rollups), and the step used: whole minutes for rollups. */
export function historySource(request: HistoryRequest, rawSince: number): { raw: boolean; step: number } {
  const raw = request.from >= rawSince && request.to - request.from <= RAW_QUERY_MAX_MS;
  return { raw, step: raw ? request.step : Math.max(MINUTE_MS, Math.ceil(request.step / MINUTE_MS) * MINUTE_MS) };
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
  const all = [...request.series.keys()];
  // A statement takes at most 100 bound parameters, so series go in groups.
  for (let i = 0; i < all.length; i += ROLLUP_QUERY_SERIES) rollupGroup(sql, all.slice(i, i + ROLLUP_QUERY_SERIES), request.to, from, step, result);
  return result;
}

/** Series per rollup statement: with the range and step, under the 100 bound parameters a statement takes. */
const ROLLUP_QUERY_SERIES = 90;

/** Adds the buckets of the series `ids` to `result`. */
function rollupGroup(sql: SqlStorage, ids: number[], to: number, from: number, step: number, result: Map<number, Map<number, Bucket>>): void {
  const placeholders = ids.map(() => "?").join(",");
  // `%` works on integers in SQLite (a bound number may arrive as REAL, so `/` would not).
  const aggregates = sql.exec<BucketRow>(
    `SELECT series_id, minute - minute % ? AS bucket, min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(count) AS count
       FROM rollups WHERE series_id IN (${placeholders}) AND minute >= ? AND minute < ? GROUP BY series_id, bucket`,
    step, ...ids, from, to,
  );
  // Each bucket's latest value: the first row of the bucket ordered newest first.
  const lasts = sql.exec<LastRow>(
    `SELECT series_id, bucket, last FROM (
       SELECT series_id, minute - minute % ? AS bucket, last,
              row_number() OVER (PARTITION BY series_id, minute - minute % ? ORDER BY last_ts DESC, last_seq DESC) AS newest
         FROM rollups WHERE series_id IN (${placeholders}) AND minute >= ? AND minute < ?)
     WHERE newest = 1`,
    step, step, ...ids, from, to,
  );
  const lastOf = new Map<string, number>();
  for (const row of lasts) lastOf.set(`${row.series_id}:${row.bucket}`, row.last);
  for (const row of aggregates) {
    let own = result.get(row.series_id);
    if (!own) result.set(row.series_id, (own = new Map()));
    own.set(row.bucket, { min: row.min, max: row.max, sum: row.sum, count: row.count, last: lastOf.get(`${row.series_id}:${row.bucket}`)!, lastTs: 0, lastSeq: 0 });
  }
}

/** Most buckets one history query may return per series. */
export const MAX_HISTORY_BUCKETS = 10_000;
/** Buckets a query gets when it names no step (fewer when many series match). */
const DEFAULT_BUCKETS = 500;
const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);

/** A history query as asked: the matching series, the range and maybe a step. */
export interface HistoryAsk {
  /** Series ids to read, with their descriptions. */
  series: Map<number, SeriesInfo>;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Bucket width, ms, if the reader chose one. */
  step?: number;
}

/** Why a history query is refused: the parameter to change, and how. */
export type HistoryRefusal = { error: string; field: string };

/**
 * Checks a history query and picks a step when none is given, so that one answer stays
 * within {@link limits.maxHistoryCells} buckets x series and one read within
 * {@link limits.maxHistoryScan} raw points or rollup rows: a Durable Object has 128 MB of
 * memory (https://developers.cloudflare.com/durable-objects/platform/limits/), and while it
 * builds an answer it serves nothing else. Every refusal names the parameter to change and
 * says to what. Reads only counts, bounded, from the indexes.
 */
export function planHistory(sql: SqlStorage, ask: HistoryAsk, rawSince: number): HistoryRequest | HistoryRefusal {
  const { from, to, series } = ask;
  if (!(to > from)) return { error: "to must be later than from", field: "to" };
  const seriesCount = Math.max(1, series.size);
  let step = ask.step;
  if (step === undefined) {
    // One bucket short of the cap: aligning `from` down to the step can add one.
    const buckets = Math.max(1, Math.min(DEFAULT_BUCKETS, Math.floor(limits.maxHistoryCells / seriesCount) - 1));
    const wanted = (to - from) / buckets;
    step = NICE_STEPS.find((s) => s >= wanted) ?? Math.ceil(wanted / 86_400_000) * 86_400_000;
  } else {
    if (!(Number.isInteger(step) && step > 0)) return { error: "step must be a positive whole number of milliseconds", field: "step" };
    if ((to - from) / step > MAX_HISTORY_BUCKETS) {
      return { error: `step ${step} ms makes more than ${MAX_HISTORY_BUCKETS} buckets over this range; use a step of at least ${Math.ceil((to - from) / MAX_HISTORY_BUCKETS)} ms`, field: "step" };
    }
  }
  const request: HistoryRequest = { series, from, to, step };
  const { raw, step: used } = historySource(request, rawSince);
  const buckets = Math.ceil((to - Math.floor(from / used) * used) / used);
  if (buckets * series.size > limits.maxHistoryCells) {
    const least = Math.ceil((to - from) / Math.max(1, Math.floor(limits.maxHistoryCells / series.size) - 1));
    return {
      error:
        `${buckets} buckets x ${series.size} series is more than ${limits.maxHistoryCells} per answer; ` +
        `use a step of at least ${least} ms, or fewer series, or a shorter range`,
      field: "step",
    };
  }
  const ids = [...series.keys()];
  if (ids.length > 0) {
    const read = raw ? rawPointsAtMost(sql, ids, from, to, limits.maxHistoryScan) : rollupRowsAtMost(sql, ids, from, to, limits.maxHistoryScan);
    if (read > limits.maxHistoryScan) {
      const what = raw ? "raw points" : "per-minute rollup rows";
      return {
        error:
          `this range holds more than ${limits.maxHistoryScan} ${what} of the matching series, the most one answer reads; ` +
          `ask for a shorter range (from, to) or fewer series` +
          (raw ? `; ranges longer than ${RAW_QUERY_MAX_MS / 3_600_000} hours read per-minute rollups` : ""),
        field: "from",
      };
    }
  }
  return request;
}

/**
 * Points of the chunks overlapping the range, stopping once past `cap` (each row holds a
 * point or more, so no call reads more than `cap + 1` rows). Series by series, along the
 * (series_id, max_ts) index: a statement takes at most 100 bound parameters
 * (https://developers.cloudflare.com/durable-objects/platform/limits/).
 */
function rawPointsAtMost(sql: SqlStorage, ids: number[], from: number, to: number, cap: number): number {
  let total = 0;
  for (const id of ids) {
    total +=
      sql
        .exec<{ n: number | null }>("SELECT sum(count) AS n FROM (SELECT count FROM chunks WHERE series_id = ? AND max_ts >= ? AND min_ts < ? LIMIT ?)", id, from, to, cap + 1 - total)
        .one().n ?? 0;
    if (total > cap) break;
  }
  return total;
}

/** Rollup rows in the range, counted until past `cap`, series by series along the primary key. */
function rollupRowsAtMost(sql: SqlStorage, ids: number[], from: number, to: number, cap: number): number {
  let total = 0;
  for (const id of ids) {
    total += sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM (SELECT 1 FROM rollups WHERE series_id = ? AND minute >= ? AND minute < ? LIMIT ?)", id, from, to, cap + 1 - total)
      .one().n;
    if (total > cap) break;
  }
  return total;
}
