import { DEFAULT_FAN_OUT_SHARE } from "./frame-pacer";

/**
 * A dashboard's settings: delivery (frame rate, fan-out share, relays), retention (raw window, per-series
 * cap, rollup window) and ingest rate limits, read from Worker vars (wrangler.toml `[vars]`) so an
 * operator can change them without code. Invalid values fall back to the default with a log
 * line, since a dashboard that refuses to start helps no one.
 */
export interface DashboardSettings {
  /** Most frames per second each viewer receives (`MAX_FRAMES_PER_SECOND`, default 10). */
  maxFramesPerSecond: number;
  /** Most of a dashboard object's time its frames may take, in (0, 1] (`FAN_OUT_SHARE`, default 0.7). */
  fanOutShare: number;
  /** How long raw points are kept, in ms (`RAW_RETENTION_HOURS`, default 24 h). */
  rawRetentionMs: number;
  /** Most raw points kept per series (`RAW_POINTS_PER_SERIES`, default 100,000). */
  rawPointsPerSeries: number;
  /** How long per-minute rollups are kept, in ms (`ROLLUP_RETENTION_DAYS`, default 30 days). */
  rollupRetentionMs: number;
  /** Ingest requests per second per dashboard (`RATE_LIMIT_REQUESTS_PER_SECOND`, default 1,000). */
  requestsPerSecond: number;
  /** Points per second per dashboard (`RATE_LIMIT_POINTS_PER_SECOND`, default 100,000). */
  pointsPerSecond: number;
  /**
   * Viewers a dashboard's own object holds before new viewers go to its relays
   * (`RELAY_AFTER_VIEWERS`, default 1,000; 0 sends every viewer to a relay).
   */
  relayAfterViewers: number;
  /** Viewers each relay is meant to hold: relays are added as the audience grows (`VIEWERS_PER_RELAY`, default 1,000). */
  viewersPerRelay: number;
  /**
   * Relays one object pushes to: the dashboard's first relays take its frames, each of those
   * passes them on to as many more, and so on (`RELAY_FAN_OUT`, default 32).
   */
  relayFanOut: number;
  /**
   * How long a Worker reuses a dashboard's answer that its viewers go to relays, in ms
   * (`RELAY_ROUTE_CACHE_MS`, default 1,000; 0 asks the dashboard for every viewer).
   */
  relayRouteCacheMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && value > 0) return value;
  console.warn(`${name}="${raw}" is not a positive number; using ${fallback}`);
  return fallback;
}

function atLeastZero(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && value >= 0) return value;
  console.warn(`${name}="${raw}" is not a number of at least 0; using ${fallback}`);
  return fallback;
}

function share(raw: string | undefined, fallback: number, name: string): number {
  const value = positive(raw, fallback, name);
  if (value <= 1) return value;
  console.warn(`${name}="${raw}" is more than 1; using ${fallback}`);
  return fallback;
}

/** The Worker vars the settings are read from (README, "Settings"). */
export type SettingName =
  | "MAX_FRAMES_PER_SECOND"
  | "FAN_OUT_SHARE"
  | "RAW_RETENTION_HOURS"
  | "RAW_POINTS_PER_SERIES"
  | "ROLLUP_RETENTION_DAYS"
  | "RATE_LIMIT_REQUESTS_PER_SECOND"
  | "RATE_LIMIT_POINTS_PER_SECOND"
  | "RELAY_AFTER_VIEWERS"
  | "VIEWERS_PER_RELAY"
  | "RELAY_FAN_OUT"
  | "RELAY_ROUTE_CACHE_MS";

/** The settings in force for `vars` (missing or invalid ones take their defaults). */
export function dashboardSettings(vars: { [Name in SettingName]?: string }): DashboardSettings {
  const text = (name: SettingName) => (typeof vars[name] === "string" ? vars[name] : undefined);
  return {
    maxFramesPerSecond: positive(text("MAX_FRAMES_PER_SECOND"), 10, "MAX_FRAMES_PER_SECOND"),
    fanOutShare: share(text("FAN_OUT_SHARE"), DEFAULT_FAN_OUT_SHARE, "FAN_OUT_SHARE"),
    rawRetentionMs: positive(text("RAW_RETENTION_HOURS"), 24, "RAW_RETENTION_HOURS") * HOUR_MS,
    rawPointsPerSeries: Math.floor(positive(text("RAW_POINTS_PER_SERIES"), 100_000, "RAW_POINTS_PER_SERIES")),
    rollupRetentionMs: positive(text("ROLLUP_RETENTION_DAYS"), 30, "ROLLUP_RETENTION_DAYS") * DAY_MS,
    requestsPerSecond: positive(text("RATE_LIMIT_REQUESTS_PER_SECOND"), 1000, "RATE_LIMIT_REQUESTS_PER_SECOND"),
    pointsPerSecond: positive(text("RATE_LIMIT_POINTS_PER_SECOND"), 100_000, "RATE_LIMIT_POINTS_PER_SECOND"),
    relayAfterViewers: Math.floor(atLeastZero(text("RELAY_AFTER_VIEWERS"), 1000, "RELAY_AFTER_VIEWERS")),
    viewersPerRelay: Math.ceil(positive(text("VIEWERS_PER_RELAY"), 1000, "VIEWERS_PER_RELAY")),
    relayFanOut: Math.max(1, Math.floor(positive(text("RELAY_FAN_OUT"), 32, "RELAY_FAN_OUT"))),
    relayRouteCacheMs: atLeastZero(text("RELAY_ROUTE_CACHE_MS"), 1000, "RELAY_ROUTE_CACHE_MS"),
  };
}
