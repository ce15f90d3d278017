import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { seriesMatcher } from "../../src/common/series-pattern.ts";
import {
  claimedPatterns,
  MAX_EXPANDED_PATTERNS,
  substitutePattern,
  substitutePatterns,
  substituteTitle,
  variableReferences,
  type VariableChoice,
} from "../../src/common/variable-substitution.ts";

const values = (...chosen: string[]): VariableChoice => ({ all: false, values: chosen });
const all: VariableChoice = { all: true };
const choices = (entries: Record<string, VariableChoice>) => new Map(Object.entries(entries));

/** Whether the patterns take the series of `name` with `tags`. */
function takes(patterns: string[], name: string, tags: Record<string, string>): boolean {
  return seriesMatcher(patterns)({ key: seriesKey(name, tags), name });
}

describe("variable references", () => {
  it.each([
    ["cpu{host=$host}", ["host"]],
    ["cpu{host=${host}}", ["host"]],
    ["${metric}_total{host=$host,region=$region}", ["metric", "host", "region"]],
    ["$host/$host", ["host"]],
    ["$_private9", ["_private9"]],
    ["cost in $, $5 or $", []],
    ["price\\$usd", []],
    ["cpu.*", []],
  ])("%s names %j", (text, names) => {
    expect(variableReferences(text)).toEqual(names);
  });
});

describe("substituting a pattern", () => {
  it("writes one chosen value in place of the reference", () => {
    expect(substitutePattern("cpu{host=$host}", choices({ host: values("b") }))).toEqual(["cpu{host=b}"]);
    expect(substitutePattern("cpu{host=${host}}", choices({ host: values("b") }))).toEqual(["cpu{host=b}"]);
  });

  it("makes one pattern per value chosen, so the panel takes any of them", () => {
    const patterns = substitutePatterns(["cpu{host=$host}"], choices({ host: values("a", "c") }));
    expect(patterns).toEqual(["cpu{host=a}", "cpu{host=c}"]);
    expect(["a", "b", "c"].filter((host) => takes(patterns, "cpu", { host }))).toEqual(["a", "c"]);
  });

  it("takes every value of the tag for All, values not seen yet included", () => {
    const patterns = substitutePatterns(["cpu{host=$host}"], choices({ host: all }));
    for (const host of ["a", "b", "new-one"]) expect(takes(patterns, "cpu", { host })).toBe(true);
    expect(takes(patterns, "mem", { host: "a" })).toBe(false);
  });

  it("multiplies several variables' values", () => {
    const patterns = substitutePatterns(["cpu{host=$host,region=$region}"], choices({ host: values("a", "b"), region: values("eu", "us") }));
    expect(patterns).toHaveLength(4);
    expect(takes(patterns, "cpu", { host: "b", region: "us" })).toBe(true);
    expect(takes(patterns, "cpu", { host: "c", region: "us" })).toBe(false);
  });

  it("matches nothing while no value is chosen", () => {
    expect(substitutePattern("cpu{host=$host}", choices({ host: values() }))).toEqual([]);
  });

  it("leaves a reference to a name that is no variable as written", () => {
    expect(substitutePattern("price$usd{host=$host}", choices({ host: values("a") }))).toEqual(["price$usd{host=a}"]);
    expect(substitutePattern("a${b}", choices({}))).toEqual(["a${b}"]);
  });

  it("broadens to any value past the expansion limit rather than multiplying further", () => {
    const many = Array.from({ length: 40 }, (_, i) => `v${i}`);
    const patterns = substitutePattern("cpu{a=$a,b=$b}", choices({ a: values(...many), b: values(...many) }));
    expect(40 * 40).toBeGreaterThan(MAX_EXPANDED_PATTERNS);
    expect(patterns).toEqual(["cpu{a=*,b=*}"]);
  });

  it("takes exactly the series whose tag has the chosen value, whatever characters it holds", () => {
    const text = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom("a", "b", ",", "}", "{", "=", "\\", "*", "?", " ", "$", "é") });
    fc.assert(
      fc.property(text, text, (chosen, other) => {
        const patterns = substitutePatterns(["cpu{host=$host}"], choices({ host: values(chosen) }));
        expect(takes(patterns, "cpu", { host: chosen })).toBe(true);
        if (other !== chosen) expect(takes(patterns, "cpu", { host: other })).toBe(false);
      }),
    );
  });

  it("writes a value standing in a name as a name", () => {
    const patterns = substitutePatterns(["$metric{host=a}"], choices({ metric: values("disk,used") }));
    expect(takes(patterns, "disk,used", { host: "a" })).toBe(true);
    expect(takes(patterns, "disk", { host: "a" })).toBe(false);
  });
});

describe("claimed patterns", () => {
  it("take the series a panel shows for some choice of its variables", () => {
    const patterns = claimedPatterns(["cpu{host=$host}", "mem"], ["host"]);
    expect(takes(patterns, "cpu", { host: "z" })).toBe(true);
    expect(takes(patterns, "mem", {})).toBe(true);
    expect(takes(patterns, "disk", { host: "z" })).toBe(false);
  });
});

describe("substituting a title", () => {
  it.each([
    ["CPU on $host", { host: values("b") }, "CPU on b"],
    ["CPU on ${host}", { host: values("a", "b") }, "CPU on a, b"],
    ["CPU on $host", { host: all }, "CPU on All"],
    ["Cost in $usd", {}, "Cost in $usd"],
  ])("%s reads %j as %s", (title, chosen, shown) => {
    expect(substituteTitle(title, choices(chosen))).toBe(shown);
  });
});
