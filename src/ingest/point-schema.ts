import { z } from "zod";
import type { Point, Rejection } from "../dashboard/point";
import { rejection, type ItemUnit } from "../dashboard/point";
import { limits } from "../shared/limits";
import { seriesKey } from "../shared/protocol";

/**
 * The JSON point of the public API (PRODUCT.md), used both to validate and to document:
 * `{"name": "cpu.load", "value": 0.42, "ts": 1764115200000, "tags": {"host": "a"}}`.
 * Line-protocol points are checked against the same schema after conversion.
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

/** Checks one candidate point; the result is a point to store or the reason it is refused. */
export function validatePoint(candidate: unknown, now: number, unit: ItemUnit, item: number): Point | Rejection {
  const parsed = pointSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") return rejection(unit, item, `unknown field "${issue.keys[0]}"`, issue.keys[0]);
    if (issue.code === "invalid_type" && issue.path.length === 0) return rejection(unit, item, "a point must be a JSON object");
    if (issue.code === "invalid_type" && issue.input === undefined) return rejection(unit, item, `${field} is required`, field);
    return rejection(unit, item, issue.message, field || undefined);
  }
  const { name, value, tags = {} } = parsed.data;
  const ts = parsed.data.ts === undefined ? now : typeof parsed.data.ts === "number" ? parsed.data.ts : Date.parse(parsed.data.ts);
  if (ts > now + limits.maxFutureMs) return rejection(unit, item, `ts is more than ${limits.maxFutureMs / 60000} minutes in the future`, "ts");
  if (ts < now - limits.maxPastMs) return rejection(unit, item, `ts is more than ${limits.maxPastMs / 86400000} days in the past`, "ts");
  return { key: seriesKey(name, tags), name, tags, ts, value, item };
}

/** Whether a validation result is a point (rather than a rejection). */
export function isPoint(result: Point | Rejection): result is Point {
  return "key" in result;
}
