import { describe, expect, it } from "vitest";
import type { PointRun } from "../../src/dashboard/stream-source.ts";
import type { RangeOutcome, RelayBase } from "../../src/relay/relay-contract.ts";
import { RelayWindow, WindowMiss, type RelaySupply } from "../../src/relay/relay-window.ts";
import type { SeriesPoints } from "../../src/common/protocol.ts";

const all = () => true;

function points(key: string, ts: number[], values = ts.map((t) => t / 10)): SeriesPoints {
  return { key, name: key, tags: {}, ts, values };
}

function base(seq: number, series: SeriesPoints[] = [], perSeries = 600, withheld: string[] = []): RelayBase {
  return { hello: { dashboard: "d", title: "D", panels: [] }, seq, prunedSeq: 0, perSeries, series, withheld: withheld.map((key) => ({ key, name: key, tags: {} })), viewers: 0 };
}

/**
 * The dashboard as a relay sees it: one point of series `x` per sequence number (its time
 * 10 × seq, its value seq), so any stretch it is asked for is known.
 */
class Dashboard implements RelaySupply {
  readonly asked: string[] = [];
  constructor(private readonly prunedSeq = 0) {}

  async range(after: number, through: number, limit: number): Promise<RangeOutcome> {
    this.asked.push(`range ${after}..${through}`);
    if (after < this.prunedSeq) return { status: "pruned", prunedSeq: this.prunedSeq };
    const to = Math.min(through, after + limit);
    const seqs = Array.from({ length: to - after }, (_, i) => after + 1 + i);
    return { status: "ok", run: { from: after + 1, to, series: [points("x", seqs.map((s) => s * 10), seqs)], count: seqs.length } };
  }

  async recent(keys: string[], perSeries: number, through: number): Promise<SeriesPoints[]> {
    this.asked.push(`recent ${keys.join(",")} ${perSeries} ${through}`);
    const seqs = Array.from({ length: Math.min(perSeries, through) }, (_, i) => through - Math.min(perSeries, through) + 1 + i);
    return keys.map((key) => points(key, seqs.map((s) => s * 10), seqs));
  }
}

/** A frame of `x` points for sequence numbers from..to, as the dashboard pushes it. */
function frame(from: number, to: number): PointRun {
  const seqs = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return { from, to, series: [points("x", seqs.map((s) => s * 10), seqs)] };
}

function values(run: { series: SeriesPoints[] }): number[] {
  return run.series.flatMap((series) => series.values);
}

describe("a relay's window", () => {
  it("fetches the series its base withheld when a snapshot needs them, a fetch's worth of points per call", async () => {
    const keys = Array.from({ length: 70 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    const dashboard = new Dashboard();
    // 300 points a series: 33 series make one fetch of at most 10,000 points.
    const window = new RelayWindow(base(400, [], 300, keys), dashboard);
    const series = window.listSeries();
    expect(series.map((info) => info.key)).toEqual(keys);
    await window.coverRecent(series, 300, 400);
    expect(dashboard.asked.map((asked) => asked.split(" ")[1]!.split(",").length)).toEqual([33, 33, 4]);
    const snapshot = window.recent(300, 400, series);
    expect(snapshot).toHaveLength(70);
    for (const points of snapshot) expect(points.values).toEqual(Array.from({ length: 300 }, (_, i) => 101 + i));
    // Held now: a second snapshot asks for nothing.
    expect(window.coverRecent(series, 300, 400)).toBeNull();
  });

  it("reads frames from any frame boundary it holds, whole frames up to the limit, without gap", () => {
    const window = new RelayWindow(base(10), new Dashboard());
    window.append(frame(11, 13));
    window.append(frame(14, 14));
    window.append(frame(15, 20));
    window.markBroadcast(20);
    expect(values(window.range(10, 20, 1000, all))).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    // At least one frame, then whole frames until the limit is reached.
    const first = window.range(10, 20, 2, all);
    expect([first.from, first.to, first.count]).toEqual([11, 13, 3]);
    expect(values(window.range(first.to, 20, 2, all))).toEqual([14, 15, 16, 17, 18, 19, 20]);
    // Never past `through`.
    expect(window.range(10, 14, 1000, all).to).toBe(14);
    expect(window.positions()).toEqual({ seq: 20, broadcastSeq: 20, prunedSeq: 0 });
  });

  it("refuses a frame that does not follow on, and a read from inside a frame it has not covered", () => {
    const window = new RelayWindow(base(10), new Dashboard());
    expect(() => window.append(frame(12, 12))).toThrow();
    window.append(frame(11, 15));
    expect(() => window.range(12, 15, 1000, all)).toThrow(WindowMiss);
  });

  it("fetches the rest of a frame for a resume from inside it, and an older stretch for one from before the window, once", async () => {
    const dashboard = new Dashboard();
    const window = new RelayWindow(base(10), dashboard);
    window.append(frame(11, 15));
    window.markBroadcast(15);
    expect(window.cover(15)).toBeNull();
    expect(window.cover(11)).not.toBeNull();
    await window.cover(11);
    expect(values(window.range(11, 15, 1000, all))).toEqual([12, 13, 14, 15]);
    const before = window.cover(4);
    expect(window.cover(4)).toBe(before);
    await before;
    expect(values(window.range(4, 15, 1000, all))).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(dashboard.asked).toEqual(["range 11..15", "range 4..10"]);
    expect(window.cover(4)).toBeNull();
  });

  it("leaves a resume from points the dashboard no longer has to a reset", async () => {
    const window = new RelayWindow(base(10), new Dashboard(8));
    window.append(frame(11, 12));
    window.markBroadcast(12);
    await window.cover(3);
    expect(window.positions().prunedSeq).toBe(8);
    expect(window.cover(3)).toBeNull();
  });

  it("keeps each series' newest points by time, up to the position asked, for snapshots", () => {
    const window = new RelayWindow(base(2, [points("x", [10, 20])], 4), new Dashboard());
    window.append({ from: 3, to: 4, series: [points("x", [40, 15]), points("y", [30])] });
    window.append(frame(5, 5));
    window.markBroadcast(4);
    // Frame 5 is held but not yet sent: not in a snapshot.
    expect(window.recent(10, 4, window.listSeries())).toEqual([points("x", [10, 15, 20, 40], [1, 1.5, 2, 4]), points("y", [30])]);
    window.markBroadcast(5);
    expect(window.recent(3, 5, window.listSeries()).map((series) => series.ts)).toEqual([[20, 40, 50], [30]]);
    expect(window.recent(10, 4, [{ key: "x", name: "x", tags: {} }])[0]!.ts).toEqual([10, 15, 20, 40]);
  });

  it("fetches a series' deeper history when a snapshot asks for more than it holds, keeping what came after", async () => {
    const dashboard = new Dashboard();
    // The base held 2 points per series of a dashboard whose `x` has 10.
    const window = new RelayWindow(base(10, [points("x", [90, 100], [9, 10])], 2), dashboard);
    window.append(frame(11, 11));
    window.markBroadcast(11);
    const x = window.listSeries();
    expect(window.coverRecent(x, 2)).toBeNull();
    await window.coverRecent(x, 5);
    expect(dashboard.asked).toEqual(["recent x 5 11"]);
    expect(window.recent(5, 11, x)[0]!.values).toEqual([7, 8, 9, 10, 11]);
    expect(window.coverRecent(x, 5)).toBeNull();
  });
});
