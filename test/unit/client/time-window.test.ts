import fc from "fast-check";
import type uPlot from "uplot";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RANGES, stepFor, TimeWindow, type Column } from "../../../src/client/dashboard/time-window.ts";
import type { HistoryResult } from "../../../src/common/protocol.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The round bucket widths, in seconds, that stepFor may choose from. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600].map((s) => s * SECOND);

/**
 * A history answer holding, per series key, bucket times whose averages are `t / 100`; the
 * other statistics differ from the average, so drawing any of them instead shows.
 */
function history(from: number, to: number, series: Record<string, number[]>): HistoryResult {
  return {
    from,
    to,
    step: SECOND,
    source: "raw",
    series: Object.entries(series).map(([key, ts]) => {
      const avg = ts.map((t) => t / 100);
      return { key, name: key, tags: {}, ts, min: avg.map((v) => v - 1), max: avg.map((v) => v + 1), avg, last: avg.map((v) => v + 2), count: ts.map(() => 2) };
    }),
  };
}

/** A column of times `ts` whose values are `t / 100`, like the history above. */
const column = (ts: number[]): Column => ({ ts, values: ts.map((t) => t / 100) });

/** Just enough of a uPlot chart for the range function: its x data. */
const chartOf = (xs: number[]) => ({ data: [xs] }) as unknown as uPlot;

describe("RANGES and stepFor", () => {
  it("offers 5 minutes to 7 days, each an option value and a label", () => {
    expect(RANGES.map((range) => [range.value, range.ms])).toEqual([
      ["5m", 5 * MINUTE],
      ["1h", HOUR],
      ["6h", 6 * HOUR],
      ["24h", 24 * HOUR],
      ["7d", 7 * 24 * HOUR],
    ]);
    expect(RANGES.every((range) => range.label.startsWith("Last "))).toBe(true);
  });

  it("cuts every range on offer into 300 to 600 buckets", () => {
    for (const range of RANGES) {
      const buckets = range.ms / stepFor(range.ms);
      expect(buckets, range.value).toBeGreaterThanOrEqual(300);
      expect(buckets, range.value).toBeLessThanOrEqual(600);
    }
  });

  it.each([
    [5 * MINUTE, SECOND],
    [600 * SECOND, SECOND],
    [601 * SECOND, 2 * SECOND],
    [HOUR, 10 * SECOND],
    [7 * 24 * HOUR, 20 * MINUTE],
    [0, SECOND],
  ])("a range of %i ms gets %i ms buckets", (range, step) => {
    expect(stepFor(range)).toBe(step);
  });

  it("gives a range too long for 600 buckets of an hour hour-wide buckets", () => {
    expect(stepFor(600 * HOUR)).toBe(HOUR);
    expect(stepFor(601 * HOUR)).toBe(HOUR);
  });

  it("for any range, picks the finest round step that gives at most 600 buckets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 * HOUR }), (range) => {
        const step = stepFor(range);
        expect(STEPS).toContain(step);
        expect(range / step).toBeLessThanOrEqual(600);
        const finer = STEPS[STEPS.indexOf(step) - 1];
        if (finer !== undefined) expect(range / finer).toBeGreaterThan(600);
      }),
    );
  });
});

describe("TimeWindow", () => {
  afterEach(() => vi.useRealTimers());

  it("starts on the points held, following now", () => {
    const view = new TimeWindow();
    expect(view.span).toBeUndefined();
    expect(view.zoom).toBeUndefined();
  });

  it("zooms to a stretch given in either order and tells its listeners", () => {
    const view = new TimeWindow();
    const heard = vi.fn();
    view.onZoomChange(heard);
    view.zoomTo(2_000, 1_000);
    expect(view.zoom).toEqual({ min: 1_000, max: 2_000 });
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it("ignores a stretch under 1 ms, or one that is not a number", () => {
    const view = new TimeWindow();
    const heard = vi.fn();
    view.onZoomChange(heard);
    view.zoomTo(1_000, 1_000);
    view.zoomTo(1_000, 1_000.5);
    view.zoomTo(Number.NaN, 1_000);
    expect(view.zoom).toBeUndefined();
    expect(heard).not.toHaveBeenCalled();
    view.zoomTo(1_000, 1_001);
    expect(view.zoom).toEqual({ min: 1_000, max: 1_001 });
  });

  it("going back to now drops the zoom, tells the zoom listeners only if zoomed, and the now listeners always", () => {
    const view = new TimeWindow();
    const zoomChanged = vi.fn();
    const nowAsked = vi.fn();
    view.onZoomChange(zoomChanged);
    view.onNowAsked(nowAsked);
    view.followNow();
    expect(zoomChanged).not.toHaveBeenCalled();
    expect(nowAsked).toHaveBeenCalledTimes(1);
    view.zoomTo(1_000, 2_000);
    view.followNow();
    expect(view.zoom).toBeUndefined();
    expect(zoomChanged).toHaveBeenCalledTimes(2);
    expect(nowAsked).toHaveBeenCalledTimes(2);
  });

  it("picking a range or recent points goes back to following now", () => {
    const view = new TimeWindow();
    const heard = vi.fn();
    view.onZoomChange(heard);
    view.zoomTo(1_000, 2_000);
    view.showRange(HOUR, history(0, HOUR, {}));
    expect(view.span).toBe(HOUR);
    expect(view.zoom).toBeUndefined();
    view.zoomTo(1_000, 2_000);
    view.showRecent();
    expect(view.span).toBeUndefined();
    expect(view.zoom).toBeUndefined();
    expect(heard).toHaveBeenCalledTimes(4);
  });

  describe("column", () => {
    it("is the live points alone while no history is loaded, and empty without either", () => {
      const view = new TimeWindow();
      const live = column([5, 6]);
      expect(view.column("a", live)).toEqual(live);
      expect(view.column("a", undefined)).toEqual({ ts: [], values: [] });
    });

    it("draws the range's buckets older than the first live point, then the live points", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, { a: [10, 20, 30, 40] }));
      expect(view.column("a", column([30, 35, 50]))).toEqual(column([10, 20, 30, 35, 50]));
      // A bucket at the same time as the first live point gives way to it.
      expect(view.column("a", { ts: [30], values: [7] })).toEqual({ ts: [10, 20, 30], values: [0.1, 0.2, 7] });
      expect(view.column("a", undefined)).toEqual(column([10, 20, 30, 40]));
      expect(view.column("other", column([1]))).toEqual(column([1]));
    });

    it("drops the loaded history when recent points are picked again", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, { a: [10] }));
      view.showRecent();
      expect(view.column("a", undefined)).toEqual({ ts: [], values: [] });
    });

    it("a new range replaces the history of the last one", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, { a: [10], b: [10] }));
      view.showRange(6 * HOUR, history(0, 100, { a: [20] }));
      expect(view.column("a", undefined)).toEqual(column([20]));
      expect(view.column("b", undefined)).toEqual({ ts: [], values: [] });
    });

    it("for any history and live points, keeps every bucket older than the first live point and ends with the live points as they are", () => {
      const times = fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { maxLength: 15 }).map((ts) => ts.sort((a, b) => a - b));
      fc.assert(
        fc.property(times, times, (buckets, liveTimes) => {
          const view = new TimeWindow();
          view.showRange(HOUR, history(0, 100, { a: buckets }));
          const live = column(liveTimes);
          const drawn = view.column("a", live);
          const firstLive = liveTimes[0] ?? Infinity;
          expect(drawn).toEqual(column([...buckets.filter((t) => t < firstLive), ...liveTimes]));
        }),
      );
    });
  });

  describe("centredColumn (what rates and aggregates read)", () => {
    /** A history answer of `step`-wide buckets up to `to`, each averaging `avg(start)`. */
    function buckets(step: number, to: number, series: Record<string, number[]>, avg: (start: number) => number): HistoryResult {
      return {
        from: 0,
        to,
        step,
        source: "raw",
        series: Object.entries(series).map(([key, ts]) => ({ key, name: key, tags: {}, ts, min: ts.map(avg), max: ts.map(avg), avg: ts.map(avg), last: ts.map(avg), count: ts.map(() => 1) })),
      };
    }

    it("puts each bucket's average at the middle of its bucket, the last one ending at the range's end", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, buckets(10, 35, { a: [0, 10, 20, 30] }, (t) => t));
      expect(view.centredColumn("a", undefined)).toEqual({ ts: [5, 15, 25, 32.5], values: [0, 10, 20, 30] });
      expect(view.centredColumn("other", column([1]))).toEqual(column([1]));
      expect(view.centredColumn("other", undefined)).toEqual({ ts: [], values: [] });
    });

    it("takes only the buckets that end by the first live point: a bucket reaching into the live points gives way to them", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, buckets(10, 100, { a: [0, 10, 20, 30] }, (t) => t));
      expect(view.centredColumn("a", { ts: [25, 31], values: [7, 8] })).toEqual({ ts: [5, 15, 25, 31], values: [0, 10, 7, 8] });
      expect(view.centredColumn("a", { ts: [30], values: [7] })).toEqual({ ts: [5, 15, 25, 30], values: [0, 10, 20, 7] });
    });

    it("centres the zoomed stretch's finer buckets on their own width", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, buckets(10, 100, { a: [0, 10, 20, 30] }, (t) => t));
      view.zoomTo(10, 20);
      view.showZoomHistory(view.zoom!, { ...buckets(2, 20, { a: [10, 12, 18] }, (t) => t), from: 10 });
      expect(view.centredColumn("a", undefined).ts).toEqual([5, 11, 13, 19, 25, 35]);
    });

    it("for a counter rising steadily, keeps its rate across the join of history and live points, to within a point interval's share of a bucket", () => {
      // Points every `every` ms of a counter rising `perSecond` a second; history buckets of
      // `step` ms averaging them, loaded up to `loadedTo`; live points from `firstLive` on.
      // Between two buckets and between two live points the rate is exact.
      fc.assert(
        fc.property(
          fc.constantFrom(1_000, 2_000, 5_000),
          fc.constantFrom(10_000, 30_000, 60_000),
          fc.integer({ min: 1, max: 1_000 }),
          fc.integer({ min: 20, max: 200 }),
          fc.integer({ min: 0, max: 19 }),
          (every, step, perSecond, bucketCount, liveOffset) => {
            const value = (t: number) => (t / 1000) * perSecond;
            const firstLive = Math.floor((bucketCount * step) / 2 / every) * every + liveOffset * every;
            const loadedTo = bucketCount * step;
            const starts: number[] = [];
            const sums = new Map<number, number[]>();
            for (let t = 0; t < loadedTo; t += every) {
              const start = Math.floor(t / step) * step;
              if (!sums.has(start)) (starts.push(start), sums.set(start, []));
              sums.get(start)!.push(value(t));
            }
            const view = new TimeWindow();
            view.showRange(HOUR, {
              from: 0,
              to: loadedTo,
              step,
              source: "raw",
              series: [{ key: "c", name: "c", tags: {}, ts: starts, min: [], max: [], last: [], count: [], avg: starts.map((s) => sums.get(s)!.reduce((a, b) => a + b, 0) / sums.get(s)!.length) }],
            });
            const live: Column = { ts: [], values: [] };
            for (let t = firstLive; t < loadedTo + 10 * every; t += every) (live.ts.push(t), live.values.push(value(t)));
            const read = view.centredColumn("c", live);
            // A bucket's points here start on its start, so their mean time is half an
            // interval before its middle: from the last bucket to the first live point (at
            // least half a bucket later) the rate is at most every / step over. Read at the
            // bucket's start instead, it would be about half the rate.
            const slack = perSecond * 1e-9;
            for (let i = 1; i < read.ts.length; i++) {
              const rate = (read.values[i]! - read.values[i - 1]!) / ((read.ts[i]! - read.ts[i - 1]!) / 1000);
              expect(rate).toBeGreaterThanOrEqual(perSecond - slack);
              expect(rate).toBeLessThanOrEqual(perSecond * (1 + every / step) + slack);
            }
          },
        ),
      );
    });
  });

  describe("finer history for a zoomed stretch", () => {
    it("takes the place of the range's buckets inside the stretch it covers", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, { a: [10, 20, 30, 40, 50] }));
      view.zoomTo(20, 40);
      const zoom = view.zoom!;
      expect(view.showZoomHistory(zoom, history(20, 40, { a: [21, 25, 33] }))).toBe(true);
      expect(view.column("a", undefined)).toEqual(column([10, 21, 25, 33, 40, 50]));
    });

    it("is drawn alone for a series the range has no buckets for", () => {
      const view = new TimeWindow();
      view.zoomTo(20, 40);
      view.showZoomHistory(view.zoom!, history(20, 40, { a: [21, 25] }));
      expect(view.column("a", column([41]))).toEqual(column([21, 25, 41]));
    });

    it("is refused once a later zoom or a return to now has made it stale", () => {
      const view = new TimeWindow();
      view.zoomTo(20, 40);
      const first = view.zoom!;
      view.zoomTo(20, 40);
      expect(view.showZoomHistory(first, history(20, 40, { a: [21] }))).toBe(false);
      expect(view.column("a", undefined)).toEqual({ ts: [], values: [] });
      const second = view.zoom!;
      view.followNow();
      expect(view.showZoomHistory(second, history(20, 40, { a: [21] }))).toBe(false);
    });

    it("is dropped by the next zoom and by a return to now", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, { a: [10, 30, 50] }));
      view.zoomTo(20, 40);
      view.showZoomHistory(view.zoom!, history(20, 40, { a: [25] }));
      view.zoomTo(0, 60);
      expect(view.column("a", undefined)).toEqual(column([10, 30, 50]));
      view.showZoomHistory(view.zoom!, history(20, 40, { a: [25] }));
      view.followNow();
      expect(view.column("a", undefined)).toEqual(column([10, 30, 50]));
    });

    it("for any buckets and stretch, keeps the coarse buckets before its start and from its end on, around the fine ones", () => {
      const times = fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { maxLength: 15 }).map((ts) => ts.sort((a, b) => a - b));
      fc.assert(
        fc.property(times, times, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (coarse, fine, a, b) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const view = new TimeWindow();
          view.showRange(HOUR, history(0, 100, { a: coarse }));
          view.zoomTo(0, 100);
          view.showZoomHistory(view.zoom!, history(from, to, { a: fine }));
          expect(view.column("a", undefined)).toEqual(column([...coarse.filter((t) => t < from), ...fine, ...coarse.filter((t) => t >= to)]));
        }),
      );
    });
  });

  describe("xRange", () => {
    it("is the data's own range while following the points held", () => {
      const view = new TimeWindow();
      expect(view.xRange(chartOf([1_000, 5_000]), 1_000, 5_000)).toEqual([1_000, 5_000]);
      expect(view.xRange(chartOf([]), 0, 0)).toEqual([0, 0]);
    });

    it("puts a lone time in the middle of a minute", () => {
      const view = new TimeWindow();
      expect(view.xRange(chartOf([100_000]), 100_000, 100_000)).toEqual([70_000, 130_000]);
      expect(view.xRange(chartOf([100_000, 100_000]), 100_000, 100_000)).toEqual([70_000, 130_000]);
    });

    it("is the picked range up to now, read at each call", () => {
      vi.useFakeTimers({ now: 10 * HOUR });
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, {}));
      expect(view.xRange(chartOf([9.5 * HOUR]), 9.5 * HOUR, 9.5 * HOUR)).toEqual([9 * HOUR, 10 * HOUR]);
      vi.setSystemTime(11 * HOUR);
      expect(view.xRange(chartOf([9.5 * HOUR]), 9.5 * HOUR, 9.5 * HOUR)).toEqual([10 * HOUR, 11 * HOUR]);
    });

    it("is the zoomed stretch while zoomed, whatever the range or the data", () => {
      const view = new TimeWindow();
      view.showRange(HOUR, history(0, 100, {}));
      view.zoomTo(3_000, 4_000);
      expect(view.xRange(chartOf([1, 2]), 1, 2)).toEqual([3_000, 4_000]);
      view.followNow();
      view.showRecent();
      view.zoomTo(3_000, 4_000);
      expect(view.xRange(chartOf([100_000]), 100_000, 100_000)).toEqual([3_000, 4_000]);
    });
  });

  describe("an absolute range", () => {
    it("holds every chart at the range, whatever now or the data, and draws its buckets before the live points", () => {
      vi.useFakeTimers({ now: 10 * HOUR });
      const view = new TimeWindow();
      const heard = vi.fn();
      view.onZoomChange(heard);
      view.showRange(HOUR, history(9 * HOUR, 10 * HOUR, { a: [9 * HOUR] }));
      const range = { min: 2 * HOUR, max: 3 * HOUR };
      view.showAbsolute(range, history(range.min, range.max, { a: [2 * HOUR, 2.5 * HOUR] }));
      expect(heard).toHaveBeenCalledTimes(1);
      expect(view.span).toBeUndefined();
      expect(view.absolute).toBe(range);
      expect(view.zoom).toBe(range);
      vi.setSystemTime(11 * HOUR);
      expect(view.xRange(chartOf([9.5 * HOUR]), 9.5 * HOUR, 9.5 * HOUR)).toEqual([2 * HOUR, 3 * HOUR]);
      // The relative range's buckets are gone; the live points still follow the range's.
      expect(view.column("a", column([9.5 * HOUR]))).toEqual(column([2 * HOUR, 2.5 * HOUR, 9.5 * HOUR]));
    });

    it("keeps its buckets under a zoom inside it, with the zoom's finer ones in their place", () => {
      const view = new TimeWindow();
      view.showAbsolute({ min: 0, max: 10_000 }, history(0, 10_000, { a: [0, 4_000, 8_000] }));
      view.zoomTo(3_000, 6_000);
      expect(view.absolute).toEqual({ min: 0, max: 10_000 });
      expect(view.showZoomHistory(view.zoom!, history(3_000, 6_000, { a: [3_000, 5_000] }))).toBe(true);
      expect(view.column("a", undefined)).toEqual(column([0, 3_000, 5_000, 8_000]));
    });

    it("is left, with its buckets, for the points held when now is asked for", () => {
      const view = new TimeWindow();
      const zoomChanged = vi.fn();
      view.onZoomChange(zoomChanged);
      view.showAbsolute({ min: 0, max: 10_000 }, history(0, 10_000, { a: [0, 4_000] }));
      view.zoomTo(1_000, 2_000);
      view.followNow();
      expect(view.absolute).toBeUndefined();
      expect(view.zoom).toBeUndefined();
      expect(zoomChanged).toHaveBeenCalledTimes(3);
      expect(view.column("a", column([50_000]))).toEqual(column([50_000]));
      expect(view.xRange(chartOf([50_000, 60_000]), 50_000, 60_000)).toEqual([50_000, 60_000]);
    });

    it("is replaced by a relative range or the points held", () => {
      const view = new TimeWindow();
      view.showAbsolute({ min: 0, max: 10_000 }, history(0, 10_000, {}));
      view.showRange(HOUR, history(0, 100, {}));
      expect([view.absolute, view.zoom, view.span]).toEqual([undefined, undefined, HOUR]);
      view.showAbsolute({ min: 0, max: 10_000 }, history(0, 10_000, {}));
      view.showRecent();
      expect([view.absolute, view.zoom, view.span]).toEqual([undefined, undefined, undefined]);
    });
  });
});
