import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_CAPACITY, SeriesStore } from "../../../src/client/dashboard/series-store.ts";
import { limits } from "../../../src/common/limits.ts";
import type { SeriesPoints } from "../../../src/common/protocol.ts";

/** A frame's entry for series `key` (named after it, untagged). */
function points(key: string, ts: number[], values = ts.map((t) => t / 10)): SeriesPoints {
  return { key, name: key, tags: {}, ts, values };
}

describe("SeriesStore", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps as many points per series as a snapshot sends, unless told otherwise", () => {
    expect(DEFAULT_CAPACITY).toBe(limits.snapshotPointsPerSeries);
    expect(new SeriesStore().capacity).toBe(limits.snapshotPointsPerSeries);
    expect(new SeriesStore(5).capacity).toBe(5);
  });

  it("has no position to resume from until a snapshot arrives, even after live frames", () => {
    const store = new SeriesStore();
    expect(store.seq).toBe(0);
    expect(store.resumePoint).toBeUndefined();
    store.applyPoints(1, 3, [points("a", [1])]);
    expect(store.seq).toBe(3);
    expect(store.resumePoint).toBeUndefined();
    store.applySnapshot(7, []);
    expect(store.resumePoint).toBe(7);
    store.applyPoints(8, 9, []);
    expect(store.resumePoint).toBe(9);
  });

  it("a snapshot replaces every series and says which appeared and which are gone", () => {
    const store = new SeriesStore();
    store.applySnapshot(5, [points("a", [1, 2]), points("b", [1])]);
    const change = store.applySnapshot(9, [points("b", [3]), points("c", [4])]);
    expect(change).toEqual({ changed: ["b", "c"], removed: ["a"] });
    expect(store.keys()).toEqual(["b", "c"]);
    // The snapshot is the whole truth: b's older points are not kept beside it.
    expect(store.get("b")?.ts).toEqual([3]);
    expect(store.get("a")).toBeUndefined();
  });

  it("a snapshot's position is taken as it is, even when lower than the one held", () => {
    const store = new SeriesStore();
    store.applySnapshot(50, []);
    store.applySnapshot(20, []);
    expect(store.seq).toBe(20);
    expect(store.resumePoint).toBe(20);
  });

  it("merges a frame of points, reports the series it touched and moves to its end", () => {
    const store = new SeriesStore();
    store.applySnapshot(4, [points("a", [1])]);
    const change = store.applyPoints(5, 6, [points("b", [2]), points("a", [2, 3])]);
    expect(change).toEqual({ changed: ["b", "a"], removed: [] });
    expect(store.seq).toBe(6);
    expect(store.get("a")).toEqual({ key: "a", name: "a", tags: {}, ts: [1, 2, 3], values: [0.1, 0.2, 0.3] });
  });

  it("skips a frame already covered, down to one ending exactly at the position held", () => {
    const store = new SeriesStore();
    store.applySnapshot(10, [points("a", [1])]);
    expect(store.applyPoints(9, 10, [points("a", [2])])).toEqual({ changed: [], removed: [] });
    expect(store.applyPoints(3, 4, [points("b", [2])])).toEqual({ changed: [], removed: [] });
    expect(store.get("a")?.ts).toEqual([1]);
    expect(store.keys()).toEqual(["a"]);
    expect(store.seq).toBe(10);
    // One past the position is new.
    expect(store.applyPoints(10, 11, [points("a", [2])]).changed).toEqual(["a"]);
    expect(store.seq).toBe(11);
  });

  it("warns of a gap in sequence numbers but keeps the frame", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const store = new SeriesStore();
    store.applySnapshot(10, []);
    store.applyPoints(11, 12, [points("a", [1])]);
    expect(warn).not.toHaveBeenCalled();
    store.applyPoints(15, 16, [points("a", [2])]);
    expect(warn).toHaveBeenCalledExactlyOnceWith("pulseboard: points 13..14 were not received");
    expect(store.get("a")?.ts).toEqual([1, 2]);
    expect(store.seq).toBe(16);
  });

  it("does not warn of a gap before it holds any position", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    new SeriesStore().applyPoints(40, 41, [points("a", [1])]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("places a late point in time order, and a point at a time it holds replaces that point's value", () => {
    const store = new SeriesStore();
    store.applySnapshot(1, [points("a", [10, 20, 30], [1, 2, 4])]);
    store.applyPoints(2, 2, [points("a", [20, 5, 40, 30], [9, 8, 7, 6])]);
    expect(store.get("a")).toMatchObject({ ts: [5, 10, 20, 30, 40], values: [8, 1, 9, 6, 7] });
    expect(store.latest("a")).toBe(7);
    store.applyPoints(3, 3, [points("a", [40], [3])]);
    expect(store.latest("a")).toBe(3);
    expect(store.get("a")?.ts).toEqual([5, 10, 20, 30, 40]);
  });

  it("drops points whose time or value is not a finite number, and times without a value", () => {
    const store = new SeriesStore();
    store.applySnapshot(1, [points("a", [1, Number.NaN, 3, 4, Number.POSITIVE_INFINITY, 6, 7], [1, 2, Number.NaN, Number.NEGATIVE_INFINITY, 5, 6])]);
    expect(store.get("a")).toMatchObject({ ts: [1, 6], values: [1, 6] });
  });

  it("keeps a series that arrives without points, with nothing to show as latest", () => {
    const store = new SeriesStore();
    store.applySnapshot(1, [points("a", [])]);
    expect(store.keys()).toEqual(["a"]);
    expect(store.get("a")).toMatchObject({ ts: [], values: [] });
    expect(store.latest("a")).toBeUndefined();
    expect(store.latest("unknown")).toBeUndefined();
  });

  it("keeps a series' name and tags from its first frame", () => {
    const store = new SeriesStore();
    store.applySnapshot(1, [{ key: "cpu{host=a}", name: "cpu", tags: { host: "a" }, ts: [1], values: [1] }]);
    expect(store.get("cpu{host=a}")).toMatchObject({ name: "cpu", tags: { host: "a" } });
  });

  it("the latest value is the newest in time, not the last to arrive", () => {
    const store = new SeriesStore();
    store.applySnapshot(1, [points("a", [10, 20], [1, 2])]);
    store.applyPoints(2, 2, [points("a", [15], [9])]);
    expect(store.latest("a")).toBe(2);
  });

  it("drops the oldest points beyond its capacity, including a late point older than all it keeps", () => {
    const store = new SeriesStore(3);
    store.applySnapshot(1, [points("a", [1, 2, 3, 4, 5])]);
    expect(store.get("a")?.ts).toEqual([3, 4, 5]);
    store.applyPoints(2, 2, [points("a", [6])]);
    expect(store.get("a")?.ts).toEqual([4, 5, 6]);
    store.applyPoints(3, 3, [points("a", [1])]);
    expect(store.get("a")).toMatchObject({ ts: [4, 5, 6], values: [0.4, 0.5, 0.6] });
  });

  it("a resume moves the position forward only", () => {
    const store = new SeriesStore();
    store.applySnapshot(10, []);
    store.applyResumed(25);
    expect(store.seq).toBe(25);
    store.applyResumed(12);
    expect(store.seq).toBe(25);
    expect(store.resumePoint).toBe(25);
  });

  it("for any frames, holds the newest points up to its capacity in time order, one per time, the last written", () => {
    const point = fc.record({ t: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Number.NaN)), v: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(Number.POSITIVE_INFINITY)) });
    const frames = fc.array(fc.array(point, { maxLength: 8 }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), frames, fc.boolean(), (capacity, drawn, snapshotFirst) => {
        const store = new SeriesStore(capacity);
        drawn.forEach((frame, i) => {
          const entry = points("a", frame.map((p) => p.t), frame.map((p) => p.v));
          if (i === 0 && snapshotFirst) store.applySnapshot(1, [entry]);
          else store.applyPoints(i + 1, i + 1, [entry]);
        });
        // The same, written the slow obvious way: every finite point, the last at each time, sorted by time.
        const byTime = new Map(drawn.flat().filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v)).map((p) => [p.t, p]));
        const kept = [...byTime.values()].sort((x, y) => x.t - y.t).slice(-capacity);
        expect(store.get("a")).toMatchObject({ ts: kept.map((p) => p.t), values: kept.map((p) => p.v) });
        expect(store.seq).toBe(drawn.length);
      }),
    );
  });
});
