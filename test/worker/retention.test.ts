import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { dashboardSettings } from "../../src/dashboard/dashboard-settings";
import { SMALL_CHUNK_POINTS } from "../../src/dashboard/chunk-merging";
import { prune, PRUNE_PAGE_ROWS, rollUp } from "../../src/dashboard/maintenance";
import { createDashboard, postMetrics } from "./api";
import { point, store, type Point } from "./direct-ingest";
import { readStoredPoints } from "./stored-points";
import { Viewer } from "./viewer";
import { storeOf } from "./object-store";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function count(state: DurableObjectState, table: "points" | "rollups" | "series"): number {
  if (table === "points") return readStoredPoints(state).length;
  return state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
}

describe("retention over simulated days", () => {
  it("keeps raw points and rollups under their bounds while sensors run for 40 days", async () => {
    const { id } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    const config = dashboardSettings({});
    const start = Math.floor((Date.now() - 40 * DAY) / HOUR) * HOUR;
    const end = start + 40 * DAY;
    const everyMs = 2 * MINUTE;
    const series = ["boiler.temp", "boiler.pressure"];

    const peaks = await runInDurableObject(stub, (instance: Dashboard, state) => {
      let maxRaw = 0;
      let maxRollups = 0;
      // Each simulated hour: 30 points per series, then the alarm's work at the hour's end.
      for (let hour = start; hour < end; hour += HOUR) {
        const points: Point[] = [];
        for (let ts = hour; ts < hour + HOUR; ts += everyMs) series.forEach((name, i) => points.push(point(name, ts, i * 100 + ((ts / everyMs) % 50))));
        expect(store(instance, points).status).toBe("stored");
        instance.maintain(hour + HOUR);
        maxRaw = Math.max(maxRaw, count(state, "points"));
        maxRollups = Math.max(maxRollups, count(state, "rollups"));
      }
      return { maxRaw, maxRollups, series: count(state, "series") };
    });

    // Raw: one window of points plus the hour that arrives before the next pass.
    const rawBound = ((config.rawRetentionMs + HOUR) / everyMs) * series.length;
    const rollupBound = ((config.rollupRetentionMs + HOUR) / everyMs) * series.length;
    expect(peaks.maxRaw).toBeLessThanOrEqual(rawBound);
    expect(peaks.maxRollups).toBeLessThanOrEqual(rollupBound);
    expect(peaks.maxRaw).toBeGreaterThan(rawBound * 0.9);
    expect(peaks.maxRollups).toBeGreaterThan(rollupBound * 0.9);
    expect(peaks.series).toBe(2);
    console.log(`retention: 40 days of 2 series at one point per 2 min; peak raw rows ${peaks.maxRaw} (bound ${rawBound}), peak rollup rows ${peaks.maxRollups} (bound ${rollupBound})`);

    // The history query still answers for the whole rollup window, from rollups.
    const from = end - config.rollupRetentionMs + HOUR;
    const response = await SELF.fetch(`http://localhost/api/dashboards/${id}/series?names=boiler.*&from=${from}&to=${end}&step=1h`);
    expect(response.status).toBe(200);
    const body = await response.json<{ source: string; step: number; series: { key: string; ts: number[]; count: number[] }[] }>();
    expect(body.source).toBe("rollup");
    expect(body.step).toBe(HOUR);
    for (const entry of body.series) {
      expect(entry.ts[0]).toBe(from);
      expect(entry.ts.length).toBe((end - from) / HOUR);
      expect(entry.count.every((n) => n === HOUR / everyMs)).toBe(true);
    }
  }, 120_000);

  it("counts every point exactly once in the rollups, even when a pass is retried", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
      store(instance, [point("x", minute, 5), point("x", minute + 1000, 1), point("x", minute + 2000, 9)]);
      expect(rollUp(storeOf(instance))).toBe(3);
      expect(rollUp(storeOf(instance))).toBe(0);
      // A late point for the same minute, older than the latest, merges without becoming `last`.
      store(instance, [point("x", minute + 500, 7)]);
      instance.maintain(Date.now());
      instance.maintain(Date.now());
      const row = state.storage.sql.exec("SELECT minute, min, max, sum, count, last FROM rollups").one();
      expect(row).toEqual({ minute, min: 1, max: 9, sum: 22, count: 4, last: 9 });
    });
  });

  it("prunes nothing twice: a second pass at the same time changes nothing", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      store(instance, [point("old", now - 2 * DAY, 1), point("new", now, 2)]);
      const first = instance.maintain(now);
      expect(first).toEqual({ rolledUp: 2, pending: 0, prunedPoints: 1, prunedRollups: 0, prunedSeries: 0, more: false });
      expect(instance.maintain(now)).toEqual({ rolledUp: 0, pending: 0, prunedPoints: 0, prunedRollups: 0, prunedSeries: 0, more: false });
      expect(count(state, "points")).toBe(1);
    });
  });

  it("caps raw points per series, keeping the newest, and records how far it pruned", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      // Thirty requests of a chunk each, big enough to stay unmerged: chunks the cap can take one by one.
      const size = SMALL_CHUNK_POINTS;
      for (let r = 0; r < 30; r++) {
        store(instance, Array.from({ length: size }, (_, i) => point("busy", now - (30 - r) * 1000 + i, r * size + i)));
      }
      rollUp(storeOf(instance));
      const report = prune(storeOf(instance), now, { ...dashboardSettings({}), rawPointsPerSeries: 10 * size });
      expect(report.prunedPoints).toBe(20 * size);
      expect(readStoredPoints(state).map((p) => p.value)).toEqual(Array.from({ length: 10 * size }, (_, i) => 20 * size + i));
      expect(state.storage.sql.exec<{ pruned_seq: number }>("SELECT pruned_seq FROM dashboard").one().pruned_seq).toBe(20 * size);
    });
  });

  it("applies the cap by whole chunks: a request's points of one series stay or go together", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      const size = SMALL_CHUNK_POINTS;
      store(instance, Array.from({ length: size }, (_, i) => point("busy", now - 20_000 + i, i)));
      store(instance, Array.from({ length: size }, (_, i) => point("busy", now - 10_000 + i, size + i)));
      rollUp(storeOf(instance));
      // The newest chunk alone holds fewer points than the cap, so the older one stays too.
      expect(prune(storeOf(instance), now, { ...dashboardSettings({}), rawPointsPerSeries: size + 2 }).prunedPoints).toBe(0);
      expect(prune(storeOf(instance), now, { ...dashboardSettings({}), rawPointsPerSeries: size }).prunedPoints).toBe(size);
      expect(readStoredPoints(state).map((p) => p.value)).toEqual(Array.from({ length: size }, (_, i) => size + i));
    });
  });

  it("deletes an expired chunk only once it is rolled up", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      const size = SMALL_CHUNK_POINTS;
      // Three chunks of points two days old, big enough to stay unmerged; the first alone rolled up.
      for (let r = 0; r < 3; r++) store(instance, Array.from({ length: size }, (_, i) => point("old", now - 2 * DAY + r * size + i, r * size + i)));
      expect(rollUp(storeOf(instance), size)).toBe(size);
      expect(prune(storeOf(instance), now, dashboardSettings({})).prunedPoints).toBe(size);
      expect(readStoredPoints(state).map((p) => p.seq)).toEqual(Array.from({ length: 2 * size }, (_, i) => size + 1 + i));
      rollUp(storeOf(instance));
      expect(prune(storeOf(instance), now, dashboardSettings({})).prunedPoints).toBe(2 * size);
    });
  });

  it("applies the per-series cap only to chunks already rolled up", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      const size = SMALL_CHUNK_POINTS;
      for (let r = 0; r < 5; r++) store(instance, Array.from({ length: size }, (_, i) => point("busy", now - 10_000 + r * size + i, r * size + i)));
      // Two of five chunks rolled up: the cap (one chunk) may take those two and no more.
      rollUp(storeOf(instance), 2 * size);
      const config = { ...dashboardSettings({}), rawPointsPerSeries: size };
      expect(prune(storeOf(instance), now, config).prunedPoints).toBe(2 * size);
      rollUp(storeOf(instance));
      expect(prune(storeOf(instance), now, config).prunedPoints).toBe(2 * size);
      expect(readStoredPoints(state).map((p) => p.value)).toEqual(Array.from({ length: size }, (_, i) => 4 * size + i));
    });
  });

  /** Stores more small chunks of one series than one page of pruning reads, all within the hour, and rolls them up. */
  function storeRolledUpChunks(instance: Dashboard, state: DurableObjectState): { now: number; size: number; chunks: number } {
    const now = Date.now();
    const size = SMALL_CHUNK_POINTS;
    const chunks = 2 * PRUNE_PAGE_ROWS + 200;
    for (let r = 0; r < chunks; r++) store(instance, Array.from({ length: size }, (_, i) => point("busy", now - HOUR + r * size + i, r)));
    rollUp(storeOf(instance));
    return { now, size, chunks };
  }

  it("pages through more chunks than one read takes, and in slices of a bounded number of rows", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const { now, size, chunks } = storeRolledUpChunks(instance, state);
      const config = { ...dashboardSettings({}), rawPointsPerSeries: 100 * size };
      const chunkCount = () => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chunks").one().n;

      // Slices of 300 rows: each that used all of them says more may be left.
      const slices: number[] = [];
      for (let more = true; more; ) {
        const slice = prune(storeOf(instance), now, config, 300);
        slices.push(slice.prunedPoints / size);
        more = slice.more;
      }
      expect(slices).toEqual([300, 300, 300, 200]);
      expect(chunkCount()).toBe(100);
      expect(readStoredPoints(state)[0]!.value).toBe(chunks - 100);
    });
  });

  it("pages through more chunks than one read takes within one pass", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const { now, size, chunks } = storeRolledUpChunks(instance, state);
      const report = prune(storeOf(instance), now, { ...dashboardSettings({}), rawPointsPerSeries: 100 * size });
      expect(report.prunedPoints).toBe((chunks - 100) * size);
      expect(report.more).toBe(false);
    });
  });

  it("deletes a series once nothing of it is kept", async () => {
    const { id } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    await runInDurableObject(stub, (instance: Dashboard) => {
      const now = Date.now();
      store(instance, [point("gone", now - 2 * DAY, 1)]);
      expect(instance.maintain(now + 31 * DAY).prunedSeries).toBe(1);
    });
    const info = await (await SELF.fetch(`http://localhost/api/dashboards/${id}`)).json<{ series: unknown[] }>();
    expect(info.series).toEqual([]);
  });

  it("schedules the alarm on ingest, and the alarm rolls up", async () => {
    const { id, token } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    await postMetrics(id, token, { name: "a", value: 1 });
    const scheduled = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(scheduled).toBeGreaterThan(Date.now());
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rollups = await runInDurableObject(stub, (_instance, state) => count(state, "rollups"));
    expect(rollups).toBe(1);
  });

  it("rolls up a busy minute in slices, each pass followed at once by the next, pruning what is rolled up without waiting for the rest", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      // 25,000 points, five requests of 5,000; and one point old enough to be pruned.
      store(instance, [point("old", now - 2 * DAY, 1)]);
      for (let r = 0; r < 5; r++) store(instance, Array.from({ length: 5000 }, (_, i) => point("busy", now - 60_000 + r * 5000 + i, i)));
      const reports = [instance.maintain(now), instance.maintain(now), instance.maintain(now)];
      expect(reports.map((r) => [r.rolledUp, r.pending, r.prunedPoints])).toEqual([
        [10_000, 15_001, 1],
        [10_000, 5_001, 0],
        [5_001, 0, 0],
      ]);
      const rolled = state.storage.sql.exec<{ n: number }>("SELECT sum(count) AS n FROM rollups").one().n;
      expect(rolled).toBe(25_001);
      expect(count(state, "points")).toBe(25_000);
    });
  });

  it("sets the alarm for now while a pass leaves points for the next", async () => {
    const { id } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    const before = Date.now();
    const alarm = await runInDurableObject(stub, async (instance: Dashboard, state) => {
      for (let r = 0; r < 3; r++) store(instance, Array.from({ length: 5000 }, (_, i) => point("busy", before - 60_000 + r * 5000 + i, i)));
      instance.maintain(Date.now());
      return state.storage.getAlarm();
    });
    expect(alarm).toBeLessThanOrEqual(Date.now());
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rolled = await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT sum(count) AS n FROM rollups").one().n);
    expect(rolled).toBe(15_000);
  });

  it("brings a far alarm forward when points arrive, so they are rolled up within a minute", async () => {
    const { id, token } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    await postMetrics(id, token, { name: "a", value: 1 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Everything rolled up: the next pass is due when the oldest row expires, a day out.
    const far = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(far).toBeGreaterThan(Date.now() + HOUR);

    await postMetrics(id, token, { name: "b", value: 2 });
    await expect.poll(() => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeLessThanOrEqual(Date.now() + MINUTE);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_instance, state) => count(state, "rollups"))).toBe(2);
  });

  it("resets a viewer that resumes from before what was pruned", async () => {
    const { id } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    await runInDurableObject(stub, (instance: Dashboard) => {
      const now = Date.now();
      store(instance, [point("old", now - 2 * DAY, 1), point("new", now, 2)]);
      instance.maintain(now);
    });
    const viewer = await Viewer.open(id, { since: "0" });
    const snapshot = await viewer.nth("snapshot");
    expect(snapshot.reset).toBe(true);
    // "old" keeps its rollups, so it is still a series; its raw points are gone.
    expect(snapshot.series.map((s) => [s.key, s.values])).toEqual([
      ["new", [2]],
      ["old", []],
    ]);
    viewer.close();
  });
});
