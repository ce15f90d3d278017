import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/common/limits";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard, postMetrics, uniqueId } from "./api";
import { storedPoints } from "./stored-points";

type ErrorBody = { error: { code: string; message: string; field?: string; rejected?: { index: number; field?: string; message: string }[] } };

async function storedRows(id: string): Promise<{ seq: number; ts: number; value: number }[]> {
  return (await storedPoints(id)).map(({ seq, ts, value }) => ({ seq, ts, value }));
}

describe("ingesting JSON points", () => {
  it("stores one point before answering, with its sequence number", async () => {
    const { id, token } = await createDashboard();
    const ts = Date.now() - 1000;
    const response = await postMetrics(id, token, { name: "cpu.load", value: 0.42, ts, tags: { host: "a" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, seq: { from: 1, to: 1 } });
    expect(await storedRows(id)).toEqual([{ seq: 1, ts, value: 0.42 }]);
  });

  it("accepts an array and {points: [...]} and numbers them consecutively", async () => {
    const { id, token } = await createDashboard();
    const first = await postMetrics(id, token, [
      { name: "a", value: 1 },
      { name: "b", value: 2 },
    ]);
    expect(await first.json()).toEqual({ accepted: 2, seq: { from: 1, to: 2 } });
    const second = await postMetrics(id, token, { points: [{ name: "a", value: 3 }] });
    expect(await second.json()).toEqual({ accepted: 1, seq: { from: 3, to: 3 } });
    expect((await storedRows(id)).map((row) => row.value)).toEqual([1, 2, 3]);
    const info = await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json<{ seq: number; series: { key: string }[] }>();
    expect(info.seq).toBe(3);
    expect(info.series.map((series) => series.key)).toEqual(["a", "b"]);
  });

  it("takes RFC 3339 times and defaults a missing time to now", async () => {
    const { id, token } = await createDashboard();
    const before = Date.now();
    const when = new Date(before - 60_000).toISOString();
    expect((await postMetrics(id, token, [{ name: "a", value: 1, ts: when }, { name: "a", value: 2 }])).status).toBe(200);
    const [timed, untimed] = await storedRows(id);
    expect(timed!.ts).toBe(Date.parse(when));
    expect(untimed!.ts).toBeGreaterThanOrEqual(before);
  });

  it("stores every value exactly, to the last bit", async () => {
    const { id, token } = await createDashboard();
    const values = [0.1, 0.1 + 0.2, 1 / 3, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1e-300, 123456789.12345678, 2 ** 53 + 2, 1e21, 4.35];
    const at = Date.now() - 60_000;
    expect((await postMetrics(id, token, values.map((value, i) => ({ name: "exact", value, ts: at + i })))).status).toBe(200);
    expect((await storedRows(id)).map((row) => row.value)).toEqual(values);
  });

  it("accepts the admin token in place of the ingest token", async () => {
    const { id } = await createDashboard();
    expect((await postMetrics(id, DEV_ADMIN_TOKEN, { name: "a", value: 1 })).status).toBe(200);
  });

  it.each([
    ["a missing value", { name: "cpu" }, "value"],
    ["a string value", { name: "cpu", value: "0.4" }, "value"],
    ["a missing name", { value: 1 }, "name"],
    ["an empty name", { name: "", value: 1 }, "name"],
    ["a name with a control character", { name: "cpu\nload", value: 1 }, "name"],
    ["a tag name with a control character", { name: "cpu", value: 1, tags: { "ho\u0000st": "a" } }, "tags.ho\u0000st"],
    ["an over-long name", { name: "n".repeat(limits.maxNameLength + 1), value: 1 }, "name"],
    ["a fractional ts", { name: "cpu", value: 1, ts: 1.5 }, "ts"],
    ["a ts that is not a date", { name: "cpu", value: 1, ts: "yesterday" }, "ts"],
    ["a ts far in the future", { name: "cpu", value: 1, ts: Date.now() + 2 * limits.maxFutureMs }, "ts"],
    ["a ts far in the past", { name: "cpu", value: 1, ts: Date.now() - 2 * limits.maxPastMs }, "ts"],
    ["a numeric tag value", { name: "cpu", value: 1, tags: { host: 7 } }, "tags.host"],
    ["too many tags", { name: "cpu", value: 1, tags: Object.fromEntries(Array.from({ length: limits.maxTags + 1 }, (_, i) => [`t${i}`, "x"])) }, "tags"],
    ["an unknown field", { name: "cpu", value: 1, unit: "%" }, "unit"],
  ])("rejects %s with 400 naming the field", async (_what, point, field) => {
    const { id, token } = await createDashboard();
    const response = await postMetrics(id, token, point);
    expect(response.status).toBe(400);
    const { error } = await response.json<ErrorBody>();
    expect(error.code).toBe("invalid_points");
    expect(error.rejected).toHaveLength(1);
    expect(error.rejected![0]).toMatchObject({ index: 0, field });
    expect(await storedRows(id)).toEqual([]);
  });

  it("stores the good points of a mixed batch and answers 422 naming every rejected one", async () => {
    const { id, token } = await createDashboard();
    const response = await postMetrics(id, token, [{ name: "ok", value: 1, ts: 1_000 + Date.now() - 60_000 }, { name: "bad" }, { name: "ok", value: 2, ts: Date.now() }, { name: "bad", value: null }]);
    expect(response.status).toBe(422);
    const body = await response.json<ErrorBody & { error: { accepted: number; seq: { from: number; to: number } } }>();
    expect(body.error).toMatchObject({ code: "partially_rejected", accepted: 2, seq: { from: 1, to: 2 } });
    expect(body.error.rejected!.map((r) => [r.index, r.field])).toEqual([
      [1, "value"],
      [3, "value"],
    ]);
    expect((await storedRows(id)).map((row) => row.value)).toEqual([1, 2]);
  });

  it.each([
    ["invalid JSON", "{", 400, "invalid_json"],
    ["an empty body", "", 400, "empty_body"],
    ["an empty array", "[]", 400, "empty_batch"],
    ["a scalar", "42", 400, "invalid_body"],
    ["points that are not an array", '{"points": 3}', 400, "invalid_body"],
  ])("answers %s with %i", async (_what, body, status, code) => {
    const { id, token } = await createDashboard();
    const response = await postMetrics(id, token, body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
  });

  it("refuses more points than a request may carry with 413", async () => {
    const { id, token } = await createDashboard();
    const points = Array.from({ length: limits.maxPointsPerRequest + 1 }, (_, i) => ({ name: "a", value: i }));
    const response = await postMetrics(id, token, points);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "too_many_points", limit: limits.maxPointsPerRequest } });
  });

  it("refuses a body over the size limit with 413", async () => {
    const { id, token } = await createDashboard();
    const response = await postMetrics(id, token, JSON.stringify({ name: "a", value: 1, pad: "x".repeat(limits.maxBodyBytes) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "body_too_large", limit: limits.maxBodyBytes } });
  });

  it("refuses a content type it does not read with 415", async () => {
    const { id, token } = await createDashboard();
    const response = await postMetrics(id, token, "cpu value=1", { "Content-Type": "application/x-unknown" });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: "unsupported_content_type" } });
  });

  it("answers 401 without a token and 403 with another dashboard's token", async () => {
    const { id } = await createDashboard();
    const other = await createDashboard();
    const missing = await postMetrics(id, null, { name: "a", value: 1 });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "missing_token" } });
    const wrong = await postMetrics(id, other.token, { name: "a", value: 1 });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: "invalid_token" } });
    expect(await storedRows(id)).toEqual([]);
  });

  it("answers 404 for an unknown dashboard and does not create it", async () => {
    const id = uniqueId("ghost");
    const response = await postMetrics(id, DEV_ADMIN_TOKEN, { name: "a", value: 1 });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "dashboard_not_found" } });
    expect((await SELF.fetch(`${BASE}/api/dashboards/${id}`)).status).toBe(404);
  });

  it("caps the number of series and names each point refused for it", async () => {
    const { id, token } = await createDashboard();
    const points = Array.from({ length: limits.maxSeriesPerDashboard }, (_, i) => ({ name: `s${i}`, value: i }));
    expect((await postMetrics(id, token, points)).status).toBe(200);
    const response = await postMetrics(id, token, [{ name: "s0", value: 1 }, { name: "brand.new", value: 2 }]);
    expect(response.status).toBe(422);
    const { error } = await response.json<ErrorBody>();
    expect(error.rejected).toEqual([{ index: 1, message: expect.stringContaining(`${limits.maxSeriesPerDashboard} series`) }]);
  });
});
