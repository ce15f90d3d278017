import type { Precision } from "../ingest/line-protocol-points";
import { ApiError } from "./errors";

/** Spellings of line-protocol time precision, InfluxDB v1's short ones included. */
const SPELLINGS: Record<string, Precision> = { ns: "ns", n: "ns", us: "us", u: "us", "µs": "us", ms: "ms", s: "s" };

/** The precision named by a `precision` parameter, if it is one of `allowed`; otherwise 400. */
export function parsePrecision(raw: string, allowed: string[]): Precision {
  const precision = allowed.includes(raw) ? SPELLINGS[raw] : undefined;
  if (!precision) {
    const shown = raw.length > 20 ? `${raw.slice(0, 20)}...` : raw;
    throw new ApiError(400, "invalid_parameter", `precision must be one of ${allowed.join(", ")}, not ${JSON.stringify(shown)}`, { field: "precision" });
  }
  return precision;
}
