/**
 * The wire protocol between a dashboard's Durable Object and the browsers watching it.
 * This file is shared by the server and the page, so it may use neither DOM nor Workers APIs.
 * Documented for outside clients in README.md ("Viewer WebSocket").
 */

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
    }
  | {
      /** Recent history of every series, sent right after `hello`. */
      type: "snapshot";
      /** The snapshot holds every point up to and including this sequence number. */
      seq: number;
      /** Most recent points of each series (bounded per series). */
      series: SeriesPoints[];
    }
  | {
      /** Points stored by one ingest request. */
      type: "points";
      /** Sequence number of the first point in the frame. */
      from: number;
      /** Sequence number of the last point in the frame. */
      to: number;
      /** The frame's points, grouped by series. */
      series: SeriesPoints[];
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
      /** Machine-readable reason, e.g. `unsupported_message`. */
      code: string;
      /** What happened, for people. */
      message: string;
    };

/** WebSocket close codes the server uses; 4000-4499 mean "do not reconnect as is". */
export const CloseCode = {
  /** The viewer or server closed normally. */
  normal: 1000,
  /** The viewer's socket failed to take a message and was dropped; reconnecting is safe. */
  sendFailed: 1011,
} as const;

/** Builds the canonical key of a series from its name and tags (tags sorted by name). */
export function seriesKey(name: string, tags: Tags): string {
  const names = Object.keys(tags).sort();
  if (names.length === 0) return name;
  return `${name}{${names.map((tag) => `${tag}=${tags[tag]}`).join(",")}}`;
}
