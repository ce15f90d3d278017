import { describe, expect, it } from "vitest";
import { SnapshotCache, snapshotText } from "../../src/dashboard/snapshot-cache.ts";
import type { ServerMessage } from "../../src/common/protocol.ts";

const series = [{ key: "a", name: "a", tags: {}, ts: [1, 2], values: [0.5, -1] }];

describe("SnapshotCache", () => {
  it("serves a snapshot to the joins that follow it, by subscription", () => {
    const cache = new SnapshotCache();
    cache.put(["*"], 10, 600, series, 1000);
    expect(cache.get(["*"], 12, 1500)?.seq).toBe(10);
    expect(cache.get(["a"], 12, 1500)).toBeUndefined();
  });

  it("stops serving it once it is too old or too far behind the stream", () => {
    const cache = new SnapshotCache();
    cache.put(["*"], 10, 600, series, 1000);
    expect(cache.get(["*"], 10, 1000 + SnapshotCache.MAX_AGE_MS + 1)).toBeUndefined();
    cache.put(["*"], 10, 600, series, 1000);
    expect(cache.get(["*"], 10 + SnapshotCache.MAX_BEHIND + 1, 1000)).toBeUndefined();
    expect(cache.get(["*"], 10 + SnapshotCache.MAX_BEHIND, 1000)).toBeDefined();
  });

  it("keeps at most a few subscriptions, dropping the oldest read first", () => {
    const cache = new SnapshotCache();
    for (let i = 0; i <= SnapshotCache.MAX_ENTRIES; i++) cache.put([`s${i}`], 1, 600, series, 1000 + i);
    expect(cache.get(["s0"], 1, 1010)).toBeUndefined();
    expect(cache.get([`s${SnapshotCache.MAX_ENTRIES}`], 1, 1010)).toBeDefined();
  });

  it("writes the same snapshot message as serialising it whole would", () => {
    const entry = new SnapshotCache().put(["*"], 7, 40, series, 0);
    const message: ServerMessage = { type: "snapshot", seq: 7, reset: true, series, perSeries: 40 };
    expect(JSON.parse(snapshotText(entry, true))).toEqual(message);
    expect(JSON.parse(snapshotText(entry, false))).toEqual({ ...message, reset: false });
  });

  it("makes each kind of text once per entry, so a crowd shares one string", () => {
    const cache = new SnapshotCache();
    const entry = cache.put(["*"], 7, 40, series, 0);
    const first = snapshotText(entry, false);
    expect(snapshotText(entry, false)).toBe(first);
    expect(entry.texts?.fresh).toBe(first);
    expect(entry.texts?.reset).toBeUndefined();
    snapshotText(entry, true);
    expect(JSON.parse(entry.texts!.reset!)).toMatchObject({ reset: true, seq: 7 });
    // A fresh read is a new entry, with texts of its own.
    const next = cache.put(["*"], 9, 40, series, 1);
    expect(JSON.parse(snapshotText(next, false))).toMatchObject({ seq: 9 });
  });
});
