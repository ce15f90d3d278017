import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/dashboard/rate-limiter.ts";
import { SnapshotCache } from "../../src/dashboard/snapshot-cache.ts";
import { planSnapshot, snapshotFeed, type FeedTarget } from "../../src/dashboard/viewer-feed.ts";
import { RelayWindow } from "../../src/relay/relay-window.ts";
import type { ServerMessage } from "../../src/common/protocol.ts";

const point = (key: string, ts: number, value: number) => ({ key, name: key, tags: {}, ts: [ts], values: [value] });

describe("a snapshot planned at one position and read later", () => {
  it("is read up to where its series were listed: a series first stored meanwhile comes in the catch-up frame, not lost", () => {
    // A relay's window as the stream source: series a, everything up to 10 broadcast.
    const window = new RelayWindow(
      { hello: { dashboard: "d", title: "D", panels: [] }, seq: 10, prunedSeq: 0, perSeries: 600, series: [point("a", 1_000, 1)], withheld: [], viewers: 0 },
      { range: () => Promise.reject(new Error("not asked")), recent: () => Promise.reject(new Error("not asked")) },
    );
    let broadcast = 10;
    const plan = planSnapshot(window, ["*"], broadcast);
    // Before the snapshot is read (a relay fetching what it lacked, a budget refilling),
    // series b's first point goes out in frame 11.
    window.append({ from: 11, to: 11, series: [point("b", 2_000, 2)] });
    window.markBroadcast(11);
    broadcast = 11;
    const sent: ServerMessage[] = [];
    const target: FeedTarget = {
      store: window,
      broadcastSeq: () => broadcast,
      send: (message) => (sent.push(typeof message === "string" ? (JSON.parse(message) as ServerMessage) : message), true),
      cache: new SnapshotCache(),
      now: () => 0,
      snapshotReads: new TokenBucket(1e9, 1e9, 0),
    };
    for (const _ of snapshotFeed(target, plan, false));
    const snapshot = sent.find((message) => message.type === "snapshot");
    const frames = sent.filter((message) => message.type === "points");
    // Every point up to the snapshot's position is in it, and every later one in a frame.
    const held = new Map<string, number[]>();
    if (snapshot?.type === "snapshot") for (const series of snapshot.series) held.set(series.key, [...series.values]);
    for (const frame of frames) if (frame.type === "points") for (const series of frame.series) held.set(series.key, [...(held.get(series.key) ?? []), ...series.values]);
    expect(Object.fromEntries(held)).toEqual({ a: [1], b: [2] });
    expect(snapshot).toMatchObject({ seq: 10 });
    expect(frames).toMatchObject([{ from: 11, to: 11 }]);
  });
});
