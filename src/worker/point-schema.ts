import { z } from "zod";
import type { Point, Rejection } from "../dashboard/point";
import { limits } from "../shared/limits";
import { seriesKey } from "../shared/protocol";
import { ApiError } from "./errors";

/**
 * The JSON point of the public API (PRODUCT.md), used both to validate and to document:
 * `{"name": "cpu.load", "value": 0.42, "ts": 1764115200000, "tags": {"host": "a"}}`.
 */
export const pointSchema = z.strictObject({
  name: z
    .string({ error: "name must be a string" })
    .min(1, "name must not be empty")
    .max(limits.maxNameLength, `name is longer than ${limits.maxNameLength} characters`)
    .regex(/^[A-Za-z_][A-Za-z0-9_.:/-]*$/, "name must start with a letter or _ and hold only letters, digits and _ . : / -"),
  value: z.number({ error: "value must be a finite number" }),
  ts: z
    .union([z.int({ error: "ts must be whole milliseconds since the epoch" }), z.iso.datetime({ offset: true })], {
      error: "ts must be milliseconds since the epoch or an RFC 3339 string",
    })
    .optional(),
  tags: z
    .record(
      z
        .string()
        .min(1, "tag names must not be empty")
        .max(limits.maxTagKeyLength, `tag names are at most ${limits.maxTagKeyLength} characters`)
        .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, "tag names start with a letter or _ and hold only letters, digits and _ . -"),
      z.string({ error: "tag values must be strings" }).max(limits.maxTagValueLength, `tag values are at most ${limits.maxTagValueLength} characters`),
    )
    .refine((tags) => Object.keys(tags).length <= limits.maxTags, `at most ${limits.maxTags} tags`)
    .optional(),
});

/** The outcome of validating a batch: points to store and items rejected, by index. */
export interface ValidatedBatch {
  points: Point[];
  rejected: Rejection[];
}

/**
 * Splits a parsed JSON body (one point, an array, or `{"points": [...]}`) into valid points and
 * rejections. Throws a 400 for a body that is not one of those shapes, 413 for too many points.
 */
export function validateBatch(body: unknown, now: number): ValidatedBatch {
  const items = batchItems(body);
  if (items.length === 0) throw new ApiError(400, "empty_batch", "the body holds no points", { field: "points" });
  if (items.length > limits.maxPointsPerRequest) {
    throw new ApiError(413, "too_many_points", `a request may carry at most ${limits.maxPointsPerRequest} points; this one has ${items.length}`, {
      limit: limits.maxPointsPerRequest,
    });
  }
  const points: Point[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, index) => {
    const result = validatePoint(item, now);
    if ("message" in result) rejected.push({ index, ...result });
    else points.push(result);
  });
  return { points, rejected };
}

function batchItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === "object" && "points" in body) {
    const { points } = body as { points: unknown };
    if (!Array.isArray(points)) throw new ApiError(400, "invalid_body", "`points` must be an array of points", { field: "points" });
    return points;
  }
  if (body !== null && typeof body === "object") return [body];
  throw new ApiError(400, "invalid_body", "the body must be a point, an array of points, or {\"points\": [...]}");
}

function validatePoint(item: unknown, now: number): Point | { field?: string; message: string } {
  const parsed = pointSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") return { field: issue.keys[0], message: `unknown field "${issue.keys[0]}"` };
    if (issue.code === "invalid_type" && issue.path.length === 0) return { message: "a point must be a JSON object" };
    if (issue.code === "invalid_type" && issue.input === undefined) return { field, message: `${field} is required` };
    return field ? { field, message: issue.message } : { message: issue.message };
  }
  const { name, value, tags = {} } = parsed.data;
  const ts = parsed.data.ts === undefined ? now : typeof parsed.data.ts === "number" ? parsed.data.ts : Date.parse(parsed.data.ts);
  if (ts > now + limits.maxFutureMs) return { field: "ts", message: `ts is more than ${limits.maxFutureMs / 60000} minutes in the future` };
  if (ts < now - limits.maxPastMs) return { field: "ts", message: `ts is more than ${limits.maxPastMs / 86400000} days in the past` };
  return { key: seriesKey(name, tags), name, tags, ts, value };
}
