import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admitSeries } from "../../src/dashboard/series-cap.ts";

// The batch type is taken from the function itself, so this test depends on nothing but it.
type SeriesBatch = Parameters<typeof admitSeries>[0][number];

/** A batch of `key` whose points came from the request's items `items`. */
function batch(key: string, items: number[]): SeriesBatch {
  return {
    key,
    name: key,
    tags: {},
    ts: Float64Array.from(items, (item) => 1_000 + item),
    values: Float64Array.from(items, (item) => item / 2),
    items: Uint32Array.from(items),
  };
}

const refusal = (max: number, key: string) => `the dashboard already has ${max} series, the most it may keep; "${key}" would be a new one`;

describe("admitSeries", () => {
  it("admits every series while the dashboard is under its cap", () => {
    const series = [batch("a", [0]), batch("b", [1, 2])];
    expect(admitSeries(series, "index", () => false, 0, 10)).toEqual({ admitted: series, rejected: [] });
  });

  it("admits new series in request order until the cap is reached, then refuses every point of the rest", () => {
    const series = [batch("a", [0, 3]), batch("b", [1]), batch("c", [2, 4, 5])];
    const { admitted, rejected } = admitSeries(series, "index", () => false, 8, 10);
    expect(admitted.map((b) => b.key)).toEqual(["a", "b"]);
    expect(rejected).toEqual([2, 4, 5].map((index) => ({ index, message: refusal(10, "c") })));
  });

  it("always admits a series the dashboard already has, even over its cap", () => {
    const series = [batch("old", [0]), batch("new", [1]), batch("also-old", [2])];
    const known = new Set(["old", "also-old"]);
    const { admitted, rejected } = admitSeries(series, "line", (key) => known.has(key), 12, 10);
    expect(admitted.map((b) => b.key)).toEqual(["old", "also-old"]);
    expect(rejected).toEqual([{ line: 1, message: refusal(10, "new") }]);
  });

  it("lets a known series through without using up room: a new one after it still fits", () => {
    const series = [batch("old", [1]), batch("new", [2])];
    const { admitted } = admitSeries(series, "line", (key) => key === "old", 9, 10);
    expect(admitted.map((b) => b.key)).toEqual(["old", "new"]);
  });

  it("names refused points by line or by index, as the request numbered them", () => {
    const series = [batch("x", [3, 7])];
    expect(admitSeries(series, "line", () => false, 5, 5).rejected).toEqual([
      { line: 3, message: refusal(5, "x") },
      { line: 7, message: refusal(5, "x") },
    ]);
    expect(admitSeries(series, "index", () => false, 5, 5).rejected).toEqual([
      { index: 3, message: refusal(5, "x") },
      { index: 7, message: refusal(5, "x") },
    ]);
  });

  it("admits no new series with a cap of 0, and nothing from an empty request", () => {
    expect(admitSeries([batch("a", [0])], "index", () => false, 0, 0).admitted).toEqual([]);
    expect(admitSeries([], "index", () => false, 10, 10)).toEqual({ admitted: [], rejected: [] });
  });

  it("hands admitted batches on as they are, in request order", () => {
    const series = [batch("b", [0]), batch("a", [1])];
    const { admitted } = admitSeries(series, "index", (key) => key === "a", 0, 10);
    expect(admitted[0]).toBe(series[0]);
    expect(admitted[1]).toBe(series[1]);
  });

  it("for any request: known series pass, new ones fill exactly the room left, the rest are refused point by point", () => {
    const request = fc.uniqueArray(fc.record({ key: fc.string({ minLength: 1, maxLength: 4 }), known: fc.boolean(), points: fc.integer({ min: 1, max: 4 }) }), {
      selector: (s) => s.key,
      maxLength: 20,
    });
    fc.assert(
      fc.property(request, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (drawn, known, max) => {
        let item = 0;
        const series = drawn.map((s) => batch(s.key, Array.from({ length: s.points }, () => item++)));
        const isKnown = (key: string) => drawn.find((s) => s.key === key)!.known;
        const { admitted, rejected } = admitSeries(series, "index", isKnown, known, max);

        const newOnes = series.filter((b) => !isKnown(b.key));
        const room = Math.max(0, max - known);
        const expected = [...series.filter((b) => isKnown(b.key)), ...newOnes.slice(0, room)];
        expect(admitted).toEqual(series.filter((b) => expected.includes(b)));
        const refused = newOnes.slice(room);
        expect(rejected).toEqual(refused.flatMap((b) => Array.from(b.items, (index) => ({ index, message: refusal(max, b.key) }))));
      }),
    );
  });
});
