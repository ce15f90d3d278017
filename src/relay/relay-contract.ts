import type { Panel } from "../common/dashboard-config";
import type { Variable } from "../common/template-variables";
import type { SeriesInfo } from "../common/dashboard-info";
import type { Annotation, SeriesPoints } from "../common/protocol";
import type { PointRun } from "../dashboard/stream-source";

/**
 * What a dashboard's object and its relays say to each other over RPC. A relay holds a share
 * of one dashboard's viewer sockets; the dashboard pushes each frame to it once, and it sends
 * the frame on to its viewers exactly as the dashboard would.
 */

/** Which relay of which dashboard: relay `index` of dashboard `dashboard`. */
export interface RelayAddress {
  dashboard: string;
  index: number;
}

/** The object name of a relay: ids cannot hold "/", so no dashboard id is a relay's name. */
export function relayName(address: RelayAddress): string {
  return `${address.dashboard}/relay/${address.index}`;
}

/** The relay a name given by {@link relayName} names, or null for any other name. */
export function relayAddressOf(name: string | undefined): RelayAddress | null {
  const match = name === undefined ? null : /^(.+)\/relay\/(0|[1-9]\d{0,8})$/.exec(name);
  return match ? { dashboard: match[1]!, index: Number(match[2]) } : null;
}

/**
 * The relay that pushes frames to relay `index`, or null for the dashboard itself: relays
 * form a tree in breadth-first order, `fanOut` children per object (the dashboard's are
 * 0..fanOut-1, relay 0's the next fanOut, and so on), so a dashboard pushes to at most
 * `fanOut` relays however large its audience, and k levels hold fanOut^k relays.
 */
export function parentIndex(index: number, fanOut: number): number | null {
  return index < fanOut ? null : Math.floor(index / fanOut) - 1;
}

/** Header the Worker adds to a viewer's upgrade to say it can send the viewer to a relay instead. */
export const RELAY_ROUTING_HEADER = "X-Pulseboard-Relay-Routing";
/** Header of the dashboard's answer that the viewer is to go to a relay: the body is a {@link RelayRoute}. */
export const RELAY_ROUTE_HEADER = "X-Pulseboard-Relay-Route";

/** The dashboard's answer to a viewer's upgrade when its viewers go to relays. */
export interface RelayRoute {
  /** How many relays take new viewers (indices 0 to `relays - 1`). */
  relays: number;
  /** The one of them holding the fewest viewers, as far as the dashboard knows: the next viewer's. */
  emptiest: number;
  /** How many more viewers that relay is meant to take. */
  room: number;
  /**
   * `VIEWERS_PER_RELAY`: a Worker sending many viewers on from one answer fills the emptiest
   * relay's room, then relays `relays`, `relays + 1`, ... this many each.
   */
  viewersPerRelay: number;
  /**
   * A private dashboard's tokens (any of them lets a viewer in), which the Worker checks
   * before a relay sees the socket: each token's id and the SHA-256 hex of its secret. Null
   * for a public dashboard.
   */
  readers: { id: string; hash: string }[] | null;
}

/**
 * Header the Worker sets on a private dashboard's viewer upgrade it hands to a relay: the id
 * of the token that let the viewer in, so the relay can close it when the token is revoked.
 * Only the Worker reaches a relay, and it replaces whatever a client sent.
 */
export const RELAY_VIEWER_TOKEN_HEADER = "X-Pulseboard-Viewer-Token";

/** The dashboard's description that a viewer's `hello` carries. */
export interface RelayHello {
  dashboard: string;
  title: string;
  panels: Panel[];
  /** Template variables; absent when there are none. */
  variables?: Variable[];
}

/** What a relay starts from: the dashboard's newest points per series at a position, and who it is. */
export interface RelayBase {
  hello: RelayHello;
  /** The position the base is at: every point up to it is in `series` (within `perSeries`). */
  seq: number;
  /** Highest sequence number the dashboard no longer holds. */
  prunedSeq: number;
  /** Newest points taken per series (a series with fewer has no older points). */
  perSeries: number;
  /** Series with their newest points up to `seq`, in key order: as many as one fetch carries. */
  series: SeriesPoints[];
  /** The other series, without points: the relay fetches theirs when a viewer needs them. */
  withheld: SeriesInfo[];
  /** The dashboard's whole audience (its own viewers and every relay's). */
  viewers: number;
  /**
   * A private dashboard's token ids at the base's position (absent for a public one): the
   * relay lets in a viewer the Worker admitted with one of them, and asks the dashboard about
   * any other (a token made since), so a token revoked before the relay attached is refused too.
   */
  tokens?: string[];
}

/**
 * `base` for a relay starting afresh at the dashboard's broadcast position; `resume` for one
 * whose viewers were sent every point up to `through`, which it continues from.
 */
export type AttachOutcome =
  | { status: "ok"; base: RelayBase }
  | { status: "not_found" }
  /** The points after `through` are gone or too many to replay: the relay's viewers start afresh. */
  | { status: "too_far" };

/** One push from the dashboard to a relay. */
export interface RelayUpdate {
  address: RelayAddress;
  /** A frame: the points with sequence numbers `run.from`..`run.to`. */
  run?: PointRun;
  /** The dashboard's broadcast position: a relay behind it has missed a push and refills. */
  through: number;
  /** The dashboard's whole audience, when it changed. */
  viewers?: number;
  /** The dashboard's new title, panels and variables (absent: none), when they changed. */
  config?: { title: string; panels: Panel[]; variables?: Variable[] };
  /** Annotations added or removed, when some were. */
  annotations?: AnnotationChange;
  /** Ids of tokens just revoked: the relay closes the viewers they let in (4403) and lets no new one in with them. */
  revoked?: string[];
}

/** Annotations added and removed at once, as viewers hear of them (`annotations` message). */
export interface AnnotationChange {
  added: Annotation[];
  removed: number[];
}

/** A relay's answer to a push: its position and its own viewer count, or that it holds no viewers. */
export type RelayAck = { status: "ok"; generation: string; seq: number; viewers: number } | { status: "detached" };

/** Most points one answer to a relay's fetch carries (a few milliseconds of reading). */
export const RELAY_FETCH_POINTS = 10_000;

/**
 * How many series' newest `perSeries` points one fetch carries (at least one): an attach
 * or a relay's snapshot reads the rest in further calls, so the dashboard never reads more
 * than about {@link RELAY_FETCH_POINTS} for a relay in one turn.
 */
export function seriesPerFetch(perSeries: number): number {
  return Math.max(1, Math.floor(RELAY_FETCH_POINTS / Math.max(1, perSeries)));
}

/**
 * Where a relay attaching with `through` (null: afresh) starts, given its upstream's
 * positions: there, or null when the points after it are gone, ahead, or too many to replay.
 */
export function attachPosition(positions: { broadcastSeq: number; prunedSeq: number }, through: number | null, maxReplay: number): number | null {
  const seq = through ?? positions.broadcastSeq;
  if (seq > positions.broadcastSeq || seq < positions.prunedSeq || positions.broadcastSeq - seq > maxReplay) return null;
  return seq;
}

/** Points a relay asks the dashboard for: a run after `after`, or the sign that they are gone. */
export type RangeOutcome = { status: "ok"; run: PointRun & { count: number } } | { status: "pruned"; prunedSeq: number } | { status: "not_found" };
