import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DashboardStore } from "../../src/dashboard/dashboard-store";
import { createDashboard } from "./api";
import { point, store } from "./direct-ingest";

/**
 * The snapshot read takes chunks newest first (by their latest time) and stops once it has
 * enough points and the next chunk ends before the oldest of them. Each `store` call below
 * makes one chunk, so late points (sent after newer ones, with older times) sit in chunks of
 * their own, between the others in the read order.
 */
async function newest(chunks: number[][], count: number): Promise<number[]> {
  const { id } = await createDashboard();
  return runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
    for (const times of chunks) store(instance, times.map((ts) => point("x", ts, ts)));
    const reader = new DashboardStore(state.storage);
    const [series] = reader.recent(count, Number.MAX_SAFE_INTEGER, reader.listSeries());
    expect(series!.ts).toEqual(series!.values);
    return series!.ts;
  });
}

describe("a snapshot's read of a series' newest points", () => {
  it("reads on past the chunk that completes the count when an older-ending chunk holds newer points than the count's oldest", async () => {
    // Read order: [60,70,80] (ends 80), the late [1,55] (ends 55): five points, the oldest 1;
    // [10..50] ends at 50, after 1, so it is read and its 50 displaces the late 1.
    expect(await newest([[10, 20, 30, 40, 50], [60, 70, 80], [1, 55]], 5)).toEqual([50, 55, 60, 70, 80]);
  });

  it("puts late points from several chunks in their time places, and leaves out chunks wholly older than the count", async () => {
    const chunks = [
      [100, 110, 120],
      [200, 210, 220],
      [300, 310, 320],
      // Late arrivals, each with one point among the newest and one far older.
      [5, 305],
      [6, 215],
      [7, 115],
    ];
    expect(await newest(chunks, 6)).toEqual([210, 215, 220, 300, 305, 310, 320].slice(-6));
    expect(await newest(chunks, 9)).toEqual([120, 200, 210, 215, 220, 300, 305, 310, 320]);
    expect(await newest(chunks, 12)).toEqual([100, 110, 115, 120, 200, 210, 215, 220, 300, 305, 310, 320]);
  });

  it("returns every point, in time order, when the series holds fewer than the count", async () => {
    expect(await newest([[30, 10], [20], [5, 40]], 100)).toEqual([5, 10, 20, 30, 40]);
  });
});
