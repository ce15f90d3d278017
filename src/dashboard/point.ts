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
}

/** A point of the request that was not stored, and why. */
export interface Rejection {
  /** Position of the point in the request (0-based). */
  index: number;
  /** Field at fault, e.g. `value` or `tags.host` (absent when the whole item is wrong). */
  field?: string;
  /** What is wrong, for people. */
  message: string;
}
