import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lastWriteWins } from "../../src/dashboard/last-write-wins.ts";

describe("lastWriteWins", () => {
  it("keeps one point per time, the last written, in the order the kept points came", () => {
    const points = fc.array(fc.record({ t: fc.integer({ min: 0, max: 12 }), v: fc.double({ noNaN: true }) }), { maxLength: 40 });
    fc.assert(
      fc.property(points, (drawn) => {
        const result = lastWriteWins(Float64Array.from(drawn, (p) => p.t), Float64Array.from(drawn, (p) => p.v));
        // The slow obvious way: a point stays when no later one has its time.
        const kept = drawn.filter((p, i) => !drawn.slice(i + 1).some((q) => q.t === p.t));
        expect(Array.from(result.ts)).toEqual(kept.map((p) => p.t));
        expect(Array.from(result.values)).toEqual(kept.map((p) => p.v));
        expect(result.superseded).toBe(drawn.length - kept.length);
      }),
    );
  });

  it("hands back the request's own arrays when its times rise (the common case, nothing copied)", () => {
    const ts = Float64Array.of(1, 2, 5);
    const values = Float64Array.of(3, 4, 5);
    const result = lastWriteWins(ts, values);
    expect(result.ts).toBe(ts);
    expect(result.values).toBe(values);
    expect(result.superseded).toBe(0);
  });
});
