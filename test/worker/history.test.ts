import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DashboardStore } from "../../src/dashboard/dashboard-store";
import { HISTORY_SLICE_ROWS, readHistory, type HistoryRequest } from "../../src/dashboard/history-query";
import { seriesMatcher } from "../../src/common/series-pattern";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";
import { limits } from "../../src/common/limits";
import { createDashboard, postMetrics } from "./api";
import { storeOf } from "./object-store";
import { Viewer } from "./viewer";

const MINUTE = 60_000;

function query(id: string, params: string): Promise<Response> {
  return SELF.fetch(`http://localhost/api/dashboards/${id}/series?${params}`);
}

describe("the history query", () => {
  it("returns aligned buckets with min, max, avg, last and count from raw points", async () => {
    const { id, token } = await createDashboard();
    const base = Math.floor(Date.now() / (10 * MINUTE)) * 10 * MINUTE - 30 * MINUTE;
    await postMetrics(id, token, [
      { name: "t", value: 1, ts: base + 1000, tags: { room: "a" } },
      { name: "t", value: 3, ts: base + 2000, tags: { room: "a" } },
      { name: "t", value: 2, ts: base + 5 * MINUTE, tags: { room: "a" } },
      { name: "t", value: 10, ts: base + 1000, tags: { room: "b" } },
      { name: "other", value: 0, ts: base },
    ]);
    const response = await query(id, `names=t&from=${base}&to=${base + 10 * MINUTE}&step=5m`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      from: base,
      to: base + 10 * MINUTE,
      step: 5 * MINUTE,
      source: "raw",
      series: [
        { key: "t{room=a}", name: "t", tags: { room: "a" }, ts: [base, base + 5 * MINUTE], min: [1, 2], max: [3, 2], avg: [2, 2], last: [3, 2], count: [2, 1] },
        { key: "t{room=b}", name: "t", tags: { room: "b" }, ts: [base], min: [10], max: [10], avg: [10], last: [10], count: [1] },
      ],
    });
  });

  it("takes RFC 3339 times, glob patterns and picks a step when none is given", async () => {
    const { id, token } = await createDashboard();
    const now = Date.now();
    await postMetrics(id, token, [{ name: "cpu.user", value: 1, ts: now - MINUTE }, { name: "cpu.system", value: 2, ts: now - MINUTE }, { name: "mem", value: 3, ts: now - MINUTE }]);
    const response = await query(id, `names=cpu.*&from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now).toISOString()}`);
    expect(response.status).toBe(200);
    const body = await response.json<{ step: number; series: { key: string; count: number[] }[] }>();
    expect(body.step).toBe(10_000);
    expect(body.series.map((s) => [s.key, s.count])).toEqual([
      ["cpu.system", [1]],
      ["cpu.user", [1]],
    ]);
  });

  it("uses rollups, with the step rounded up to whole minutes, for ranges older than the raw window", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    const response = await query(id, `from=${now - 3 * 86_400_000}&to=${now}&step=90s`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ source: "rollup", step: 2 * MINUTE, series: [] });
  });

  it.each([
    ["from=yesterday", "from"],
    ["to=12:00", "to"],
    ["step=0", "step"],
    ["step=fast", "step"],
    ["from=2000&to=1000", "to"],
    ["from=0&to=86400000&step=1", "step"],
    ["names=", "names"],
    ["colour=red", "colour"],
  ])("answers %s with 400 naming the parameter", async (params, field) => {
    const { id } = await createDashboard();
    const response = await query(id, params);
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { code: string; field: string; message: string } }>();
    expect(error).toMatchObject({ code: "invalid_parameter", field });
    expect(error.message).toContain(field === "colour" ? "unknown parameter" : field);
  });

  it("answers 404 for an unknown dashboard", async () => {
    const response = await query("no-such-dashboard", "names=a");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "dashboard_not_found" } });
  });
});

/** Stores `perSeries` points for each of `series` series named `s<i>`, `gap` ms apart, ending at `end`. */
async function fill(id: string, series: number, perSeries: number, end: number, gap = 1): Promise<void> {
  await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
    // The object's own store, which keeps its positions in memory: a second one would leave them stale.
    const store = storeOf(instance);
    // Straight into storage in batches of 5,000 points (past the ingest rate limit, which is not under test).
    let builder = new SeriesBatchBuilder();
    let held = 0;
    for (let s = 0; s < series; s++) {
      for (let i = 0; i < perSeries; i++) {
        builder.add(`s${s}`, `s${s}`, {}, end - (perSeries - i) * gap, i, i);
        if (++held === 5000) {
          store.append(builder.build());
          builder = new SeriesBatchBuilder();
          held = 0;
        }
      }
    }
    if (held > 0) store.append(builder.build());
  });
}

type HistoryError = { error: { code: string; field: string; message: string } };

describe("the size of one history answer", () => {
  it("refuses more buckets x series than one answer holds, naming step and the least step that fits", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    await fill(id, 300, 1, now - MINUTE);
    const from = now - 3_600_000;
    // 3,600 buckets of a second x 300 series.
    const response = await query(id, `from=${from}&to=${now}&step=1s`);
    expect(response.status).toBe(400);
    const { error } = await response.json<HistoryError>();
    expect(error).toMatchObject({ code: "invalid_parameter", field: "step" });
    expect(error.message).toContain(`more than ${limits.maxHistoryCells}`);
    const least = Number(error.message.match(/at least (\d+) ms/)![1]);

    const fitting = await query(id, `from=${from}&to=${now}&step=${least}`);
    expect(fitting.status).toBe(200);
    const body = await fitting.json<{ step: number; series: unknown[] }>();
    expect(body.series).toHaveLength(300);
    expect(Math.ceil((now - Math.floor(from / body.step) * body.step) / body.step) * 300).toBeLessThanOrEqual(limits.maxHistoryCells);
  });

  it("picks a coarser step when many series match and none is given, so the answer fits", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    await fill(id, 400, 1, now - MINUTE);
    const response = await query(id, `from=${now - 3_600_000}&to=${now}`);
    expect(response.status).toBe(200);
    const body = await response.json<{ step: number; series: unknown[] }>();
    expect(body.series).toHaveLength(400);
    // 500 buckets of an hour would be 200,000 cells.
    expect(Math.ceil(3_600_000 / body.step + 1) * 400).toBeLessThanOrEqual(limits.maxHistoryCells);
  });

  it("refuses a range holding more raw points than one answer reads, naming from", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    const many = limits.maxHistoryScan + 5000;
    await fill(id, 1, many, now - 1000);
    const response = await query(id, `names=s0&from=${now - 3_600_000}&to=${now}&step=1m`);
    expect(response.status).toBe(400);
    const { error } = await response.json<HistoryError>();
    expect(error).toMatchObject({ code: "invalid_parameter", field: "from" });
    expect(error.message).toContain("shorter range");
    // The newest ten minutes' worth (600,000 points) are answered.
    const narrow = await query(id, `names=s0&from=${now - 601_000}&to=${now}&step=1m`);
    expect(narrow.status).toBe(200);
  }, 30_000);

  it("answers a WebSocket history request over the limit with an error carrying its id", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    await fill(id, 300, 1, now - MINUTE);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send({ type: "history", id: "h1", series: ["*"], from: now - 3_600_000, to: now, step: 1000 });
    const error = await viewer.nth("error");
    expect(error).toMatchObject({ id: "h1" });
    expect(error.message).toContain("step");
    expect(error.message).toContain(`${limits.maxHistoryCells}`);
    viewer.close();
  });

  it("answers from rollups for more series than one SQL statement takes parameters", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    await fill(id, 150, 1, now - 2 * 86_400_000);
    const response = await query(id, `names=s*&from=${now - 3 * 86_400_000}&to=${now}&step=1h`);
    expect(response.status).toBe(200);
    const body = await response.json<{ source: string; series: { count: number[] }[] }>();
    expect(body.source).toBe("rollup");
    expect(body.series.map((s) => s.count)).toEqual(Array.from({ length: 150 }, () => [1]));
  });

  it("rolls up one slice of pending points before reading rollups, not every pending point", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    // 30,000 points two days old, none rolled up yet.
    await fill(id, 3, 10_000, now - 2 * 86_400_000, 1000);
    const response = await query(id, `names=s*&from=${now - 3 * 86_400_000}&to=${now}&step=1h`);
    expect(response.status).toBe(200);
    const counted = (await response.json<{ series: { count: number[] }[] }>()).series.flatMap((s) => s.count).reduce((a, b) => a + b, 0);
    const rolled = await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) =>
      state.storage.sql.exec<{ rollup_seq: number }>("SELECT rollup_seq FROM dashboard").one().rollup_seq,
    );
    expect(rolled).toBe(10_000);
    expect(counted).toBe(10_000);
  });
});

/** A history read run to its end in one go. */
function readInOneGo(store: DashboardStore, request: HistoryRequest, rawSince: number) {
  const read = readHistory(store, request, rawSince);
  for (;;) {
    const step = read.next();
    if (step.done) return step.value;
  }
}

/** Stores `count` points of series `s0`, one per chunk (as one-point requests leave them before maintenance merges them), a second apart, ending at `end`. */
async function fillOnePointChunks(id: string, count: number, end: number): Promise<void> {
  await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
    const store = storeOf(instance);
    for (let i = 0; i < count; i++) {
      const builder = new SeriesBatchBuilder();
      builder.add("s0", "s0", {}, end - (count - i) * 1000, i, 0);
      store.append(builder.build());
    }
  });
}

describe("a long history read", () => {
  it("is read in slices, other events running between them, and the answer is the same as read in one go", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    const count = 10 * HISTORY_SLICE_ROWS;
    await fillOnePointChunks(id, count, now);
    const { doneAfterOneTurn, sliced, inOneGo } = await runInDurableObject(env.DASHBOARD.getByName(id), async (instance: Dashboard, state) => {
      let done = false;
      const reading = instance.history({ credential: { kind: "admin" } }, ["s0"], now - 6 * 3_600_000, now, MINUTE).then((outcome) => {
        done = true;
        return outcome;
      });
      // A timer set now runs after the read's first slice: read in one go, it would be done.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const doneAfterOneTurn = done;
      const sliced = await reading;
      const store = new DashboardStore(state.storage);
      const series = store.matchingSeries(seriesMatcher(["s0"]));
      return { doneAfterOneTurn, sliced, inOneGo: readInOneGo(store, { series, from: now - 6 * 3_600_000, to: now, step: MINUTE }, 0) };
    });
    expect(doneAfterOneTurn).toBe(false);
    if (sliced.status !== "ok") throw new Error(`history: ${JSON.stringify(sliced)}`);
    expect(sliced.result.series[0]!.count.reduce((a, b) => a + b, 0)).toBe(count);
    expect(sliced.result).toEqual(inOneGo);
  });

  it("counts no point twice when points are written again between its slices", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    const count = 3 * HISTORY_SLICE_ROWS;
    await fillOnePointChunks(id, count, now);
    const outcome = await runInDurableObject(env.DASHBOARD.getByName(id), async (instance: Dashboard, state) => {
      const reading = instance.history({ credential: { kind: "admin" } }, ["s0"], now - 7_200_000, now, 3_600_000);
      // The read has done its first slice (the oldest chunks); those and the newest point are
      // written again, with new values, in one chunk the read has yet to reach.
      const store = storeOf(instance);
      const builder = new SeriesBatchBuilder();
      for (const i of [...Array.from({ length: 100 }, (_, i) => i), count - 1]) builder.add("s0", "s0", {}, now - (count - i) * 1000, -1, i);
      store.append(builder.build());
      return reading;
    });
    if (outcome.status !== "ok") throw new Error(`history: ${JSON.stringify(outcome)}`);
    // The 100 it had read count once, with their values as read; the newest point, replaced
    // before the read reached it, is left out of this one answer (history-query.ts says so).
    expect(outcome.result.series[0]!.count.reduce((a, b) => a + b, 0)).toBe(count - 1);
  });

  it("holds maintenance off until it is done: no chunk is merged under it", async () => {
    const { id } = await createDashboard();
    const now = Date.now();
    const count = 3 * HISTORY_SLICE_ROWS;
    await fillOnePointChunks(id, count, now);
    const { held, after, counted } = await runInDurableObject(env.DASHBOARD.getByName(id), async (instance: Dashboard) => {
      const reading = instance.history({ credential: { kind: "admin" } }, ["s0"], now - 7_200_000, now, 1000);
      // The read has done its first slice and waits for its next turn.
      const held = instance.maintain(Date.now());
      const outcome = await reading;
      if (outcome.status !== "ok") throw new Error(`history: ${JSON.stringify(outcome)}`);
      return { held, after: instance.maintain(Date.now()), counted: outcome.result.series[0]!.count.reduce((a, b) => a + b, 0) };
    });
    expect(held).toMatchObject({ rolledUp: 0, more: true });
    expect(counted).toBe(count);
    expect(after.rolledUp).toBe(count);
  });
});
