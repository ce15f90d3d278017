import type { HistoryResult } from "../common/protocol";
import { limits } from "../common/limits";
import type { SeriesInfo } from "../common/dashboard-info";
import { bucketOf, fold, type Bucket } from "./bucket-fold";
import type { DashboardStore } from "./dashboard-store";
import type { ViewVerdict } from "./view-access";
import { chunkOf, seqAt, type ChunkRow, type PointChunk } from "./point-chunk";

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

type RollupRow = { minute: number; min: number; max: number; sum: number; count: number; last: number; last_ts: number; last_seq: number };

/**
 * One slice of a history read: at most this many rows and (for raw chunks, which hold up to
 * 5,000 points each) about this many points: a few ms of the object's time here
 * (bench/in-runtime/history-slices.measure.ts). Live frames, ingest and other requests run
 * between slices.
 */
export const HISTORY_SLICE_ROWS = 2_000;
export const HISTORY_SLICE_POINTS = 50_000;

/**
 * A history read in slices: each `yield` ends a slice and says the work it did (raw points
 * read, or rollup rows); it returns the answer, or a refusal once it has read more than
 * {@link limits.maxHistoryScan} of them. The caller decides what runs between slices, and
 * keeps the tables still meanwhile: no merging, rolling up or pruning until the read is done.
 * Writes go on: raw points stored after the read began are left out, so a point written
 * meanwhile is never counted twice (a write that replaces a point the read has not reached
 * yet leaves that point out of this one answer; see point-identity.ts).
 */
export type HistoryRead = Generator<number, HistoryResult | HistoryRefusal, void>;

/**
 * Buckets of `step` ms aligned to multiples of `step`. Raw points answer when the whole range
 * lies inside the raw window and spans at most {@link RAW_QUERY_MAX_MS}; otherwise per-minute
 * rollups do, with the step rounded up to whole minutes (the response says which step and
 * source it used). Each series is read in time order, page by page, and folded here.
 */
export function* readHistory(store: DashboardStore, request: HistoryRequest, rawSince: number): HistoryRead {
  const sql = store.sql;
  const { raw, step } = historySource(request, rawSince);
  const from = Math.floor(request.from / step) * step;
  const through = store.meta()!.seq;
  const buckets = new Map<number, Map<number, Bucket>>();
  const slice = { rows: 0, points: 0 };
  let read = 0;
  for (const id of request.series.keys()) {
    const own = new Map<number, Bucket>();
    // Raw: chunks whose last point is at `from` or later (sequence numbers start at 1); rollups: minutes from `from` on.
    const cursor: PageCursor = { ts: from, seq: -1, done: false };
    while (!cursor.done) {
      const room = HISTORY_SLICE_ROWS - slice.rows;
      const page = raw
        ? rawPage(sql, id, { from, to: request.to, step, through }, cursor, room, HISTORY_SLICE_POINTS - slice.points, own)
        : rollupPage(sql, id, request.to, step, cursor, room, own);
      slice.rows += page.rows;
      slice.points += page.points;
      read += raw ? page.points : page.rows;
      if (read > limits.maxHistoryScan) return scanRefusal(raw);
      if (slice.rows >= HISTORY_SLICE_ROWS || slice.points >= HISTORY_SLICE_POINTS) {
        yield raw ? slice.points : slice.rows;
        slice.rows = slice.points = 0;
      }
    }
    if (own.size > 0) buckets.set(id, own);
  }
  if (slice.rows > 0) yield raw ? slice.points : slice.rows;
  return answerOf(request, from, step, raw, buckets);
}

/**
 * Ends a read before its last slice (its caller gave up: the socket went over its budget, or
 * closed), so that whatever waits for reads under way (maintenance) stops waiting for it.
 */
export function stopRead(read: HistoryRead): void {
  read.return({ error: "the read was stopped before its end", field: "" });
}

function scanRefusal(raw: boolean): HistoryRefusal {
  const what = raw ? "raw points" : "per-minute rollup rows";
  return {
    error:
      `this range holds more than ${limits.maxHistoryScan} ${what} of the matching series, the most one answer reads; ` +
      `ask for a shorter range (from, to) or fewer series` +
      (raw ? `; ranges longer than ${RAW_QUERY_MAX_MS / 3_600_000} hours read per-minute rollups` : ""),
    field: "from",
  };
}

function answerOf(request: HistoryRequest, from: number, step: number, raw: boolean, buckets: Map<number, Map<number, Bucket>>): HistoryResult {
  const result: HistoryResult = { from, to: request.to, step, source: raw ? "raw" : "rollup", series: [] };
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

/** Where a series' read goes on: after the row at (`ts`, `seq`), in the read's order. */
interface PageCursor {
  ts: number;
  seq: number;
  done: boolean;
}

/** What one page read. */
interface Page {
  rows: number;
  points: number;
}

/** What a raw read folds: points in [`from`, `to`) stored up to sequence number `through`, in buckets of `step` ms. */
interface RawSpan {
  from: number;
  to: number;
  step: number;
  through: number;
}

/**
 * The next chunks of one series overlapping the span, along the (series_id, max_ts) index
 * (first_seq breaks ties: it is the rowid the index ends with), each unpacked and folded
 * into `own`: at most `rows` rows, stopping once past `points` points.
 */
function rawPage(sql: SqlStorage, id: number, span: RawSpan, cursor: PageCursor, rows: number, points: number, own: Map<number, Bucket>): Page {
  const page: Page = { rows: 0, points: 0 };
  for (const row of sql.exec<ChunkRow & { max_ts: number }>(
    "SELECT first_seq, series_id, max_ts, ts, vals, seqs FROM chunks WHERE series_id = ? AND (max_ts, first_seq) > (?, ?) AND min_ts < ? ORDER BY max_ts, first_seq LIMIT ?",
    id,
    cursor.ts,
    cursor.seq,
    span.to,
    rows,
  )) {
    page.rows++;
    cursor.ts = row.max_ts;
    cursor.seq = row.first_seq;
    page.points += foldChunk(chunkOf(row), own, span);
    if (page.points >= points) return page;
  }
  cursor.done = page.rows < rows;
  return page;
}

/** Folds the points of `chunk` inside the span into `own`; returns how many points it read. */
function foldChunk(chunk: PointChunk, own: Map<number, Bucket>, { from, to, step, through }: RawSpan): number {
  // Points mostly come in time order, so the previous point's bucket is tried first.
  let bucket: Bucket | undefined;
  let bucketStart = NaN;
  for (let i = 0; i < chunk.ts.length; i++) {
    const ts = chunk.ts[i]!;
    if (ts < from || ts >= to) continue;
    const seq = seqAt(chunk, i);
    if (seq > through) continue;
    const value = chunk.values[i]!;
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
  return chunk.ts.length;
}

/** The next per-minute rollups of one series in [cursor, `to`), in minute order, merged into buckets of `step`: at most `rows`. */
function rollupPage(sql: SqlStorage, id: number, to: number, step: number, cursor: PageCursor, rows: number, own: Map<number, Bucket>): Page {
  const page: Page = { rows: 0, points: 0 };
  for (const row of sql.exec<RollupRow>(
    "SELECT minute, min, max, sum, count, last, last_ts, last_seq FROM rollups WHERE series_id = ? AND minute >= ? AND minute < ? ORDER BY minute LIMIT ?",
    id,
    cursor.ts,
    to,
    rows,
  )) {
    page.rows++;
    cursor.ts = row.minute + 1;
    // `%` on integers: a minute is a whole number of ms.
    const start = row.minute - (row.minute % step);
    const bucket = own.get(start);
    if (!bucket) {
      own.set(start, { min: row.min, max: row.max, sum: row.sum, count: row.count, last: row.last, lastTs: row.last_ts, lastSeq: row.last_seq });
      continue;
    }
    bucket.min = Math.min(bucket.min, row.min);
    bucket.max = Math.max(bucket.max, row.max);
    bucket.sum += row.sum;
    bucket.count += row.count;
    if (row.last_ts > bucket.lastTs || (row.last_ts === bucket.lastTs && row.last_seq > bucket.lastSeq)) {
      bucket.last = row.last;
      bucket.lastTs = row.last_ts;
      bucket.lastSeq = row.last_seq;
    }
  }
  cursor.done = page.rows < rows;
  return page;
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

/** Outcome of a history call. */
export type HistoryOutcome =
  | { status: "ok"; result: HistoryResult }
  | { status: "not_found" }
  | { status: Exclude<ViewVerdict, "allowed"> }
  | { status: "invalid"; field: string; message: string };

/** A finished history read as a call's outcome. */
export function historyOutcome(answer: HistoryResult | HistoryRefusal): HistoryOutcome {
  return "error" in answer ? { status: "invalid", field: answer.field, message: answer.error } : { status: "ok", result: answer };
}

/**
 * Checks a history query and picks a step when none is given, so that one answer stays
 * within {@link limits.maxHistoryCells} buckets x series: a Durable Object has 128 MB of
 * memory (https://developers.cloudflare.com/durable-objects/platform/limits/). Every refusal
 * names the parameter to change and says to what. Reads nothing: the other limit, on what
 * one answer reads ({@link limits.maxHistoryScan}), is kept by `readHistory` as it reads.
 */
export function planHistory(ask: HistoryAsk, rawSince: number): HistoryRequest | HistoryRefusal {
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
  return request;
}
