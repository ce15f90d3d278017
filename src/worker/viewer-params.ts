import { viewerSeries } from "../common/http-contract";
import { patternsProblem } from "../common/series-pattern";
import { ApiError } from "./errors";

/** Checks the query of a viewer's WebSocket upgrade: `since` (resume) and `series` (subscription). */
export function checkViewerParams(query: URLSearchParams): void {
  const since = query.get("since");
  if (since !== null && !/^\d{1,15}$/.test(since)) {
    throw new ApiError(400, "invalid_parameter", "since must be a sequence number (a whole number >= 0)", { field: "since" });
  }
  const problem = patternsProblem(viewerSeries(query));
  if (problem !== null) throw new ApiError(400, "invalid_parameter", `series takes comma-separated patterns: ${problem}`, { field: "series" });
}
