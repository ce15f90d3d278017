import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { otlpJson } from "../support/otlp-encode";
import { remoteWriteBody } from "../support/remote-write-encode";
import { BASE, createDashboard, postMetrics } from "./api";

// This file runs in its own workerd project with low limits (see vitest.config.ts):
// 20 requests/s and 500 points/s, so bursts of 40 requests and 1,000 points. How many
// requests pass in a given time is TokenBucket's to say, on an injected clock
// (test/unit/rate-limiter.test.ts); here only what holds however slow the machine is: a
// bucket starts full, so at least a burst passes, and refills only ever let more in.

/** Posts `body` until the first 429 (at most `max` requests); the accepted count and that answer. */
async function postUntilLimited(id: string, token: string, body: unknown, max = 500): Promise<{ accepted: number; limited: Response }> {
  for (let accepted = 0; accepted < max; accepted++) {
    const response = await postMetrics(id, token, body);
    if (response.status === 429) return { accepted, limited: response };
    expect(response.status).toBe(200);
  }
  throw new Error(`no 429 after ${max} requests`);
}

describe("rate limits", () => {
  it("answer 429 with Retry-After once a dashboard goes over its points per second, after at least its burst", async () => {
    const { id, token } = await createDashboard();
    const batch = Array.from({ length: 400 }, (_, i) => ({ name: "flood", value: i }));
    const { accepted, limited } = await postUntilLimited(id, token, batch);
    expect(accepted).toBeGreaterThanOrEqual(2);
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited", retryAfter } });
  });

  it("answer 429 once a dashboard goes over its requests per second, after at least its burst, and let it in again after Retry-After", async () => {
    const { id, token } = await createDashboard();
    const { accepted, limited } = await postUntilLimited(id, token, { name: "tick", value: 1 });
    expect(accepted).toBeGreaterThanOrEqual(40);
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await postMetrics(id, token, { name: "tick", value: 0 })).status).toBe(200);
  });

  it("limit each dashboard on its own", async () => {
    const busy = await createDashboard();
    const quiet = await createDashboard();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ name: "flood", value: i }));
    await postUntilLimited(busy.id, busy.token, batch);
    expect((await postMetrics(quiet.id, quiet.token, batch)).status).toBe(200);
  });

  it("answer OTLP exporters 429 with Retry-After and a google.rpc.Status, which they retry", async () => {
    const { id, token } = await createDashboard();
    const ns = BigInt(Date.now() - 1000) * 1_000_000n;
    const dataPoints = Array.from({ length: 400 }, (_, i) => ({ timeUnixNano: ns, asDouble: i, attributes: [{ key: "i", value: { intValue: BigInt(i % 10) } }] }));
    const body = JSON.stringify(otlpJson({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "flood", gauge: { dataPoints } }] }] }] }));
    for (let sent = 0; sent < 500; sent++) {
      const response = await SELF.fetch(`${BASE}/api/dashboards/${id}/otlp/v1/metrics`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body,
      });
      if (response.status === 429) {
        expect(sent).toBeGreaterThanOrEqual(2);
        expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
        expect(await response.json()).toEqual({ code: 8, message: expect.stringContaining("over its ingest rate") });
        return;
      }
      expect(response.status).toBe(200);
    }
    throw new Error("no 429 after 500 requests");
  });

  it("answer a Prometheus remote write over the rate with 429 and Retry-After, as for every route", async () => {
    const { id, token } = await createDashboard();
    const ts = BigInt(Date.now() - 1000);
    const body = remoteWriteBody({
      timeseries: Array.from({ length: 400 }, (_, i) => ({ labels: [{ name: "__name__", value: "flood" }, { name: "i", value: String(i) }], samples: [{ value: i, timestamp: ts }] })),
    });
    const write = () =>
      SELF.fetch(`${BASE}/api/v1/write?dashboard=${id}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy" },
        body,
      });
    for (let sent = 0; sent < 100; sent++) {
      const response = await write();
      if (response.status === 429) {
        expect(sent).toBeGreaterThanOrEqual(2);
        const retryAfter = Number(response.headers.get("Retry-After"));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(await response.json()).toMatchObject({ error: { code: "rate_limited", retryAfter } });
        return;
      }
      expect(response.status).toBe(200);
    }
    throw new Error("no 429 after 100 remote writes");
  });
});
