import type { Tags } from "../shared/protocol";

/**
 * Validated points of one series, columnar, as the Worker hands them to a dashboard. Typed
 * arrays cross the RPC boundary as raw bytes, far cheaper than thousands of small objects.
 */
export interface SeriesBatch {
  /** Canonical series key (`seriesKey(name, tags)`), computed once by the Worker. */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags of the series. */
  tags: Tags;
  /** Point times, milliseconds since the epoch, in request order. */
  ts: Float64Array;
  /** Point values (finite), `values[i]` at `ts[i]`. */
  values: Float64Array;
  /** Where each point came from in the request: its index (JSON) or line (NDJSON, line protocol). */
  items: Uint32Array;
}

/** An item of the request that was not stored, and why. Exactly one of `index` and `line` is set. */
export interface Rejection {
  /** Position of the point in a JSON body (0-based). */
  index?: number;
  /** Line of an NDJSON or line-protocol body (1-based). */
  line?: number;
  /** Field at fault, e.g. `value` or `tags.host` (absent when the whole item is wrong). */
  field?: string;
  /** What is wrong, for people. */
  message: string;
}

/** How the items of a request are numbered: by index (JSON arrays) or by line. */
export type ItemUnit = "index" | "line";

/** A rejection of the item numbered `item` in `unit`. */
export function rejection(unit: ItemUnit, item: number, message: string, field?: string): Rejection {
  const where = unit === "index" ? { index: item } : { line: item };
  return field === undefined ? { ...where, message } : { ...where, field, message };
}

/** Number of points in some series batches. */
export function pointCount(series: readonly SeriesBatch[]): number {
  let count = 0;
  for (const batch of series) count += batch.ts.length;
  return count;
}
