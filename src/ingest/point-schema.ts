import { z } from "zod";
import { rejection, type ItemUnit, type Rejection } from "../dashboard/ingest-contract";
import { limits } from "../common/limits";
import type { Tags } from "../common/protocol";

/**
 * Names and tag names: any characters but control characters (C0, DEL and C1) and lone
 * surrogates (which are not text, and would not survive UTF-8 storage), so that everything
 * InfluxDB's line protocol carries (`used percent`, `a,b=c`, `température`) is a valid name
 * on every route. Series keys escape what would make them ambiguous (`series-key.ts`).
 */
const NAME = /^[^\p{Cc}\p{Cs}]+$/u;
const NAME_RULE = "no control characters";

/**
 * The JSON point of the public API (PRODUCT.md), the reference for what a valid point is and
 * the source of every rejection message: `{"name": "cpu.load", "value": 0.42, "ts":
 * 1764115200000, "tags": {"host": "a"}}`. Line-protocol points are checked against it too.
 */
export const pointSchema = z.strictObject({
  name: z
    .string({ error: "name must be a string" })
    .min(1, "name must not be empty")
    .max(limits.maxNameLength, `name is longer than ${limits.maxNameLength} characters`)
    .regex(NAME, `name must hold ${NAME_RULE}`),
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
        .regex(NAME, `tag names must hold ${NAME_RULE}`),
      z.string({ error: "tag values must be strings" }).max(limits.maxTagValueLength, `tag values are at most ${limits.maxTagValueLength} characters`),
    )
    .refine((tags) => Object.keys(tags).length <= limits.maxTags, `at most ${limits.maxTags} tags`)
    .optional(),
});

/** A point that passed validation, its time resolved. */
export interface ValidPoint {
  /** Metric name. */
  name: string;
  /** Tags (empty when none were given). */
  tags: Tags;
  /** Time, ms since the epoch. */
  ts: number;
  /** Finite value. */
  value: number;
}

/**
 * Checks one candidate point; the result is the point to store or why it is refused. Points
 * go through {@link quickCheck} first, which accepts only what `pointSchema` accepts (a
 * property test holds it to that) at a fraction of the cost; anything it does not accept
 * outright (RFC 3339 times, every invalid point) is judged by the schema itself.
 */
export function validatePoint(candidate: unknown, now: number, unit: ItemUnit, item: number): ValidPoint | Rejection {
  const quick = quickCheck(candidate);
  if (quick) return inTimeWindow(quick, now, unit, item);
  const parsed = pointSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") return rejection(unit, item, `unknown field "${issue.keys[0]}"`, issue.keys[0]);
    if (issue.code === "invalid_type" && issue.path.length === 0) return rejection(unit, item, "a point must be a JSON object");
    if (issue.code === "invalid_type" && issue.input === undefined) return rejection(unit, item, `${field} is required`, field);
    return rejection(unit, item, issue.message, field || undefined);
  }
  const { name, value, tags = {}, ts } = parsed.data;
  return inTimeWindow({ name, value, tags, ts: typeof ts === "string" ? Date.parse(ts) : ts }, now, unit, item);
}

/** Whether a validation result is a point (rather than a rejection). */
export function isValid(result: ValidPoint | Rejection): result is ValidPoint {
  return "name" in result;
}

function inTimeWindow(point: Omit<ValidPoint, "ts"> & { ts: number | undefined }, now: number, unit: ItemUnit, item: number): ValidPoint | Rejection {
  const ts = point.ts ?? now;
  if (ts > now + limits.maxFutureMs) return rejection(unit, item, `ts is more than ${limits.maxFutureMs / 60000} minutes in the future`, "ts");
  if (ts < now - limits.maxPastMs) return rejection(unit, item, `ts is more than ${limits.maxPastMs / 86400000} days in the past`, "ts");
  return { name: point.name, tags: point.tags, ts, value: point.value };
}

/**
 * The common case of `pointSchema`, written out: a plain object with a valid name, a finite
 * value, an optional whole-millisecond time and optional valid tags. Returns null for
 * anything else, including valid points it does not handle (RFC 3339 times).
 */
export function quickCheck(candidate: unknown): (Omit<ValidPoint, "ts"> & { ts: number | undefined }) | null {
  if (typeof candidate !== "object" || candidate === null || Array.isArray(candidate)) return null;
  const point = candidate as Record<string, unknown>;
  for (const field in point) {
    if (field !== "name" && field !== "value" && field !== "ts" && field !== "tags") return null;
  }
  const { name, value, ts, tags } = point;
  if (typeof name !== "string" || name.length === 0 || name.length > limits.maxNameLength || !NAME.test(name)) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (ts !== undefined && !Number.isSafeInteger(ts)) return null;
  if (tags === undefined) return { name, value, ts: ts as number | undefined, tags: {} };
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return null;
  const prototype = Object.getPrototypeOf(tags);
  if (prototype !== Object.prototype && prototype !== null) return null;
  let count = 0;
  for (const tag in tags) {
    const tagValue = (tags as Record<string, unknown>)[tag];
    if (++count > limits.maxTags || tag.length > limits.maxTagKeyLength || !NAME.test(tag)) return null;
    if (typeof tagValue !== "string" || tagValue.length > limits.maxTagValueLength) return null;
  }
  return { name, value, ts: ts as number | undefined, tags: tags as Tags };
}
