import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/common/limits";
import { BASE, createDashboard, postMetrics } from "./api";
import { storedPoints } from "./stored-points";

async function storedValues(id: string): Promise<number[]> {
  return (await storedPoints(id)).map((point) => point.value);
}

async function gzip(text: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function post(id: string, token: string, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/metrics`, { method: "POST", headers: { Authorization: `Bearer ${token}`, ...headers }, body });
}

describe("NDJSON bodies", () => {
  it("store one point per line, skipping blank lines and taking CRLF", async () => {
    const { id, token } = await createDashboard();
    const response = await post(id, token, '{"name":"a","value":1}\r\n\n{"name":"b","value":2}\n', { "Content-Type": "application/x-ndjson" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 2, seq: { from: 1, to: 2 } });
    expect(await storedValues(id)).toEqual([1, 2]);
  });

  it("name bad lines by line number and store the rest (422)", async () => {
    const { id, token } = await createDashboard();
    const response = await post(id, token, '{"name":"a","value":1}\n{oops\n{"name":"a"}\n{"name":"b","value":4}', { "Content-Type": "application/x-ndjson" });
    expect(response.status).toBe(422);
    const { error } = await response.json<{ error: { rejected: { line: number; field?: string }[]; accepted: number } }>();
    expect(error.accepted).toBe(2);
    expect(error.rejected.map((r) => [r.line, r.field])).toEqual([
      [2, undefined],
      [3, "value"],
    ]);
    expect(await storedValues(id)).toEqual([1, 4]);
  });
});

describe("gzip bodies", () => {
  it("are decompressed for every format", async () => {
    const { id, token } = await createDashboard();
    const json = await post(id, token, await gzip('[{"name":"a","value":1}]'), { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    expect(json.status).toBe(200);
    const ndjson = await post(id, token, await gzip('{"name":"a","value":2}'), { "Content-Type": "application/x-ndjson", "Content-Encoding": "gzip" });
    expect(ndjson.status).toBe(200);
    expect(await storedValues(id)).toEqual([1, 2]);
  });

  it("answer a gzip bomb with 413 after reading no more than the limit", async () => {
    const { id, token } = await createDashboard();
    // 64 MiB of spaces compress to about 64 KiB.
    const bomb = await gzip(new Uint8Array(64 * 1024 * 1024).fill(0x20));
    expect(bomb.byteLength).toBeLessThan(limits.maxBodyBytes);
    const response = await post(id, token, bomb, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "body_too_large", limit: limits.maxBodyBytes, message: expect.stringContaining("decompressed") } });
  });

  it("answer a body that is not gzip with 400", async () => {
    const { id, token } = await createDashboard();
    const response = await post(id, token, '{"name":"a","value":1}', { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_encoding" } });
  });

  it("answer another Content-Encoding with 415", async () => {
    const { id, token } = await createDashboard();
    const response = await post(id, token, "x", { "Content-Type": "application/json", "Content-Encoding": "br" });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: "unsupported_encoding" } });
  });
});

describe("Idempotency-Key", () => {
  it("makes a retried request return the original answer without storing twice", async () => {
    const { id, token } = await createDashboard();
    const body = [{ name: "a", value: 1 }, { name: "b", value: 2 }];
    const first = await postMetrics(id, token, body, { "Idempotency-Key": "batch-0001" });
    expect(first.status).toBe(200);
    const original = await first.json();
    const retry = await postMetrics(id, token, body, { "Idempotency-Key": "batch-0001" });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await retry.json()).toEqual(original);
    expect(await storedValues(id)).toEqual([1, 2]);
  });

  it("replays a partial rejection exactly too", async () => {
    const { id, token } = await createDashboard();
    const body = [{ name: "a", value: 1 }, { name: "a" }];
    const first = await postMetrics(id, token, body, { "Idempotency-Key": "k-partial" });
    const retry = await postMetrics(id, token, body, { "Idempotency-Key": "k-partial" });
    expect([first.status, retry.status]).toEqual([422, 422]);
    expect(await retry.json()).toEqual(await first.json());
    expect(await storedValues(id)).toEqual([1]);
  });

  it("refuses a key reused with a different body (422) and a malformed key (400)", async () => {
    const { id, token } = await createDashboard();
    await postMetrics(id, token, { name: "a", value: 1 }, { "Idempotency-Key": "k1" });
    const reused = await postMetrics(id, token, { name: "a", value: 99 }, { "Idempotency-Key": "k1" });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: "idempotency_key_reused", field: "Idempotency-Key" } });
    const malformed = await postMetrics(id, token, { name: "a", value: 1 }, { "Idempotency-Key": "x".repeat(201) });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "invalid_header", field: "Idempotency-Key" } });
    expect(await storedValues(id)).toEqual([1]);
  });

  it("is forgotten after the window, by the alarm", async () => {
    const { id, token } = await createDashboard();
    await postMetrics(id, token, { name: "a", value: 1 }, { "Idempotency-Key": "old-key" });
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: import("../../src/dashboard/dashboard-object").Dashboard, state) => {
      instance.maintain(Date.now() + 11 * 60_000);
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM idempotency").one().n).toBe(0);
    });
    const again = await postMetrics(id, token, { name: "a", value: 1 }, { "Idempotency-Key": "old-key" });
    expect(again.headers.get("Idempotency-Replayed")).toBeNull();
    expect(await storedValues(id)).toEqual([1, 1]);
  });
});
