import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { dashboardSettings, type DashboardSettings } from "../../src/dashboard/dashboard-settings";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";
import { createDashboard, postMetrics } from "./api";
import { point, store } from "./direct-ingest";
import { storeOf } from "./object-store";

const MINUTE = 60_000;

/** Rows and bytes a dashboard keeps. */
function footprint(state: DurableObjectState) {
  const sql = state.storage.sql;
  return {
    rawPoints: sql.exec<{ n: number | null }>("SELECT sum(count) AS n FROM chunks").one().n ?? 0,
    rollups: sql.exec<{ n: number }>("SELECT count(*) AS n FROM rollups").one().n,
    bytes: sql.databaseSize,
  };
}

describe("maintenance", () => {
  it("keeps storage bounded under sustained ingest that keeps the roll-up busy every pass", async () => {
    const { id } = await createDashboard();
    const series = 10;
    const perSeriesPerPass = 995;
    // Retention shortened so that simulated minutes reach every bound: the per-series cap of
    // raw points and the rollup window. Maintenance reads its settings from its schedule.
    const config: DashboardSettings = { ...dashboardSettings({}), rawPointsPerSeries: 5_000, rollupRetentionMs: 10 * MINUTE };
    const trace = await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      Object.assign((instance as unknown as { maintenance: object }).maintenance, { settings: config });
      const writer = storeOf(instance);
      const start = Date.now() - 24 * 60 * MINUTE;
      const append = (from: number, points: number, spanMs: number) => {
        const builder = new SeriesBatchBuilder();
        for (let s = 0; s < series; s++) {
          for (let i = 0; i < points; i++) builder.add(`host${s}.cpu`, `host${s}.cpu`, {}, from + (i * spanMs) / points, i, i);
        }
        writer.append(builder.build());
      };
      // A backlog first, then, before every pass, 9,950 new points over 9.95 simulated seconds
      // (1,000 a second): each pass rolls up 10,000, so points are pending after every pass.
      append(start - 30 * 1000, 3_000, 30_000);
      const samples: ReturnType<typeof footprint>[] = [];
      let pendingAfterEveryPass = true;
      let now = start;
      for (let pass = 0; pass < 400; pass++) {
        append(now, perSeriesPerPass, 9_950);
        now += 9_950;
        const report = instance.maintain(now);
        pendingAfterEveryPass &&= report.pending > 0;
        samples.push(footprint(state));
      }
      return { samples, pendingAfterEveryPass };
    });

    expect(trace.pendingAfterEveryPass).toBe(true);
    const late = trace.samples.slice(200);
    const rawBound = series * (config.rawPointsPerSeries + perSeriesPerPass);
    const rollupBound = series * (config.rollupRetentionMs / MINUTE + 2);
    const peak = (key: "rawPoints" | "rollups" | "bytes", samples = late) => Math.max(...samples.map((s) => s[key]));
    console.log(
      `maintenance: 400 passes, 3,980,000 points at 1,000/s over 66 simulated minutes; peak raw points ${peak("rawPoints")} (bound ${rawBound}), ` +
        `peak rollup rows ${peak("rollups")} (bound ${rollupBound}), database ${peak("bytes", trace.samples.slice(0, 200))} bytes in the first 200 passes, ${peak("bytes")} in the last 200`,
    );
    expect(peak("rawPoints")).toBeLessThanOrEqual(rawBound);
    expect(peak("rollups")).toBeLessThanOrEqual(rollupBound);
    // A plateau: the second half of the run grows the database by no more than a few pages.
    expect(peak("bytes")).toBeLessThanOrEqual(peak("bytes", trace.samples.slice(0, 200)) * 1.05);
  }, 120_000);

  it("re-arms the alarm when a pass fails, and the next pass does the work", async () => {
    const { id } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    await runInDurableObject(stub, (instance: Dashboard, state) => {
      store(instance, [point("a", Date.now() - 1000, 1)]);
      // The roll-up cannot write: every pass throws until the table is back.
      state.storage.sql.exec("ALTER TABLE rollups RENAME TO rollups_away");
    });
    const before = Date.now();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual(before + MINUTE);
    expect(alarm).toBeLessThanOrEqual(Date.now() + MINUTE);

    await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("ALTER TABLE rollups_away RENAME TO rollups"));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_instance, state) => footprint(state).rollups)).toBe(1);
  });

  it("sets the alarm again when points arrive after one set for the past was dropped", async () => {
    const { id, token } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    await runInDurableObject(stub, async (instance: Dashboard, state) => {
      // The state an alarm leaves when the runtime drops it after its last retry: this
      // instance last set it for a time now past, and storage holds none. (Set directly: a
      // real alarm for the past would fire at once in the test runtime.)
      Object.assign((instance as unknown as { maintenance: object }).maintenance, { alarmAt: Date.now() - 1000 });
      await state.storage.deleteAlarm();
    });
    expect(await (await postMetrics(id, token, { name: "a", value: 1 })).json()).toMatchObject({ accepted: 1 });
    await expect.poll(() => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).not.toBeNull();
  });
});
