import { ApiError } from "../worker/errors";
import { rejection } from "../dashboard/point";
import type { CandidateBatch } from "./candidate-batch";

/**
 * Items of a JSON body: one point, an array of points, or `{"points": [...]}`, numbered by
 * index. Throws 400 for text that is not JSON or a body of another shape.
 */
export function jsonCandidates(text: string): CandidateBatch {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, "invalid_json", `the body is not valid JSON: ${(err as Error).message}`);
  }
  return { unit: "index", items: batchItems(body).map((candidate, index) => ({ item: index, candidate })), rejected: [] };
}

function batchItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === "object" && "points" in body) {
    const { points } = body as { points: unknown };
    if (!Array.isArray(points)) throw new ApiError(400, "invalid_body", "`points` must be an array of points", { field: "points" });
    return points;
  }
  if (body !== null && typeof body === "object") return [body];
  throw new ApiError(400, "invalid_body", 'the body must be a point, an array of points, or {"points": [...]}');
}

/** Items of an NDJSON body: one JSON point per line, numbered by line; blank lines are skipped. */
export function ndjsonCandidates(text: string): CandidateBatch {
  const batch: CandidateBatch = { unit: "line", items: [], rejected: [] };
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    try {
      batch.items.push({ item: index + 1, candidate: JSON.parse(line) });
    } catch (err) {
      batch.rejected.push(rejection("line", index + 1, `not valid JSON: ${(err as Error).message}`));
    }
  });
  return batch;
}
