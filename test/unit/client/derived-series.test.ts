import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { counterRate } from "../../../src/client/derived/counter-rate.ts";
import { DerivedSeries, derivedOutputs, type DerivedInput } from "../../../src/client/derived/derived-series.ts";
import { aggregateColumns, STALE_MS, STEP_MS, type AggregateName } from "../../../src/client/derived/step-aggregation.ts";
import type { Column } from "../../../src/client/dashboard/time-window.ts";

/** A series' points: distinct ascending times (ms, within a few steps of each other), any finite values. */
const column = (maxLength = 30): fc.Arbitrary<Column> =>
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 4 * STEP_MS }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { maxLength })
    .chain((steps) =>
      fc.integer({ min: 0, max: 1e9 }).map((start) => {
        let t = start;
        return { ts: steps.map(([gap]) => (t += gap)), values: steps.map(([, v]) => v) };
      }),
    );

const aggregateName = fc.constantFrom<AggregateName>("sum", "avg", "min", "max");

/**
 * The definition, read literally: for every step holding a point of some series, each series'
 * last point before the step's end counts if it is at most STALE_MS older than that end.
 */
function expectedAggregate(columns: readonly Column[], fn: AggregateName): Column {
  const starts = [...new Set(columns.flatMap((c) => c.ts.map((t) => Math.floor(t / STEP_MS) * STEP_MS)))].sort((a, b) => a - b);
  const out: Column = { ts: [], values: [] };
  for (const start of starts) {
    const end = start + STEP_MS;
    const counted = columns.flatMap((c) => {
      const before = c.ts.map((t, i) => [t, c.values[i]!] as const).filter(([t]) => t < end);
      const last = before[before.length - 1];
      return last && end - last[0] <= STALE_MS ? [last[1]] : [];
    });
    const total = counted.reduce((a, b) => a + b, 0);
    const value = fn === "sum" ? total : fn === "avg" ? total / counted.length : fn === "min" ? Math.min(...counted) : Math.max(...counted);
    out.ts.push(start);
    out.values.push(value);
  }
  return out;
}

/** Splits each column at a random point: what one frame held, and the whole column a later frame holds. */
const prefixes = (columns: Column[]) =>
  fc.tuple(...columns.map((c) => fc.integer({ min: 0, max: c.ts.length }))).map((cuts) => columns.map((c, i) => ({ ts: c.ts.slice(0, cuts[i]), values: c.values.slice(0, cuts[i]) })));

describe("counterRate", () => {
  it("is the increase per second between consecutive points, written at the later point", () => {
    expect(counterRate({ ts: [0, 2000, 2500], values: [10, 30, 31] })).toEqual({ ts: [2000, 2500], values: [10, 2] });
  });

  it("reads a fall as a counter reset: the new value is the increase since it, never a negative rate", () => {
    // 100 → 4 over 2 s: restarted from zero and counted 4 since, so 2 per second.
    expect(counterRate({ ts: [0, 2000], values: [100, 4] })).toEqual({ ts: [2000], values: [2] });
  });

  it("of a counter that only rises, adds back up to its whole increase", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 1000 })), { minLength: 2, maxLength: 40 }),
        (steps) => {
          let t = 0;
          let v = 0;
          const series = { ts: [] as number[], values: [] as number[] };
          for (const [dt, dv] of steps) series.ts.push((t += dt)), series.values.push((v += dv));
          const rates = counterRate(series);
          expect(rates.ts).toEqual(series.ts.slice(1));
          const total = rates.values.reduce((sum, rate, i) => sum + (rate * (series.ts[i + 1]! - series.ts[i]!)) / 1000, 0);
          expect(total).toBeCloseTo(series.values.at(-1)! - series.values[0]!, 6);
        },
      ),
    );
  });

  it("is never negative for a counter, whatever resets it goes through", () => {
    fc.assert(
      fc.property(column(), (series) => {
        const counter = { ts: series.ts, values: series.values.map(Math.abs) };
        for (const rate of counterRate(counter).values) expect(rate).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe("aggregateColumns", () => {
  it("counts a series that skipped a step with the value it last had", () => {
    const a = { ts: [100, 1100, 2100], values: [1, 2, 3] };
    const b = { ts: [900, 2900], values: [10, 30] };
    // Step 1000-2000 has no point of b: b still counts 10 there.
    expect(aggregateColumns([a, b], "sum")).toEqual({ ts: [0, 1000, 2000], values: [11, 12, 33] });
  });

  it("drops a series whose last point is older than the staleness limit", () => {
    const a = { ts: [0, STALE_MS + 5 * STEP_MS], values: [1, 2] };
    const b = { ts: [0], values: [10] };
    expect(aggregateColumns([a, b], "sum")).toEqual({ ts: [0, STALE_MS + 5 * STEP_MS], values: [11, 2] });
  });

  it("matches the definition for any series and function", () => {
    fc.assert(
      fc.property(fc.array(column(), { maxLength: 5 }), aggregateName, (columns, fn) => {
        const got = aggregateColumns(columns, fn);
        const want = expectedAggregate(columns, fn);
        expect(got.ts).toEqual(want.ts);
        got.values.forEach((value, i) => expect(value).toBeCloseTo(want.values[i]!, 6));
      }),
    );
  });
});

describe("derivedOutputs", () => {
  const inputs: DerivedInput[] = [
    { key: "req{host=a,region=eu}", name: "req", tags: { host: "a", region: "eu" } },
    { key: "req{host=b,region=us}", name: "req", tags: { host: "b", region: "us" } },
    { key: "req{host=c,region=eu}", name: "req", tags: { host: "c", region: "eu" } },
    { key: "req{host=d}", name: "req", tags: { host: "d" } },
  ];

  it("makes one output per distinct value of the groupBy tags, named after the functions", () => {
    expect(derivedOutputs({ transform: "rate", aggregate: "sum", groupBy: ["region"] }, inputs)).toEqual([
      { key: "sum(rate)", name: "sum(rate)", inputs: ["req{host=d}"] },
      { key: "sum(rate){region=eu}", name: "sum(rate)", inputs: ["req{host=a,region=eu}", "req{host=c,region=eu}"] },
      { key: "sum(rate){region=us}", name: "sum(rate)", inputs: ["req{host=b,region=us}"] },
    ]);
  });

  it("makes one output for every input without groupBy, and one per input without an aggregate", () => {
    expect(derivedOutputs({ aggregate: "max" }, inputs).map((o) => [o.key, o.inputs.length])).toEqual([["max", 4]]);
    expect(derivedOutputs({ transform: "rate" }, inputs).map((o) => o.key)).toEqual([
      "rate(req){host=a,region=eu}",
      "rate(req){host=b,region=us}",
      "rate(req){host=c,region=eu}",
      "rate(req){host=d}",
    ]);
  });
});

describe("DerivedSeries", () => {
  const spec = fc.record({ transform: fc.constantFrom(undefined, "rate" as const), aggregate: fc.option(aggregateName, { nil: undefined }) });

  it("worked out frame by frame as points are appended, equals working out the whole columns at once", () => {
    fc.assert(
      fc.property(
        spec,
        fc.array(column(), { minLength: 1, maxLength: 4 }).chain((whole) => fc.tuple(fc.constant(whole), prefixes(whole), prefixes(whole))),
        ({ transform, aggregate }, [whole, first, second]) => {
          // Each frame holds at least what the one before held.
          const middle = second.map((c, i) => (c.ts.length >= first[i]!.ts.length ? c : first[i]!));
          const inputs = whole.map((_, i) => ({ key: `s${i}`, name: "s", tags: { i: String(i) } }));
          const incremental = new DerivedSeries({ transform, aggregate });
          incremental.setInputs(inputs);
          for (const frame of [first, middle, whole]) incremental.update((key) => frame[Number(key.slice(1))]!);
          const got = incremental.update((key) => whole[Number(key.slice(1))]!);
          const once = new DerivedSeries({ transform, aggregate });
          once.setInputs(inputs);
          const want = once.update((key) => whole[Number(key.slice(1))]!);
          expect(new Map([...got].map(([k, v]) => [k, { ts: [...v.ts], values: [...v.values] }]))).toEqual(
            new Map([...want].map(([k, v]) => [k, { ts: [...v.ts], values: [...v.values] }])),
          );
          // And the whole computation is the rate (if any), then the aggregate (if any), by definition.
          const sources = whole.map((c) => (transform === "rate" ? counterRate(c) : c));
          if (aggregate) {
            const expected = expectedAggregate(sources, aggregate);
            const value = [...want.values()][0]!;
            expect(value.ts).toEqual(expected.ts);
            value.values.forEach((v, i) => expect(v).toBeCloseTo(expected.values[i]!, 6));
          }
        },
      ),
    );
  });

  it("follows a window that drops its oldest points as new ones arrive", () => {
    const all = { ts: [0, 1000, 2000, 3000, 4000], values: [0, 10, 30, 60, 100] };
    const derived = new DerivedSeries({ transform: "rate" });
    derived.setInputs([{ key: "c", name: "c", tags: {} }]);
    derived.update(() => ({ ts: all.ts.slice(0, 3), values: all.values.slice(0, 3) }));
    const later = derived.update(() => ({ ts: all.ts.slice(2), values: all.values.slice(2) }));
    expect(later.get("rate(c)")).toEqual(counterRate({ ts: all.ts.slice(2), values: all.values.slice(2) }));
  });

  it("recomputes whole when a point lands inside what was already seen", () => {
    const derived = new DerivedSeries({ aggregate: "sum" });
    derived.setInputs([{ key: "c", name: "c", tags: {} }]);
    derived.update(() => ({ ts: [0, 2000], values: [1, 2] }));
    expect(derived.update(() => ({ ts: [0, 1000, 2000], values: [1, 5, 2] })).get("sum")).toEqual({ ts: [0, 1000, 2000], values: [1, 5, 2] });
  });

  it("recomputes whole when a point lands inside what was seen in the frame that drops the oldest ones", () => {
    for (const spec of [{ aggregate: "sum" as const }, { transform: "rate" as const }]) {
      const derived = new DerivedSeries(spec);
      derived.setInputs([{ key: "c", name: "c", tags: {} }]);
      derived.update(() => ({ ts: [0, 1000, 3000, 4000], values: [1, 2, 4, 8] }));
      // The oldest point dropped, a late one at 2000 and a new one at 5000 arrive together.
      const now = { ts: [1000, 2000, 3000, 4000, 5000], values: [2, 3, 4, 8, 9] };
      const fresh = new DerivedSeries(spec);
      fresh.setInputs([{ key: "c", name: "c", tags: {} }]);
      expect(derived.update(() => now), JSON.stringify(spec)).toEqual(fresh.update(() => now));
    }
  });
});
