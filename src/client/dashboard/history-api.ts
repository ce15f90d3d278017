/** Reads bucketed history over HTTP (`GET /api/dashboards/<id>/series`) for the range picker. */
import type { HistoryResult } from "../../common/protocol.ts";
import { viewKeyHeaders } from "./view-key.ts";

/** The route takes at most 100 names per request (see README, HTTP API). */
const NAMES_PER_REQUEST = 100;

/**
 * Buckets of every series named in `names` over [from, to). Names, not keys, go in the query:
 * a key's tags hold commas, which the route reads as separators. Throws on any failure.
 */
export async function fetchHistory(
  id: string,
  names: readonly string[],
  range: { from: number; to: number; step: number },
  viewKey: string | undefined,
): Promise<HistoryResult> {
  const merged: HistoryResult = { from: range.from, to: range.to, step: range.step, source: "raw", series: [] };
  for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) {
    const query = new URLSearchParams({
      names: names.slice(i, i + NAMES_PER_REQUEST).join(","),
      from: String(range.from),
      to: String(range.to),
      step: String(range.step),
    });
    const response = await fetch(`/api/dashboards/${encodeURIComponent(id)}/series?${query}`, {
      headers: { accept: "application/json", ...viewKeyHeaders(viewKey) },
    });
    if (!response.ok) throw new Error(`history: HTTP ${response.status}: ${await response.text()}`);
    const part = (await response.json()) as HistoryResult;
    merged.from = part.from;
    merged.step = part.step;
    if (part.source === "rollup") merged.source = "rollup";
    merged.series.push(...part.series);
  }
  return merged;
}
