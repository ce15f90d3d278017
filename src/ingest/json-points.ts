import { rejection } from "../dashboard/ingest-contract";
import type { BodyFailure, CandidateBatch } from "./candidate-batch";

/**
 * Items of a JSON body: one point, an array of points, or `{"points": [...]}`, numbered by
 * index; a failure for text that is not JSON or a body of another shape.
 */
export function jsonCandidates(text: string): CandidateBatch | BodyFailure {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { failure: { code: "invalid_json", message: `the body is not valid JSON: ${(err as Error).message}` } };
  }
  const items = batchItems(body);
  if ("failure" in items) return items;
  return { unit: "index", items: items.map((candidate, index) => ({ item: index, candidate })), rejected: [] };
}

function batchItems(body: unknown): unknown[] | BodyFailure {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === "object" && "points" in body) {
    const { points } = body as { points: unknown };
    if (!Array.isArray(points)) return { failure: { code: "invalid_body", message: "`points` must be an array of points", field: "points" } };
    return points;
  }
  if (body !== null && typeof body === "object") return [body];
  return { failure: { code: "invalid_body", message: 'the body must be a point, an array of points, or {"points": [...]}' } };
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
