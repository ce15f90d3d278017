import type { Tags } from "../shared/protocol";

/** A validated point as the Worker hands it to a dashboard object. */
export interface Point {
  /** Canonical series key (`seriesKey(name, tags)`), computed once by the Worker. */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags of the series. */
  tags: Tags;
  /** Time in milliseconds since the epoch. */
  ts: number;
  /** Finite value. */
  value: number;
  /** Where the point came from in the request: its index (JSON) or line number (NDJSON, line protocol). */
  item: number;
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
