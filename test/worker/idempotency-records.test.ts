import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { IDEMPOTENCY_WINDOW_MS, IdempotencyStore } from "../../src/dashboard/idempotency-store";
import { rejectionDigest, replayAnswer } from "../../src/dashboard/ingest-replay";
import { rejection, type IngestAnswer, type IngestRequest } from "../../src/dashboard/ingest-contract";
import { limits } from "../../src/common/limits";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";
import { BASE, createDashboard } from "./api";
import { point, store } from "./direct-ingest";
import { readStoredPoints } from "./stored-points";

/** Posts a line-protocol body with an `Idempotency-Key`. */
function postLines(id: string, token: string, body: string, key: string): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/metrics?precision=ms`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "text/plain", "Idempotency-Key": key },
    body,
  });
}

function databaseSize(id: string): Promise<number> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => state.storage.sql.databaseSize);
}

/** A direct ingest request of `points` of series "a" and `refused` items the Worker refused. */
function request(points: number, refused: number, key: string, bodyHash = "hash"): IngestRequest {
  const builder = new SeriesBatchBuilder();
  for (let i = 0; i < points; i++) builder.add("a", "a", {}, Date.now() - 1000 + i, i, refused + i);
  const rejected = Array.from({ length: refused }, (_, i) => rejection("index", i, "value must be a finite number", "value"));
  return { credential: { kind: "admin" }, series: builder.build(), rejected, unit: "index", total: points + refused, idempotency: { key, bodyHash } };
}

describe("Idempotency-Key records", () => {
  it("cost little storage when requests of 10 KB of refused lines store one point each", async () => {
    const { id, token } = await createDashboard();
    // A warm-up request, so that the measurement starts with the tables' first pages written.
    await (await postLines(id, token, `warm value=1 ${Date.now()}`, "warm-up")).body?.cancel();
    const before = await databaseSize(id);
    const bad = "xx\n".repeat(3400);
    const bodies = Array.from({ length: 20 }, (_, r) => `${bad}cpu value=${r} ${Date.now() + r}`);
    const answers: string[] = [];
    for (let r = 0; r < 20; r++) {
      const response = await postLines(id, token, bodies[r]!, `req-${r}`);
      expect(response.status).toBe(422);
      answers.push(await response.text());
    }
    const grown = (await databaseSize(id)) - before;
    const rowBytes = await runInDurableObject(env.DASHBOARD.getByName(id), (_i: Dashboard, state) =>
      state.storage.sql
        .exec<{ bytes: number }>("SELECT max(length(key) + length(body_hash) + length(rejected_digest) + ifnull(length(refused_series), 0) + 5 * 8) AS bytes FROM idempotency")
        .one().bytes,
    );
    console.log(`idempotency: 20 requests of ${bodies[0]!.length} bytes (3,400 refused lines and one point each): database grew by ${grown} bytes; a record holds ${rowBytes} bytes`);
    expect(rowBytes).toBeLessThan(200);
    // Each answer is ~0.3 MB; what is kept is a small row per key (and the point).
    expect(answers[0]!.length).toBeGreaterThan(200_000);
    expect(grown).toBeLessThan(64 * 1024);

    // A retry of each still gets the first answer, byte for byte, and stores nothing more.
    for (let r = 0; r < 20; r += 6) {
      const retry = await postLines(id, token, bodies[r]!, `req-${r}`);
      expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
      expect(await retry.text()).toBe(answers[r]);
    }
    const points = await runInDurableObject(env.DASHBOARD.getByName(id), (_i: Dashboard, state) => readStoredPoints(state).length);
    expect(points).toBe(21);
  });

  it("replays the first answer byte for byte, the Worker's rejections and the series cap's", async () => {
    const { id, token } = await createDashboard();
    const ts = Date.now();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
      // A full dashboard: one short of the cap, so the request below adds one series and is refused another.
      const full = Array.from({ length: limits.maxSeriesPerDashboard - 1 }, (_, i) => point(`s${i}.value`, ts - 5000, i));
      expect(store(instance, full).status).toBe("stored");
    });
    const body = [`s1 value=1 ${ts}`, "not a line", `new1 value=2 ${ts}`, `new2 value=3 ${ts}`, `s2 value=4 ${ts}`, `new2 value=5 ${ts + 1}`].join("\n");
    const first = await postLines(id, token, body, "cap-key");
    const firstText = await first.text();
    expect(first.status).toBe(422);
    const rejected = JSON.parse(firstText).error.rejected as { line: number; message: string }[];
    // Line 2 by the Worker; lines 4 and 6 (the second new series) by the cap.
    expect(rejected.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(rejected[1]!.message).toContain(`${limits.maxSeriesPerDashboard} series`);

    const pointsBefore = await runInDurableObject(env.DASHBOARD.getByName(id), (_i: Dashboard, state) => readStoredPoints(state).length);
    const retry = await postLines(id, token, body, "cap-key");
    expect(retry.status).toBe(422);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstText);
    expect(await runInDurableObject(env.DASHBOARD.getByName(id), (_i: Dashboard, state) => readStoredPoints(state).length)).toBe(pointsBefore);
  });

  it("answers a line of several fields, first and replayed, with 200 and every point counted", async () => {
    const { id, token } = await createDashboard();
    const body = `cpu user=1,system=2,idle=97 ${Date.now()}`;
    const first = await postLines(id, token, body, "fields");
    expect(first.status).toBe(200);
    const firstText = await first.text();
    expect(JSON.parse(firstText)).toMatchObject({ accepted: 3 });
    const retry = await postLines(id, token, body, "fields");
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(firstText);
  });

  it("says when a replay's rebuilt rejections differ from the first answer's, and keeps the first counts", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard, state) => {
      const first = instance.ingest(request(3, 2, "drift"));
      expect(first).toMatchObject({ status: "stored", accepted: 3, replayed: false });
      expect(first).not.toHaveProperty("rejectedExact");
      // The same body validated again, now with one more item refused (a time crossed the window's edge).
      const same = instance.ingest(request(3, 2, "drift"));
      expect(same).toEqual({ ...first, replayed: true });
      const drifted = instance.ingest(request(2, 3, "drift"));
      expect(drifted).toMatchObject({ status: "stored", accepted: 3, total: 5, replayed: true, rejectedExact: false });
      expect(drifted.status === "stored" && drifted.seq).toEqual(first.status === "stored" && first.seq);
      expect(readStoredPoints(state)).toHaveLength(3);
    });
  });

  it("counts refused items against the points rate, not only stored points", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
      // The default burst is 200,000 points: two requests of 150,000 items each, one point stored each.
      const first = instance.ingest({ ...request(1, 150_000, "r1"), idempotency: undefined });
      expect(first.status).toBe("stored");
      const second = instance.ingest({ ...request(1, 150_000, "r2"), idempotency: undefined });
      expect(second).toMatchObject({ status: "rate_limited" });
    });
  });

  it("keeps the records of a table made before point identity, and adds what a replay of a replacing write needs", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      // The compact table as the version before point identity made it, with one record.
      sql.exec("DROP TABLE idempotency");
      sql.exec(`CREATE TABLE idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, accepted INTEGER NOT NULL, seq_from INTEGER, seq_to INTEGER,
        total INTEGER NOT NULL, rejected_digest TEXT NOT NULL, refused_series BLOB, created_at INTEGER NOT NULL) WITHOUT ROWID`);
      sql.exec("INSERT INTO idempotency VALUES ('before', 'h', 3, 1, 3, 3, ?, NULL, ?)", rejectionDigest([]), now - 1000);

      const keys = new IdempotencyStore(sql);
      const before = keys.lookup("before", now)!;
      expect(before).toMatchObject({ bodyHash: "h", record: { accepted: 3, seq: { from: 1, to: 3 }, replaced: 0, refusedPoints: null } });
      keys.remember("after", "h2", { accepted: 2, seq: { from: 4, to: 5 }, total: 2, rejectedDigest: "d", refusedSeries: null, replaced: 2, refusedPoints: Uint32Array.of(0, 1) }, now);
      const after = keys.lookup("after", now)!;
      expect(after).toMatchObject({ record: { replaced: 2 } });
      expect("record" in after && Array.from(after.record.refusedPoints ?? [])).toEqual([0, 1]);
    });
  });

  it("still replays answers kept whole by the older table, and drops that table once they expire", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      // The table as the older version made it, with one remembered answer.
      sql.exec("DROP TABLE idempotency");
      sql.exec("CREATE TABLE idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, answer TEXT NOT NULL, created_at INTEGER NOT NULL)");
      const answer: IngestAnswer = { status: "stored", accepted: 1, seq: { from: 7, to: 7 }, rejected: [{ line: 2, message: "bad" }], total: 2, replayed: false };
      sql.exec("INSERT INTO idempotency VALUES ('old', 'h', ?, ?)", JSON.stringify(answer), now - 1000);

      const keys = new IdempotencyStore(sql);
      const remembered = keys.lookup("old", now)!;
      expect(remembered.bodyHash).toBe("h");
      expect(replayAnswer(remembered, request(0, 0, "old", "h"), limits.maxSeriesPerDashboard)).toEqual({ ...answer, replayed: true });
      // New keys go to the compact table beside it.
      keys.remember("new", "h2", { accepted: 0, seq: null, total: 1, rejectedDigest: "d", refusedSeries: null, replaced: 0, refusedPoints: null }, now);
      expect(keys.lookup("new", now)).toMatchObject({ bodyHash: "h2" });
      expect(keys.nextExpiry()).toBe(now - 1000 + IDEMPOTENCY_WINDOW_MS);

      keys.prune(now + IDEMPOTENCY_WINDOW_MS, 100);
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((row) => row.name);
      expect(tables).not.toContain("idempotency_answers");
      expect(keys.lookup("old", now)).toBeNull();
    });
  });
});
