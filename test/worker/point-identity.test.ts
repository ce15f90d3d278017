import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryResult, ServerMessage } from "../../src/common/protocol";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { BASE, createDashboard, postMetrics } from "./api";
import { otlpJson } from "../support/otlp-encode";
import { remoteWriteBody } from "../support/remote-write-encode";
import { storedPoints } from "./stored-points";
import { Viewer } from "./viewer";

const MINUTE = 60_000;

/** A minute start a few minutes back, so every point of a test lies in minutes of its own. */
function minuteAgo(minutes: number): number {
  return Math.floor(Date.now() / MINUTE) * MINUTE - minutes * MINUTE;
}

async function post(id: string, token: string, points: unknown, headers: Record<string, string> = {}) {
  const response = await postMetrics(id, token, points, headers);
  const body = await response.json<{ accepted: number; replaced?: number; seq: { from: number; to: number } | null; error?: { rejected: { index: number; field?: string; message: string }[] } }>();
  return { status: response.status, body };
}

async function history(id: string, from: number, to: number, step: number): Promise<HistoryResult> {
  const response = await SELF.fetch(`${BASE}/api/dashboards/${id}/series?from=${from}&to=${to}&step=${step}`);
  expect(response.status).toBe(200);
  return response.json<HistoryResult>();
}

/** Runs the dashboard's maintenance to the end: every point rolled up. */
async function maintain(id: string): Promise<void> {
  await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
    for (let pass = 0; pass < 20 && instance.maintain(Date.now()).more; pass++);
  });
}

/** What a viewer holds after applying its frames in order, a point per series and time, the last one received winning. */
function held(frames: readonly ServerMessage[]): Map<string, Map<number, number>> {
  const series = new Map<string, Map<number, number>>();
  for (const frame of frames) {
    if (frame.type === "snapshot") series.clear();
    if (frame.type !== "snapshot" && frame.type !== "points") continue;
    for (const entry of frame.series) {
      const points = series.get(entry.key) ?? new Map<number, number>();
      series.set(entry.key, points);
      entry.ts.forEach((ts, i) => points.set(ts, entry.values[i]!));
    }
  }
  return series;
}

/** Every (time, value) a viewer was sent for `key` in points frames, in order. */
function sent(viewer: Viewer, key: string): [number, number][] {
  return viewer.all("points").flatMap((frame) => frame.series.filter((s) => s.key === key).flatMap((s) => s.ts.map((ts, i): [number, number] => [ts, s.values[i]!])));
}

describe("a point is its series and its time", () => {
  it("a retried batch without Idempotency-Key stores nothing twice: history and rollups count each point once", async () => {
    const { id, token } = await createDashboard();
    const base = minuteAgo(5);
    const batch = Array.from({ length: 30 }, (_, i) => ({ name: "cpu", tags: { host: `h${i % 3}` }, value: i, ts: base + i * 1000 }));
    const first = await post(id, token, batch);
    expect(first).toMatchObject({ status: 200, body: { accepted: 30 } });
    expect(first.body.replaced).toBeUndefined();
    await maintain(id);
    const retry = await post(id, token, batch);
    expect(retry).toMatchObject({ status: 200, body: { accepted: 30, replaced: 30 } });
    // The retry's points took the first ones' place: new sequence numbers, one point per time.
    expect(retry.body.seq!.from).toBeGreaterThan(first.body.seq!.to);
    const stored = await storedPoints(id);
    expect(stored).toHaveLength(30);
    expect(stored.every((point) => point.seq >= retry.body.seq!.from)).toBe(true);
    await maintain(id);

    const raw = await history(id, base, base + MINUTE, MINUTE);
    expect(raw.source).toBe("raw");
    const rolled = await history(id, base - 7 * 3_600_000, base + MINUTE, MINUTE);
    expect(rolled.source).toBe("rollup");
    for (const answer of [raw, rolled]) {
      for (const host of [0, 1, 2]) {
        const series = answer.series.find((s) => s.key === `cpu{host=h${host}}`)!;
        const at = series.ts.indexOf(base);
        const values = batch.filter((_, i) => i % 3 === host).map((p) => p.value);
        expect({ count: series.count[at], min: series.min[at], max: series.max[at], last: series.last[at] }).toEqual({
          count: 10,
          min: Math.min(...values),
          max: Math.max(...values),
          last: values.at(-1),
        });
      }
    }
  });

  it("a write at a stored time replaces its value everywhere: raw points, the minute's rollup, and the count kept for the series cap", async () => {
    const { id, token } = await createDashboard();
    const base = minuteAgo(6);
    await post(id, token, [0, 1, 2, 3].map((i) => ({ name: "t", value: 10 + i, ts: base + i * 10_000 })));
    await maintain(id);
    // The largest value of the minute is replaced by the smallest: the minute is summed again.
    const answer = await post(id, token, { name: "t", value: -5, ts: base + 30_000 });
    expect(answer).toMatchObject({ status: 200, body: { accepted: 1, replaced: 1 } });
    expect((await storedPoints(id)).map((point) => [point.ts - base, point.value])).toEqual([
      [0, 10],
      [10_000, 11],
      [20_000, 12],
      [30_000, -5],
    ]);
    const rollup = await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => ({
      row: state.storage.sql.exec("SELECT min, max, sum, count, last, last_ts FROM rollups").toArray(),
      rolled: state.storage.sql.exec<{ n: number }>("SELECT rolled_points AS n FROM series").one().n,
    }));
    // Before maintenance rolls the new point up, the minute holds the three that stay.
    expect(rollup.row).toEqual([{ min: 10, max: 12, sum: 33, count: 3, last: 12, last_ts: base + 20_000 }]);
    expect(rollup.rolled).toBe(3);
    await maintain(id);
    const after = await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => ({
      row: state.storage.sql.exec("SELECT min, max, sum, count, last, last_ts FROM rollups").toArray(),
      rolled: state.storage.sql.exec<{ n: number }>("SELECT rolled_points AS n FROM series").one().n,
    }));
    expect(after.row).toEqual([{ min: -5, max: 12, sum: 28, count: 4, last: -5, last_ts: base + 30_000 }]);
    expect(after.rolled).toBe(4);
  });

  it("keeps the last of the points at one time within a request", async () => {
    const { id, token } = await createDashboard();
    const ts = minuteAgo(2);
    const answer = await post(id, token, [
      { name: "d", value: 1, ts },
      { name: "d", value: 2, ts: ts + 1 },
      { name: "d", value: 3, ts },
    ]);
    expect(answer).toMatchObject({ status: 200, body: { accepted: 3, replaced: 1, seq: { to: answer.body.seq!.from + 1 } } });
    expect((await storedPoints(id)).map((point) => [point.ts - ts, point.value])).toEqual([
      [1, 2],
      [0, 3],
    ]);
  });

  it("refuses a write into a minute whose raw points retention has thinned, naming the point, and stores the rest", async () => {
    const { id, token } = await createDashboard();
    const base = minuteAgo(8);
    await post(id, token, [
      { name: "r", value: 1, ts: base },
      { name: "r", value: 2, ts: base + 30_000 },
    ]);
    await maintain(id);
    // Retention took the minute's first raw point; its rollup still counts it.
    await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
      state.storage.sql.exec("DELETE FROM chunks");
      state.storage.sql.exec("INSERT INTO chunks (first_seq, last_seq, series_id, count, min_ts, max_ts, ts, vals) VALUES (2, 2, 1, 1, ?, ?, ?, ?)", base + 30_000, base + 30_000, Float64Array.of(base + 30_000).buffer, Float64Array.of(2).buffer);
    });
    const retry = await post(id, token, [
      { name: "r", value: 1, ts: base },
      { name: "r", value: 5, ts: base + 3 * MINUTE },
    ]);
    expect(retry.status).toBe(422);
    expect(retry.body.error!.rejected).toEqual([{ index: 0, field: "ts", message: expect.stringMatching(/^"r" at .*: the raw points of that minute are no longer all kept/) }]);
    const rollups = await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => state.storage.sql.exec("SELECT minute, count, sum FROM rollups").toArray());
    expect(rollups).toEqual([{ minute: base, count: 2, sum: 3 }]);
    expect((await storedPoints(id)).map((point) => point.value)).toEqual([2, 5]);
  });

  it("sends a replaced value to viewers as a point at the same time; a new viewer's snapshot and a resume hold it once", async () => {
    const { id, token } = await createDashboard();
    const ts = minuteAgo(1);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    const first = await post(id, token, [
      { name: "v", value: 1, ts },
      { name: "v", value: 2, ts: ts + 1000 },
    ]);
    await viewer.until(() => viewer.position() === first.body.seq!.to, "the first points");
    const second = await post(id, token, { name: "v", value: 7, ts });
    await viewer.until(() => viewer.position() === second.body.seq!.to, "the replacing point");
    expect(sent(viewer, "v")).toEqual([
      [ts, 1],
      [ts + 1000, 2],
      [ts, 7],
    ]);
    const expected = new Map([
      [ts, 7],
      [ts + 1000, 2],
    ]);
    expect(held(viewer.frames).get("v")).toEqual(expected);

    // A viewer joining now (its snapshot and the frames after it), and a resume from before
    // the first write, get each time once, with the value now stored.
    const late = await Viewer.open(id);
    const back = await Viewer.open(id, { since: "0" });
    for (const joiner of [late, back]) {
      await joiner.until(() => joiner.position() === second.body.seq!.to, "the join");
      const snapshot = joiner.all("snapshot").flatMap((frame) => frame.series.filter((s) => s.key === "v").flatMap((s) => s.ts.map((t, i): [number, number] => [t, s.values[i]!])));
      expect([...snapshot, ...sent(joiner, "v")].sort((a, b) => a[0] - b[0])).toEqual([
        [ts, 7],
        [ts + 1000, 2],
      ]);
    }
    [viewer, late, back].forEach((socket) => socket.close());
  });
});

describe("every ingest route keeps point identity", () => {
  it("line protocol (InfluxDB v1 and v2), OTLP and Prometheus remote write: the same request twice stores each point once", async () => {
    const { id, token } = await createDashboard();
    const ms = minuteAgo(3);
    const lines = `cpu,host=a usage=1 ${ms}\ncpu,host=a usage=2 ${ms + 1}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const v1 = await SELF.fetch(`${BASE}/write?db=${id}&precision=ms`, { method: "POST", headers: { Authorization: `Token ${token}` }, body: lines });
      expect(v1.status).toBe(204);
      const v2 = await SELF.fetch(`${BASE}/api/v2/write?bucket=${id}&precision=ms`, { method: "POST", headers: { Authorization: `Token ${token}` }, body: lines });
      expect(v2.status).toBe(204);
      const otlp = await SELF.fetch(`${BASE}/api/dashboards/${id}/otlp/v1/metrics`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(otlpJson({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "queue.depth", gauge: { dataPoints: [{ timeUnixNano: BigInt(ms) * 1_000_000n, asDouble: 4 }] } }] }] }] })),
      });
      expect(otlp.status).toBe(200);
      const remote = await SELF.fetch(`${BASE}/api/v1/write?dashboard=${id}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy", "X-Prometheus-Remote-Write-Version": "0.1.0" },
        body: remoteWriteBody({ timeseries: [{ labels: [{ name: "__name__", value: "up" }], samples: [{ value: 1, timestamp: BigInt(ms) }] }] }),
      });
      expect(remote.status).toBe(200);
    }
    const stored = await storedPoints(id);
    expect(stored.map((point) => `${point.key}@${point.ts - ms}=${point.value}`).sort()).toEqual(["cpu.usage{host=a}@0=1", "cpu.usage{host=a}@1=2", "queue.depth@0=4", "up@0=1"]);
  });
});
