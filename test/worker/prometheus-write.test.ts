import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { compress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/common/limits";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { encodeWriteRequest, remoteWriteBody, STALE_BITS, type EncodedRequest, type EncodedSeries } from "../support/remote-write-encode";
import { BASE, createDashboard } from "./api";
import { storedPoints } from "./stored-points";
import { Viewer } from "./viewer";

/** The headers Prometheus sends with every remote write. */
const PROMETHEUS_HEADERS = {
  "Content-Type": "application/x-protobuf",
  "Content-Encoding": "snappy",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
  "User-Agent": "Prometheus/2.42.0",
};

function remoteWrite(query: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1/write${query}`, { method: "POST", headers: { ...PROMETHEUS_HEADERS, ...headers }, body });
}

/** A remote write of `request` to dashboard `id` with `token` as Prometheus's `authorization.credentials`. */
function send(id: string, token: string, request: EncodedRequest, headers: Record<string, string> = {}): Promise<Response> {
  return remoteWrite(`?dashboard=${id}`, remoteWriteBody(request), { Authorization: `Bearer ${token}`, ...headers });
}

const now = () => Date.now() - 1000;

function series(name: string, tags: Record<string, string>, samples: { value: number; timestamp: number; bits?: [number, number] }[]): EncodedSeries {
  return {
    labels: [{ name: "__name__", value: name }, ...Object.entries(tags).map(([label, value]) => ({ name: label, value }))],
    samples: samples.map(({ value, timestamp, bits }) => ({ value, timestamp: BigInt(timestamp), ...(bits ? { bits } : {}) })),
  };
}

const noneSkipped = { stale: 0, nan: 0, infinite: 0, histograms: 0 };

describe("Prometheus remote write", () => {
  it("stores each sample under its __name__ with the other labels as tags, and a viewer receives them", async () => {
    const { id, token } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    const ts = now();
    const response = await send(id, token, {
      timeseries: [
        series("up", { instance: "127.0.0.1:9090", job: "prometheus" }, [{ value: 1, timestamp: ts }]),
        series("prometheus_http_requests_total", { code: "200", handler: "/metrics", job: "prometheus" }, [{ value: 42, timestamp: ts }]),
        // The same series again, a scrape later: Prometheus sends one sample per TimeSeries.
        series("up", { instance: "127.0.0.1:9090", job: "prometheus" }, [{ value: 1, timestamp: ts + 1 }]),
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 3, seq: { from: 1, to: 3 }, skipped: noneSkipped, metadata: 0 });
    const frame = await viewer.nth("points");
    expect(frame.series).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "up{instance=127.0.0.1:9090,job=prometheus}", ts: [ts, ts + 1], values: [1, 1] }),
        expect.objectContaining({ key: "prometheus_http_requests_total{code=200,handler=/metrics,job=prometheus}", ts: [ts], values: [42] }),
      ]),
    );
    viewer.close();
  });

  it("keeps float64 values and millisecond times exactly", async () => {
    const { id, token } = await createDashboard();
    const values = [0.1, -0, 2 ** 53 + 2, Number.MIN_VALUE, -Number.MAX_VALUE, 1 / 3, 123456789.123456789];
    const base = now() - 60_000;
    const response = await send(id, token, { timeseries: [series("exact", {}, values.map((value, i) => ({ value, timestamp: base + i * 7 })))] });
    expect(response.status).toBe(200);
    const stored = await storedPoints(id);
    expect(stored.map((point) => point.ts)).toEqual(values.map((_, i) => base + i * 7));
    stored.forEach((point, i) => expect(Object.is(point.value, values[i])).toBe(true));
  });

  it("skips NaN, staleness markers, infinities and native histograms, counts them, and still answers 200", async () => {
    const { id, token } = await createDashboard();
    const ts = now();
    const response = await send(id, token, {
      timeseries: [
        series("go_gc_duration_seconds", { quantile: "0.5" }, [{ value: Number.NaN, timestamp: ts }]),
        series("gone", {}, [{ value: Number.NaN, timestamp: ts, bits: STALE_BITS }]),
        series("inf", {}, [
          { value: Infinity, timestamp: ts },
          { value: -Infinity, timestamp: ts + 1 },
          { value: 7, timestamp: ts + 2 },
        ]),
        { ...series("latency", {}, []), histograms: 2 },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, seq: { from: 1, to: 1 }, skipped: { stale: 1, nan: 1, infinite: 2, histograms: 2 }, metadata: 0 });
    expect((await storedPoints(id)).map(({ key, value }) => [key, value])).toEqual([["inf", 7]]);
  });

  it("answers 200 to a request with only NaN, or only metadata, storing nothing", async () => {
    const { id, token } = await createDashboard();
    const onlyNaN = await send(id, token, { timeseries: [series("q", {}, [{ value: Number.NaN, timestamp: now() }])] });
    expect(onlyNaN.status).toBe(200);
    expect(await onlyNaN.json()).toEqual({ accepted: 0, seq: null, skipped: { ...noneSkipped, nan: 1 }, metadata: 0 });
    const metadata = await send(id, token, { timeseries: [], metadata: 3 });
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toEqual({ accepted: 0, seq: null, skipped: noneSkipped, metadata: 3 });
    expect(await storedPoints(id)).toEqual([]);
  });

  it("stores the good samples and names the refused ones in a 422 whose message says how many (400 when none is stored)", async () => {
    const { id, token } = await createDashboard();
    const ts = now();
    const response = await send(id, token, {
      timeseries: [
        series("ok", {}, [{ value: 1, timestamp: ts }]),
        series("old", {}, [{ value: 2, timestamp: ts - 8 * 24 * 3_600_000 }]),
        { labels: [{ name: "job", value: "x" }], samples: [{ value: 3, timestamp: BigInt(ts) }] },
        series("q", {}, [{ value: Number.NaN, timestamp: ts }]),
      ],
    });
    expect(response.status).toBe(422);
    const { error } = await response.json<{ error: { code: string; message: string; accepted: number; rejected: unknown[]; skipped: unknown } }>();
    expect(error.code).toBe("partially_rejected");
    expect(error.message).toMatch(/^2 of 4 samples were rejected, 1 stored, 1 skipped .*first, sample 1: ts is more than 7 days in the past$/);
    expect(error.accepted).toBe(1);
    expect(error.rejected).toEqual([
      { index: 1, field: "ts", message: "ts is more than 7 days in the past" },
      { index: 2, field: "name", message: "the series has no __name__ label" },
    ]);
    expect(error.skipped).toEqual({ ...noneSkipped, nan: 1 });
    expect((await storedPoints(id)).map((point) => point.value)).toEqual([1]);

    const none = await send(id, token, { timeseries: [series("bad\u0001name", {}, [{ value: 1, timestamp: ts }])] });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: { code: "invalid_points", accepted: 0, rejected: [{ index: 0, field: "name" }] } });
  });

  it("takes the token as Bearer (authorization.credentials) or as the basic-auth password, and the admin token too", async () => {
    const { id, token } = await createDashboard();
    const request = { timeseries: [series("m", {}, [{ value: 1, timestamp: now() }])] };
    expect((await send(id, token, request)).status).toBe(200);
    const basic = await remoteWrite(`?dashboard=${id}`, remoteWriteBody(request), { Authorization: `Basic ${btoa(`prometheus:${token}`)}` });
    expect(basic.status).toBe(200);
    expect(await basic.json()).toMatchObject({ accepted: 1, replaced: 1 });
    expect((await send(id, DEV_ADMIN_TOKEN, request)).status).toBe(200);
    // The same sample each time: one point, written three times.
    expect(await storedPoints(id)).toHaveLength(1);
  });

  it.each([
    ["no token", "?dashboard=ID", {}, 401, "missing_token"],
    ["a wrong token", "?dashboard=ID", { Authorization: "Bearer nope" }, 403, "invalid_token"],
    ["a wrong basic-auth password", "?dashboard=ID", { Authorization: `Basic ${btoa("prometheus:nope")}` }, 403, "invalid_token"],
    ["no dashboard", "", { Authorization: "Bearer TOKEN" }, 400, "invalid_parameter"],
    ["an unknown dashboard", "?dashboard=no-such-dashboard", { Authorization: "Bearer TOKEN" }, 404, "dashboard_not_found"],
    ["an impossible dashboard id", "?dashboard=Not%20An%20Id", { Authorization: "Bearer TOKEN" }, 404, "dashboard_not_found"],
    ["a JSON body", "?dashboard=ID", { Authorization: "Bearer TOKEN", "Content-Type": "application/json" }, 415, "unsupported_content_type"],
    ["remote write 2.0", "?dashboard=ID", { Authorization: "Bearer TOKEN", "Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request" }, 415, "unsupported_content_type"],
    ["gzip", "?dashboard=ID", { Authorization: "Bearer TOKEN", "Content-Encoding": "gzip" }, 415, "unsupported_encoding"],
  ])("refuses %s (%i would make Prometheus drop the batch, as it should)", async (_what, query, headers, status, code) => {
    const { id, token } = await createDashboard();
    const fill = (text: string) => text.replace("ID", id).replace("TOKEN", token);
    const body = remoteWriteBody({ timeseries: [series("m", {}, [{ value: 1, timestamp: now() }])] });
    const response = await remoteWrite(fill(query), body, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, fill(v)])));
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(await storedPoints(id)).toEqual([]);
  });

  it("accepts the Content-Type with proto=prometheus.WriteRequest, as Prometheus 3 sends it", async () => {
    const { id, token } = await createDashboard();
    const response = await send(id, token, { timeseries: [series("m", {}, [{ value: 1, timestamp: now() }])] }, { "Content-Type": "application/x-protobuf;proto=prometheus.WriteRequest" });
    expect(response.status).toBe(200);
  });

  it("answers 400 to a body that is not snappy, or not a WriteRequest", async () => {
    const { id, token } = await createDashboard();
    const notSnappy = await remoteWrite(`?dashboard=${id}`, "hello", { Authorization: `Bearer ${token}` });
    expect(notSnappy.status).toBe(400);
    expect(await notSnappy.json()).toMatchObject({ error: { code: "invalid_encoding" } });
    const notProtobuf = await remoteWrite(`?dashboard=${id}`, compress(new TextEncoder().encode("{\"json\": true}")), { Authorization: `Bearer ${token}` });
    expect(notProtobuf.status).toBe(400);
    expect(await notProtobuf.json()).toMatchObject({ error: { code: "invalid_body" } });
  });

  it("never answers 5xx, whatever the body (Prometheus would retry it forever)", async () => {
    const { id, token } = await createDashboard();
    const valid = encodeWriteRequest({ timeseries: [series("m", { a: "b" }, [{ value: 1, timestamp: now() }])] });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => compress(bytes)),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
            const changed = valid.slice();
            changed[at] = byte;
            return compress(changed);
          }),
        ),
        async (body) => {
          const response = await remoteWrite(`?dashboard=${id}`, body, { Authorization: `Bearer ${token}` });
          expect(response.status, await response.text()).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("answers 413 over the samples limit, the decompressed-size limit and the body limit", async () => {
    const { id, token } = await createDashboard();
    const ts = now();
    const tooMany = await send(id, token, {
      timeseries: Array.from({ length: limits.maxPointsPerRequest + 1 }, (_, i) => series("m", { i: String(i % 10) }, [{ value: i, timestamp: ts }])),
    });
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toMatchObject({ error: { code: "too_many_points", limit: limits.maxPointsPerRequest } });

    // Compresses to a few hundred bytes; decompressed, over the limit.
    const bomb = compress(new Uint8Array(limits.maxRemoteWriteBytes + 1));
    expect(bomb.length).toBeLessThan(limits.maxBodyBytes);
    const decompressed = await remoteWrite(`?dashboard=${id}`, bomb, { Authorization: `Bearer ${token}` });
    expect(decompressed.status).toBe(413);
    expect(await decompressed.json()).toMatchObject({ error: { code: "body_too_large", limit: limits.maxRemoteWriteBytes } });

    const huge = await remoteWrite(`?dashboard=${id}`, new Uint8Array(limits.maxBodyBytes + 1), { Authorization: `Bearer ${token}` });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: "body_too_large", limit: limits.maxBodyBytes } });
    expect(await storedPoints(id)).toEqual([]);
  });

  it("answers a retry with the same Idempotency-Key from memory, storing nothing twice", async () => {
    const { id, token } = await createDashboard();
    const request = { timeseries: [series("m", {}, [{ value: 1, timestamp: now() }])] };
    const first = await send(id, token, request, { "Idempotency-Key": "batch-1" });
    const again = await send(id, token, request, { "Idempotency-Key": "batch-1" });
    expect(again.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await again.json()).toEqual(await first.json());
    expect(await storedPoints(id)).toHaveLength(1);
    const different = await send(id, token, { timeseries: [series("m", {}, [{ value: 2, timestamp: now() }])] }, { "Idempotency-Key": "batch-1" });
    expect(different.status).toBe(422);
  });
});
