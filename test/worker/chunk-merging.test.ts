import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DashboardStore } from "../../src/dashboard/dashboard-store";
import { MAX_CHUNK_SEQ_SPAN } from "../../src/dashboard/point-chunk";
import { MERGED_CHUNK_POINTS, MERGED_CHUNK_SPAN_MS, SMALL_CHUNK_POINTS } from "../../src/dashboard/chunk-merging";
import type { HistoryResult } from "../../src/common/protocol";
import { createDashboard, postMetrics } from "./api";
import { point, store } from "./direct-ingest";
import { readStoredPoints } from "./stored-points";
import { Viewer } from "./viewer";

const MINUTE = 60_000;

type ChunkShape = { key: string; count: number; first_seq: number; last_seq: number; min_ts: number; max_ts: number; listed: number };

/** The `chunks` rows, described: series key, points, sequence and time bounds, whether they list their sequence numbers. */
function chunkRows(state: DurableObjectState): ChunkShape[] {
  return state.storage.sql
    .exec<ChunkShape>(
      `SELECT s.key, c.count, c.first_seq, c.last_seq, c.min_ts, c.max_ts, c.seqs IS NOT NULL AS listed
         FROM chunks c JOIN series s ON s.id = c.series_id ORDER BY c.first_seq`,
    )
    .toArray();
}

/**
 * 1,000 requests of six sensors, each sensor's 1,000 points spanning 6,000 sequence numbers
 * (6,000 in all, values `request * 10 + sensor`), then a maintenance pass.
 */
function storeSixSensorsAndMerge(instance: Dashboard): void {
  const now = Date.now();
  const names = ["s0", "s1", "s2", "s3", "s4", "s5"];
  for (let r = 0; r < 1000; r++) store(instance, names.map((name, s) => point(name, now - 5 * MINUTE + r, r * 10 + s)));
  instance.maintain(now);
}

describe("merging small chunks", () => {
  it("merges one-point requests into a row per series and pass, keeping each point's time, value and sequence number", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      // Two sensors in each request, so each one's sequence numbers interleave with the other's.
      for (let i = 0; i < 40; i++) store(instance, [point("a", now - 60_000 + i * 1000, i + 0.5), point("b", now - 60_000 + i * 1000, -i)]);
      // A request big enough to be a chunk of its own.
      store(instance, Array.from({ length: SMALL_CHUNK_POINTS }, (_, i) => point("big", now - 10_000 + i, i)));
      const before = readStoredPoints(state);
      expect(chunkRows(state)).toHaveLength(81);

      instance.maintain(now);
      expect(readStoredPoints(state)).toEqual(before);
      expect(chunkRows(state).map((row) => [row.key, row.count, row.first_seq, row.last_seq, row.listed])).toEqual([
        ["a", 40, 1, 79, 1],
        ["b", 40, 2, 80, 1],
        ["big", SMALL_CHUNK_POINTS, 81, 80 + SMALL_CHUNK_POINTS, 0],
      ]);

      // The next pass adds what arrived since to the series' last row, which has room.
      for (let i = 0; i < 10; i++) store(instance, [point("a", now + i, 100 + i)]);
      instance.maintain(now + MINUTE);
      expect(chunkRows(state).map((row) => [row.key, row.count, row.first_seq])).toEqual([
        ["a", 50, 1],
        ["b", 40, 2],
        ["big", SMALL_CHUNK_POINTS, 81],
      ]);
      expect(readStoredPoints(state).filter((p) => p.key === "a").map((p) => p.value)).toEqual([
        ...Array.from({ length: 40 }, (_, i) => i + 0.5),
        ...Array.from({ length: 10 }, (_, i) => 100 + i),
      ]);
    });
  });

  it("extends only the series' last row by sequence number, and never past a chunk of its own", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      const rows = () => chunkRows(state).map((row) => [row.count, row.first_seq, row.last_seq]);
      // Sequence 1-3, the latest times of all.
      for (let i = 0; i < 3; i++) store(instance, [point("a", now - 1000 + i, i)]);
      instance.maintain(now);
      // A pass that starts with a big chunk (4-67) leaves the row before it alone, and merges
      // the small ones after it (68-70, backfilled minutes earlier) among themselves.
      store(instance, Array.from({ length: SMALL_CHUNK_POINTS }, (_, i) => point("a", now - 500_000 + i, 100 + i)));
      for (let i = 0; i < 3; i++) store(instance, [point("a", now - 400_000 + i, 200 + i)]);
      instance.maintain(now);
      expect(rows()).toEqual([
        [3, 1, 3],
        [SMALL_CHUNK_POINTS, 4, 67],
        [3, 68, 70],
      ]);
      // The next pass extends the last row by sequence number (68-70), not the one with the
      // latest times (1-3), which would then span the big chunk's numbers.
      for (let i = 0; i < 2; i++) store(instance, [point("a", now + i, 300 + i)]);
      instance.maintain(now);
      expect(rows()).toEqual([
        [3, 1, 3],
        [SMALL_CHUNK_POINTS, 4, 67],
        [5, 68, 72],
      ]);

      // Reads by sequence number get the series' points in sequence order.
      const stored = readStoredPoints(state);
      const frame = new DashboardStore(state.storage).range(0, stored.length, 10_000, () => true);
      expect(frame.series.map((s) => s.values)).toEqual([stored.map((p) => p.value)]);
    });
  });

  it("bounds a merged row by its points, the sequence numbers it spans and the time it covers", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      // 1,100 one-point requests of one sensor: a full row and the rest.
      for (let i = 0; i < MERGED_CHUNK_POINTS + 76; i++) store(instance, [point("fast", now - 5 * MINUTE + i, i)]);
      instance.maintain(now);
      expect(chunkRows(state).map((row) => row.count)).toEqual([MERGED_CHUNK_POINTS, 76]);

      // Thirty points a minute apart: rows of at most ten minutes.
      const start = now - 60 * MINUTE;
      for (let i = 0; i < 30; i++) store(instance, [point("slow", start + i * MINUTE, i)]);
      instance.maintain(now);
      const slow = chunkRows(state).filter((row) => row.key === "slow");
      expect(slow.map((row) => row.count)).toEqual([11, 11, 8]);
      for (const row of slow) expect(row.max_ts - row.min_ts).toBeLessThanOrEqual(MERGED_CHUNK_SPAN_MS);
    });
  });

  it("keeps every merged row within the sequence span that reads by sequence number rely on", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      storeSixSensorsAndMerge(instance);
      const rows = chunkRows(state);
      for (const row of rows) expect(row.last_seq - row.first_seq).toBeLessThan(MAX_CHUNK_SEQ_SPAN);
      expect(rows.filter((row) => row.key === "s0").map((row) => row.count)).toEqual([834, 166]);
      expect(rows).toHaveLength(12);
    });
  });

  it("replays from merged rows in frames that follow one another, every point once and in order", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      storeSixSensorsAndMerge(instance);
      const stored = readStoredPoints(state);
      const reader = new DashboardStore(state.storage);
      for (const since of [0, 1, 1234, 5999]) {
        const got = new Map<string, number[]>();
        let after = since;
        let frames = 0;
        while (after < 6000) {
          const frame = reader.range(after, 6000, 500, () => true);
          expect(frame.from).toBe(after + 1);
          expect(frame.to).toBeGreaterThanOrEqual(frame.from);
          for (const series of frame.series) got.set(series.key, [...(got.get(series.key) ?? []), ...series.values]);
          after = frame.to;
          frames++;
        }
        const expected = new Map<string, number[]>();
        for (const p of stored.filter((p) => p.seq > since)) expected.set(p.key, [...(expected.get(p.key) ?? []), p.value]);
        expect(got).toEqual(expected);
        // Bounded frames: 500 points a frame, give or take the rows read whole.
        expect(frames).toBeGreaterThanOrEqual(Math.floor((6000 - since) / (500 + MERGED_CHUNK_POINTS)));
      }
    });
  });

  it("answers history, snapshots and resumes exactly as before merging", async () => {
    const { id, token } = await createDashboard();
    const live = await Viewer.open(id);
    await live.nth("snapshot");
    const start = Date.now() - 60_000;
    for (let i = 0; i < 30; i++) {
      const response = await postMetrics(id, token, [
        { name: "a", value: i, ts: start + i * 1000 },
        { name: "b", value: 100 - i, ts: start + i * 1000 + 500 },
      ]);
      expect(response.status).toBe(200);
    }
    await live.until(() => live.position() === 60, "the live viewer to reach 60");

    const read = async () => {
      const history = await (await SELF.fetch(`http://localhost/api/dashboards/${id}/series?from=${start}&to=${start + 60_000}&step=2000`)).json<HistoryResult>();
      const fresh = await Viewer.open(id);
      const snapshot = await fresh.nth("snapshot");
      const resuming = await Viewer.open(id, { since: "17" });
      const resumed = await resuming.nth("resumed");
      fresh.socket.close();
      resuming.socket.close();
      return { history, snapshot: snapshot.series, resumed, replayed: resuming.receivedValues(17) };
    };
    const before = await read();
    expect(before.resumed.points).toBe(43);

    const rows = await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      instance.maintain(Date.now());
      return chunkRows(state).length;
    });
    expect(rows).toBe(2);
    expect(await read()).toEqual(before);
    live.socket.close();
  });

  it("gives a chunks table from before merged rows its new columns, with every point as it was", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const now = Date.now();
      store(instance, [point("a", now - 2000, 1), point("b", now - 2000, 2)]);
      store(instance, [point("a", now - 1000, 3), point("a", now - 900, 4)]);
      const before = readStoredPoints(state);
      // The table as it was first made.
      state.storage.sql.exec("ALTER TABLE chunks DROP COLUMN seqs");
      state.storage.sql.exec("ALTER TABLE chunks DROP COLUMN last_seq");

      // A new instance upgrades the table when it first finds the dashboard.
      expect(new DashboardStore(state.storage).meta()?.seq).toBe(4);
      expect(chunkRows(state).map((row) => [row.key, row.first_seq, row.last_seq, row.listed])).toEqual([
        ["a", 1, 1, 0],
        ["b", 2, 2, 0],
        ["a", 3, 4, 0],
      ]);
      expect(readStoredPoints(state)).toEqual(before);
      instance.maintain(now);
      expect(readStoredPoints(state)).toEqual(before);
    });
  });
});
