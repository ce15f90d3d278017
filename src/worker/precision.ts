import type { Precision } from "../ingest/line-protocol-points";
import { ApiError } from "./errors";

/**
 * Spellings of line-protocol time precision on each route: the native route and InfluxDB
 * 2.x's `/api/v2/write` take `ns us ms s`; InfluxDB 1.x's `/write` also its short forms
 * (`n`, `u`, `µs`) and minutes and hours (`m`, `h`).
 */
export const PRECISIONS = {
  v2: { ns: "ns", us: "us", ms: "ms", s: "s" },
  v1: { n: "ns", ns: "ns", u: "us", us: "us", "µs": "us", ms: "ms", s: "s", m: "m", h: "h" },
} as const satisfies Record<string, Record<string, Precision>>;

/**
 * The precision named by a `precision` parameter, if `spellings` has it; otherwise 400. The
 * message lists the ASCII spellings only, since it also travels in a header (`µs` is taken,
 * as `us` is).
 */
export function parsePrecision(raw: string, spellings: Readonly<Record<string, Precision>>): Precision {
  const precision = Object.hasOwn(spellings, raw) ? spellings[raw] : undefined;
  if (!precision) {
    const shown = raw.length > 20 ? `${raw.slice(0, 20)}...` : raw;
    const names = Object.keys(spellings).filter((name) => /^[a-z]+$/.test(name));
    throw new ApiError(400, "invalid_parameter", `precision must be one of ${names.join(", ")}, not ${JSON.stringify(shown)}`, { field: "precision" });
  }
  return precision;
}
