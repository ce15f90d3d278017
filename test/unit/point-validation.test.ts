import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pointSchema, quickCheck } from "../../src/ingest/point-schema";
import { limits } from "../../src/common/limits";

// Candidate points near the edges of validity: names and tag names from a small alphabet
// that mixes allowed and forbidden characters, lengths around the limits, every JSON type.
const nameChars = fc.constantFrom(..."aZ_9.:/- é{}=,\\*\t\u007f\u0085\ud800".split(""));
const nameLike = fc.oneof(
  fc.string({ unit: nameChars, maxLength: 12 }),
  fc.constantFrom("", "1abc", "cpu.load", "a".repeat(limits.maxNameLength), "a".repeat(limits.maxNameLength + 1)),
);
const tagName = fc.oneof(fc.string({ unit: nameChars, maxLength: 8 }), fc.constantFrom("k".repeat(limits.maxTagKeyLength), "k".repeat(limits.maxTagKeyLength + 1)));
const jsonValue = fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const tags = fc.oneof(
  fc.dictionary(tagName, fc.oneof(fc.string({ maxLength: 6 }), fc.constant("v".repeat(limits.maxTagValueLength + 1)), jsonValue), { maxKeys: limits.maxTags + 2 }),
  jsonValue,
);
const candidate = fc.oneof(
  fc.record(
    {
      name: fc.oneof(nameLike, jsonValue),
      value: fc.oneof(fc.double(), fc.integer(), jsonValue),
      ts: fc.oneof(fc.integer(), fc.double(), fc.constant("2026-11-26T00:00:00Z"), jsonValue),
      tags,
      extra: jsonValue,
    },
    { requiredKeys: [] },
  ),
  jsonValue,
);

describe("the quick check of a point", () => {
  it("accepts only what the schema accepts, and reads it the same way", () => {
    fc.assert(
      fc.property(candidate, (point) => {
        const quick = quickCheck(point);
        const parsed = pointSchema.safeParse(point);
        if (quick) {
          expect(parsed.success).toBe(true);
          const { name, value, tags = {}, ts } = parsed.data!;
          expect(quick).toEqual({ name, value, tags, ts });
        }
        // The schema's only valid points the quick check leaves to it are RFC 3339 times.
        if (parsed.success && typeof parsed.data.ts !== "string") expect(quick).not.toBeNull();
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("names", () => {
  const point = (name: string, tags: Record<string, string> = {}) => pointSchema.safeParse({ name, value: 1, tags }).success;

  it.each(["cpu.load", "used percent", "a,b=c", "température.valeur", "{x}", "\\", "*", " lead", "日本語", "emoji 😀"])(
    "takes %j as a name and as a tag name",
    (name) => {
      expect(point(name)).toBe(true);
      expect(point("m", { [name]: "v" })).toBe(true);
      expect(quickCheck({ name, value: 1, tags: { [name]: "v" } })).not.toBeNull();
    },
  );

  it.each(["", "tab\there", "new\nline", "nul\u0000", "del\u007f", "c1\u0085", "lone \ud800 surrogate"])("refuses %j as a name and as a tag name", (name) => {
    expect(point(name)).toBe(false);
    expect(point("m", { [name]: "v" })).toBe(false);
  });

  it("keeps the length limits", () => {
    expect(point("é".repeat(limits.maxNameLength))).toBe(true);
    expect(point("é".repeat(limits.maxNameLength + 1))).toBe(false);
    expect(point("m", { ["é".repeat(limits.maxTagKeyLength + 1)]: "v" })).toBe(false);
  });
});
