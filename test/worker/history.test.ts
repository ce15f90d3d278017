import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics } from "./api";

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
