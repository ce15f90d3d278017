/**
 * The wire protocol between a dashboard's Durable Object and the browsers watching it.
 * This file is shared by the server and the page, so it may use neither DOM nor Workers APIs.
 * Documented for outside clients in docs/protocol.md.
 */
import type { Panel } from "./dashboard-config.ts";
import type { Variable } from "./template-variables.ts";

/** Text a viewer sends to check the connection; answered without waking the object. */
export const HEARTBEAT_REQUEST = "ping";
/** The runtime's automatic answer to {@link HEARTBEAT_REQUEST}. */
export const HEARTBEAT_RESPONSE = "pong";

/** Tags of a series: label name to label value. */
export type Tags = Record<string, string>;

/** The points of one series inside a frame, columnar as uPlot draws them. */
export interface SeriesPoints {
  /** Canonical series identity: `name` followed by its sorted tags, e.g. `cpu{host=a}`. */
  key: string;
  /** Metric name, e.g. `cpu.load`. */
  name: string;
  /** Tags of the series (may be empty). */
  tags: Tags;
  /** Point times in milliseconds since the epoch, ascending within a frame. */
  ts: number[];
  /** Point values; `values[i]` belongs to `ts[i]`. */
  values: number[];
}

/** A point in time with a text, drawn on a dashboard's time charts. */
export interface Annotation {
  /** Its id within the dashboard (1, 2, 3, ...). */
  id: number;
  /** When, ms since the epoch. */
  ts: number;
  /** What happened, for people. */
  text: string;
  /** Tags, as on points (e.g. `{"service": "api"}`). */
  tags: Tags;
}

/** Every message the server sends, discriminated by `type`. */
export type ServerMessage =
  | {
      /** First message on every connection. */
      type: "hello";
      /** Dashboard id. */
      dashboard: string;
      /** Human title of the dashboard. */
      title: string;
      /** Sequence number of the newest stored point (0 when none). */
      seq: number;
      /** Viewers connected, this one included. */
      viewers: number;
      /** Server clock in milliseconds since the epoch, for staleness display. */
      serverTime: number;
      /** Most frames per second this viewer will receive. */
      maxFramesPerSecond: number;
      /** The dashboard's panels, in display order. */
      panels: Panel[];
      /** The dashboard's template variables; absent when it has none. */
      variables?: Variable[];
    }
  | {
      /** The dashboard's title, panels or variables changed (`PUT /api/dashboards/:id`). */
      type: "config";
      /** Title now. */
      title: string;
      /** Panels now, in display order. */
      panels: Panel[];
      /** Template variables now; absent when there are none (any there were are gone). */
      variables?: Variable[];
    }
  | {
      /**
       * Recent history of every subscribed series; replaces all the viewer holds. Sent after
       * `hello` unless a resume succeeds, and after every `subscribe`.
       */
      type: "snapshot";
      /** The snapshot holds every point up to and including this sequence number. */
      seq: number;
      /** True when the viewer asked to resume but what it missed is no longer kept: redraw. */
      reset: boolean;
      /** Most recent points of each series (at most `perSeries` each). */
      series: SeriesPoints[];
      /**
       * Most points any series may carry in this snapshot: 600, or fewer when many series
       * share the snapshot's point budget (40,000 points), so a series with this many
       * points may have older ones, which the history request can fetch.
       */
      perSeries: number;
    }
  | {
      /**
       * Points with sequence numbers `from`..`to`, grouped by series (only subscribed series;
       * the range still counts every point, so `to` is the viewer's new position).
       */
      type: "points";
      /** Sequence number of the first point the frame covers. */
      from: number;
      /** Sequence number of the last point the frame covers. */
      to: number;
      /** True for frames that replay stored points to a resuming viewer. */
      replay: boolean;
      /** The frame's points, grouped by series, each in sequence order. */
      series: SeriesPoints[];
    }
  | {
      /** A resume finished: everything after `since` up to `seq` was replayed. */
      type: "resumed";
      /** The sequence number the viewer resumed from. */
      since: number;
      /** The viewer is now at this sequence number; live frames follow. */
      seq: number;
      /** How many missed points of the subscribed series were replayed. */
      points: number;
    }
  | {
      /** The viewer's subscription is now this set of patterns. */
      type: "subscribed";
      /** Series names, keys or glob patterns (`*`, `?`); `["*"]` is everything. */
      series: string[];
    }
  | ({
      /** Answer to a `history` request. */
      type: "history";
      /** The request's `id`, echoed. */
      id: string;
    } & HistoryResult)
  | {
      /**
       * Annotations were added or removed (`POST`/`DELETE /api/dashboards/:id/annotations`).
       * A viewer reads the annotations of the span it shows over HTTP when it connects, and
       * hears of changes here while connected.
       */
      type: "annotations";
      /** Annotations added, in time order. */
      added: Annotation[];
      /** Ids of annotations removed. */
      removed: number[];
    }
  | {
      /** The number of connected viewers changed. */
      type: "viewers";
      /** Viewers connected now. */
      count: number;
    }
  | {
      /** The server could not act on something this viewer sent. */
      type: "error";
      /** Machine-readable reason, e.g. `invalid_message`. */
      code: string;
      /** What happened, for people. */
      message: string;
      /** The `id` of the request at fault, when it had one. */
      id?: string;
    };

/** Every message a viewer may send (JSON text), besides the `ping` heartbeat. */
export type ClientMessage =
  | {
      /** Replay what was missed: every point after `since`, then live frames. */
      type: "resume";
      /** The last sequence number the viewer holds (`to` of its last frame, or a snapshot's `seq`). */
      since: number;
    }
  | {
      /** Receive only these series from now on; answered with `subscribed` and a `snapshot`. */
      type: "subscribe";
      /** Series names, keys or glob patterns (`*` any run of characters, `?` one character). */
      series: string[];
    }
  | {
      /** Ask for history; answered with a `history` message carrying the same `id`. */
      type: "history";
      /** Caller's id for matching the answer (1-64 characters). */
      id: string;
      /** Series names, keys or glob patterns. */
      series: string[];
      /** Range start, milliseconds since the epoch (inclusive). */
      from: number;
      /** Range end, milliseconds since the epoch (exclusive). */
      to: number;
      /** Bucket width in milliseconds; chosen from the range when absent. */
      step?: number;
    };

/** Time-bucketed history of some series, as the history query returns it. */
export interface HistoryResult {
  /** Range start (inclusive), aligned down to `step`. */
  from: number;
  /** Range end (exclusive). */
  to: number;
  /** Bucket width in milliseconds. */
  step: number;
  /** Where the buckets came from: raw points or per-minute rollups. */
  source: "raw" | "rollup";
  /** One entry per matching series; buckets without data are left out. */
  series: HistorySeries[];
}

/** One series' buckets: `ts[i]` is the start of the bucket that `min[i]`..`count[i]` describe. */
export interface HistorySeries {
  /** Canonical series key. */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags. */
  tags: Tags;
  /** Bucket start times, ascending. */
  ts: number[];
  /** Smallest value in the bucket. */
  min: number[];
  /** Largest value in the bucket. */
  max: number[];
  /** Mean of the bucket's values. */
  avg: number[];
  /** Value of the bucket's latest point. */
  last: number[];
  /** Number of points in the bucket. */
  count: number[];
}

/**
 * WebSocket close codes the server uses. 1000-1999 and 4500-4999: reconnecting is fine;
 * 4000-4499: do not reconnect as is (the client must change what it sends first).
 */
export const CloseCode = {
  /** The viewer or server closed normally. */
  normal: 1000,
  /** The viewer's socket failed to take a message and was dropped; reconnecting is safe. */
  sendFailed: 1011,
  /**
   * The dashboard's object restarted (it was evicted) while it was sending this viewer its
   * snapshot or replay, which the new instance cannot finish: reconnect with `since` (the
   * last position held) to get the rest. RFC 6455's registry: "Service Restart".
   */
  restarted: 1012,
  /**
   * The token that let this viewer into a private dashboard was revoked: reconnecting with
   * it is refused (403), so do not, until given another key.
   */
  revoked: 4403,
  /** The viewer sent too many invalid messages in a window; fix the client before reconnecting. */
  tooManyInvalidMessages: 4008,
  /**
   * The dashboard was deleted (`DELETE /api/dashboards/:id`), with all its data: there is
   * nothing to reconnect to, unless a dashboard is created again under the same id.
   */
  deleted: 4404,
  /**
   * The viewer asked for more than its budget (messages, or snapshot, replay and history
   * points per window). In the "reconnect" range: a new socket starts with a fresh budget,
   * so a client that waits {@link OVER_BUDGET_RETRY_MS} and asks less is served again,
   * while a flooder still costs at most one budget per connection.
   */
  overBudget: 4529,
} as const;

/**
 * Whether a close code tells the client not to reconnect as is: 4000-4499 (the client must
 * change what it sends first). Every other code may be retried with backoff.
 */
export function isFinalClose(code: number): boolean {
  return code >= 4000 && code < 4500;
}

/** How long a client closed with {@link CloseCode.overBudget} waits before reconnecting: one budget window. */
export const OVER_BUDGET_RETRY_MS = 10_000;

/** Largest client message the server reads, in bytes; larger ones get an `error` frame. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;
/** Invalid client messages within one 10 s budget window after which the server closes with 4008. */
export const MAX_INVALID_MESSAGES = 10;
