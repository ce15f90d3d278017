import { patternsProblem, splitPatterns } from "../common/series-pattern";
import { ApiError } from "./errors";

/** Parsed parameters of `GET /api/dashboards/:id/series`. */
export interface HistoryParams {
  /** Series names, keys or glob patterns (`names=a,b*`; default every series). */
  patterns: string[];
  /** Range start, ms (default: an hour before `to`). */
  from: number;
  /** Range end, ms (default: now). */
  to: number;
  /** Bucket width, ms (default: chosen from the range). */
  step?: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function invalid(field: string, message: string): ApiError {
  return new ApiError(400, "invalid_parameter", message, { field });
}

/** A time: milliseconds since the epoch or an RFC 3339 string. */
export function parseTime(raw: string, field: string): number {
  if (/^\d{1,15}$/.test(raw)) return Number(raw);
  const parsed = Date.parse(raw);
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw) && Number.isFinite(parsed)) return parsed;
  throw invalid(field, `${field} must be milliseconds since the epoch or an RFC 3339 time, not "${raw}"`);
}

/** A duration: whole milliseconds, or a number with a unit (`500ms`, `10s`, `5m`, `1h`, `1d`). */
function parseStep(raw: string): number {
  const match = raw.match(/^(\d{1,12})(ms|s|m|h|d)?$/);
  const step = match ? Number(match[1]) * UNIT_MS[match[2] ?? "ms"]! : NaN;
  if (!(step > 0)) throw invalid("step", `step must be a positive duration such as 60000, 10s, 5m or 1h, not "${raw}"`);
  return step;
}

/** Reads and checks the query string; every error names its parameter. */
export function parseHistoryParams(query: URLSearchParams, now: number): HistoryParams {
  for (const name of query.keys()) {
    if (!["names", "from", "to", "step"].includes(name)) throw invalid(name, `unknown parameter "${name}"; use names, from, to and step`);
  }
  const names = query.get("names");
  const patterns = names === null ? ["*"] : splitPatterns(names);
  const problem = patternsProblem(patterns);
  if (problem !== null) {
    throw invalid("names", `names takes comma-separated series names, keys or glob patterns: ${problem}`);
  }
  const to = query.has("to") ? parseTime(query.get("to")!, "to") : now;
  const from = query.has("from") ? parseTime(query.get("from")!, "from") : to - 3_600_000;
  const step = query.has("step") ? parseStep(query.get("step")!) : undefined;
  return step === undefined ? { patterns, from, to } : { patterns, from, to, step };
}
