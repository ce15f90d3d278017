import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { dashboardSettings } from "../../src/dashboard/dashboard-settings";
import { prune, rollUp } from "../../src/dashboard/maintenance";
import { createDashboard, postMetrics } from "./api";
import { point, store } from "./direct-ingest";
import { storeOf } from "./object-store";
import { watchSqlWrites } from "./sql-writes";

const MINUTE = 60_000;

/** Posts one request and returns the sequence number of its last point. */
async function post(id: string, token: string, points: unknown): Promise<number> {
  const response = await postMetrics(id, token, points);
  expect(response.status).toBe(200);
  return (await response.json<{ seq: { to: number } }>()).seq.to;
}

describe("rows written", () => {
  it("a one-point request writes two rows: its chunk and the chunk's entry in the series-time index", async () => {
    const { id, token } = await createDashboard();
    const start = Date.now() - 10 * MINUTE;
    // The first request also makes the series.
    await post(id, token, [{ name: "boiler.temp", value: 60, ts: start }]);
    const writes = await watchSqlWrites(id);
    for (let i = 1; i <= 10; i++) await post(id, token, [{ name: "boiler.temp", value: 60 + i, ts: start + i * 1000 }]);
    const rows = writes.take().byStatement;
    // Besides, the broadcast position once per frame (at most one frame per request here).
    const frames = rows.get("UPDATE dashboard SET broadcast_seq = ? WHERE broadcast_seq < ?") ?? 0;
    rows.delete("UPDATE dashboard SET broadcast_seq = ? WHERE broadcast_seq < ?");
    expect(Object.fromEntries(rows)).toEqual({ "INSERT INTO chunks": 20 });
    expect(frames).toBeLessThanOrEqual(10);
  });
});

describe("the sequence number, kept in no row of its own", () => {
  it("goes on after an eviction, and after every chunk holding the newest points has been pruned", async () => {
    const { id, token } = await createDashboard();
    const now = Date.now();
    for (let i = 0; i < 5; i++) expect(await post(id, token, [{ name: "a", value: i, ts: now - 5 * MINUTE + i }])).toBe(i + 1);
    await evictDurableObject(env.DASHBOARD.getByName(id));
    expect(await post(id, token, [{ name: "a", value: 5, ts: now - 4 * MINUTE }])).toBe(6);
    // Everything rolled up and then pruned as out of the raw window: no chunk is left.
    const left = await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      rollUp(storeOf(instance));
      prune(storeOf(instance), now + 48 * 60 * MINUTE, dashboardSettings({}));
      return state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chunks").one().n;
    });
    expect(left).toBe(0);
    await evictDurableObject(env.DASHBOARD.getByName(id));
    expect(await post(id, token, [{ name: "a", value: 6, ts: now }])).toBe(7);
  });
});

describe("tables of the version that counted every point as it was written", () => {
  it("count only the points rolled up, exactly, once brought up to date", async () => {
    const { id } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    const now = Date.now() - 30 * MINUTE;
    await runInDurableObject(stub, (instance: Dashboard, state) => {
      for (let r = 0; r < 6; r++) store(instance, [point("a", now + r * 10, r), point("a", now + r * 10 + 1, r), point("b", now + r * 10, r)]);
      // Four requests rolled up (12 points: 8 of a, 4 of b), two not.
      rollUp(storeOf(instance), 12);
      // As that version left them: no rolled_points, and every raw point counted in `points`.
      state.storage.sql.exec("ALTER TABLE series DROP COLUMN rolled_points");
      state.storage.sql.exec("ALTER TABLE series ADD COLUMN points INTEGER NOT NULL DEFAULT 0");
      state.storage.sql.exec("UPDATE series SET points = (SELECT sum(count) FROM chunks WHERE series_id = series.id)");
    });
    await evictDurableObject(stub);
    const counts = await runInDurableObject(stub, (instance: Dashboard, state) => {
      storeOf(instance).meta();
      return state.storage.sql.exec<{ key: string; rolled_points: number }>("SELECT key, rolled_points FROM series ORDER BY key").toArray();
    });
    expect(counts).toEqual([
      { key: "a", rolled_points: 8 },
      { key: "b", rolled_points: 4 },
    ]);
  });
});
