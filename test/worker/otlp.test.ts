import { SELF } from "cloudflare:test";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/common/limits";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { otlpJson, otlpProtobuf, type MetricInput, type RequestInput } from "../support/otlp-encode";
import { BASE, createDashboard } from "./api";
import { storedPoints } from "./stored-points";
import { Viewer } from "./viewer";

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/** A time a few seconds ago, in ms and as the nanoseconds OTLP sends (with sub-millisecond digits). */
function recent(): { ms: number; ns: bigint } {
  const ms = Date.now() - 5000;
  return { ms, ns: BigInt(ms) * 1_000_000n + 654_321n };
}

function requestOf(metrics: MetricInput[], resource: Record<string, string> = { "service.name": "boiler", "telemetry.sdk.language": "nodejs" }): RequestInput {
  return {
    resourceMetrics: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
        scopeMetrics: [{ scope: { name: "test" }, metrics }],
      },
    ],
  };
}

function body(request: RequestInput, type: string): Uint8Array | string {
  return type === PROTOBUF ? otlpProtobuf(request) : JSON.stringify(otlpJson(request));
}

function post(path: string, payload: BodyInit, headers: Record<string, string>): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method: "POST", headers, body: payload });
}

function postOtlp(id: string, token: string | null, payload: BodyInit, type: string, headers: Record<string, string> = {}): Promise<Response> {
  return post(`/api/dashboards/${id}/otlp/v1/metrics`, payload, { "Content-Type": type, ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers });
}

async function gzip(bytes: Uint8Array | string): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An `ExportMetricsServiceResponse` in protobuf: its partial_success, if any. */
function decodeResponse(bytes: Uint8Array): { rejectedDataPoints: bigint; errorMessage: string } | null {
  const reader = new BinaryReader(bytes);
  let partial: { rejectedDataPoints: bigint; errorMessage: string } | null = null;
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (field !== 1) {
      reader.skip(wire);
      continue;
    }
    partial = { rejectedDataPoints: 0n, errorMessage: "" };
    const inner = new BinaryReader(reader.bytes());
    while (inner.pos < inner.len) {
      const [f, w] = inner.tag();
      if (f === 1) partial.rejectedDataPoints = BigInt(inner.int64());
      else if (f === 2) partial.errorMessage = inner.string();
      else inner.skip(w);
    }
  }
  return partial;
}

/** A `google.rpc.Status` in protobuf. */
function decodeStatus(bytes: Uint8Array): { code: number; message: string } {
  const reader = new BinaryReader(bytes);
  const status = { code: 0, message: "" };
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === WireType.Varint) status.code = reader.int32();
    else if (field === 2 && wire === WireType.LengthDelimited) status.message = reader.string();
    else reader.skip(wire);
  }
  return status;
}

async function stored(id: string): Promise<string[]> {
  return (await storedPoints(id)).map(({ key, ts, value }) => `${key}=${value}@${ts}`);
}

describe("OTLP/HTTP metrics", () => {
  it.each([PROTOBUF, JSON_TYPE])("stores a gauge, a sum and a histogram sent as %s, answers 200 in the same encoding, and a viewer receives them", async (type) => {
    const { id, token } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    const { ms, ns } = recent();
    const request = requestOf([
      { name: "temperature", gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 71.5, attributes: [{ key: "room", value: { stringValue: "a" } }] }] } },
      { name: "requests", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: ns - 60_000_000_000n, timeUnixNano: ns, asInt: 42n }] } },
      { name: "latency", histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns, count: 3n, sum: 12, bucketCounts: [1n, 2n], explicitBounds: [5] }] } },
    ]);
    const response = await postOtlp(id, token, body(request, type), type);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(type);
    if (type === PROTOBUF) expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array());
    else expect(await response.json()).toEqual({});
    const tags = "service.name=boiler";
    expect(await stored(id)).toEqual([
      `temperature{room=a,${tags}}=71.5@${ms}`,
      `requests{${tags}}=42@${ms}`,
      `latency_count{${tags}}=3@${ms}`,
      `latency_sum{${tags}}=12@${ms}`,
      `latency_bucket{le=5,${tags}}=1@${ms}`,
      `latency_bucket{le=+Inf,${tags}}=3@${ms}`,
    ]);
    const frame = await viewer.nth("points");
    expect(frame.series.map((s) => s.key)).toContain(`latency_bucket{le=+Inf,${tags}}`);
    viewer.close();
  });

  it("takes the dashboard from X-Pulseboard-Dashboard on POST /v1/metrics, and asks for it when it is missing", async () => {
    const { id, token } = await createDashboard();
    const { ms, ns } = recent();
    const payload = otlpProtobuf(requestOf([{ name: "g", gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1 }] } }], {}));
    const response = await post("/v1/metrics", payload, { "Content-Type": PROTOBUF, Authorization: `Bearer ${token}`, "X-Pulseboard-Dashboard": id });
    expect(response.status).toBe(200);
    expect(await stored(id)).toEqual([`g=1@${ms}`]);

    const missing = await post("/v1/metrics", payload, { "Content-Type": PROTOBUF, Authorization: `Bearer ${token}` });
    expect(missing.status).toBe(400);
    expect(decodeStatus(new Uint8Array(await missing.arrayBuffer()))).toEqual({ code: 3, message: expect.stringContaining("X-Pulseboard-Dashboard") });
  });

  it.each([PROTOBUF, JSON_TYPE])("answers rejected points as 200 with partial_success (%s), storing the others", async (type) => {
    const { id, token } = await createDashboard();
    const { ms, ns } = recent();
    const request = requestOf(
      [
        { name: "ok", gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1 }] } },
        { name: "bad", gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: NaN }, { asDouble: 2 }] } },
        { name: "h", histogram: { dataPoints: [{ timeUnixNano: ns, count: 1n, bucketCounts: [1n], explicitBounds: [1, 2] }] } },
      ],
      {},
    );
    const response = await postOtlp(id, token, body(request, type), type);
    expect(response.status).toBe(200);
    const partial =
      type === PROTOBUF
        ? decodeResponse(new Uint8Array(await response.arrayBuffer()))
        : ((await response.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } }).partialSuccess;
    expect(String(partial!.rejectedDataPoints)).toBe("3");
    expect(partial!.errorMessage).toContain("3 of 4 data points rejected (1 points stored)");
    expect(partial!.errorMessage).toContain('data point 1: metric "bad": the value is NaN');
    expect(partial!.errorMessage).toContain('data point 2: metric "bad": timeUnixNano is missing');
    expect(partial!.errorMessage).toContain('data point 3: metric "h": 2 explicitBounds need 3 bucketCounts, not 1');
    expect(await stored(id)).toEqual([`ok=1@${ms}`]);
  });

  it.each([PROTOBUF, JSON_TYPE])("reads gzip bodies (%s)", async (type) => {
    const { id, token } = await createDashboard();
    const { ms, ns } = recent();
    const request = requestOf([{ name: "zipped", gauge: { dataPoints: [{ timeUnixNano: ns, asInt: 7n }] } }], {});
    const response = await postOtlp(id, token, await gzip(body(request, type)), type, { "Content-Encoding": "gzip" });
    expect(response.status).toBe(200);
    expect(await stored(id)).toEqual([`zipped=7@${ms}`]);
  });

  it("reads snake_case JSON with 64-bit integers as numbers", async () => {
    const { id, token } = await createDashboard();
    // Whole seconds: a JSON number holds their nanoseconds exactly.
    const ms = Math.floor(recent().ms / 1000) * 1000;
    const request = requestOf([{ name: "snake", sum: { dataPoints: [{ timeUnixNano: BigInt(ms) * 1_000_000n, asInt: 5n }] } }], { "host.name": "box" });
    const response = await postOtlp(id, token, JSON.stringify(otlpJson(request, { snakeCase: true, int64AsNumber: true })), JSON_TYPE);
    expect(response.status).toBe(200);
    expect(await stored(id)).toEqual([`snake{host.name=box}=5@${ms}`]);
  });

  it("replays a request sent again with the same Idempotency-Key, storing nothing twice", async () => {
    const { id, token } = await createDashboard();
    const { ns } = recent();
    const payload = otlpProtobuf(requestOf([{ name: "once", gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1 }] } }], {}));
    const first = await postOtlp(id, token, payload, PROTOBUF, { "Idempotency-Key": "batch-1" });
    expect(first.status).toBe(200);
    const again = await postOtlp(id, token, payload, PROTOBUF, { "Idempotency-Key": "batch-1" });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await stored(id)).toHaveLength(1);
  });

  it("takes the admin token too", async () => {
    const { id } = await createDashboard();
    const { ns } = recent();
    const response = await postOtlp(id, DEV_ADMIN_TOKEN, otlpProtobuf(requestOf([{ name: "a", gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1 }] } }])), PROTOBUF);
    expect(response.status).toBe(200);
  });
});

describe("OTLP/HTTP errors", () => {
  const valid = () => requestOf([{ name: "g", gauge: { dataPoints: [{ timeUnixNano: recent().ns, asDouble: 1 }] } }]);

  it.each([
    ["no token", null, 401, 16],
    ["a wrong token", "pb_wrong", 403, 7],
  ])("answers %s with a google.rpc.Status in the request's encoding", async (_what, token, status, code) => {
    const { id } = await createDashboard();
    const protobuf = await postOtlp(id, token, otlpProtobuf(valid()), PROTOBUF);
    expect(protobuf.status).toBe(status);
    expect(protobuf.headers.get("Content-Type")).toBe(PROTOBUF);
    expect(decodeStatus(new Uint8Array(await protobuf.arrayBuffer()))).toMatchObject({ code, message: expect.stringMatching(/token/) });
    const json = await postOtlp(id, token, JSON.stringify(otlpJson(valid())), JSON_TYPE);
    expect(json.status).toBe(status);
    expect(json.headers.get("Content-Type")).toBe(JSON_TYPE);
    expect(await json.json()).toEqual({ code, message: expect.stringMatching(/token/) });
  });

  it("answers an unknown or impossible dashboard with 404", async () => {
    for (const id of ["no-such-dashboard", "Not_An_Id!"]) {
      const response = await postOtlp(id, "pb_any", JSON.stringify(otlpJson(valid())), JSON_TYPE);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 5 });
    }
  });

  it("answers a body that cannot be decoded with 400, before storing anything", async () => {
    const { id, token } = await createDashboard();
    const protobuf = await postOtlp(id, token, new Uint8Array([0x0a, 0x05, 0x01]), PROTOBUF);
    expect(protobuf.status).toBe(400);
    expect(decodeStatus(new Uint8Array(await protobuf.arrayBuffer()))).toMatchObject({ code: 3, message: expect.stringContaining("protobuf") });
    const json = await postOtlp(id, token, '{"resourceMetrics": {}}', JSON_TYPE);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ code: 3, message: "resourceMetrics must be an array" });
    const notGzip = await postOtlp(id, token, "plain", JSON_TYPE, { "Content-Encoding": "gzip" });
    expect(notGzip.status).toBe(400);
    expect(await stored(id)).toEqual([]);
  });

  it("answers another Content-Type with 415 and a JSON status", async () => {
    const { id, token } = await createDashboard();
    const response = await postOtlp(id, token, "g value=1", "text/plain");
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ code: 3, message: expect.stringContaining("application/x-protobuf or application/json") });
  });

  it("answers more points than a request may carry, histograms counted expanded, with 413", async () => {
    const { id, token } = await createDashboard();
    const { ns } = recent();
    // Each histogram point with 9 bounds makes 12 series points.
    const dataPoints = Array.from({ length: Math.ceil(limits.maxPointsPerRequest / 12) + 1 }, (_, i) => ({
      timeUnixNano: ns,
      count: 10n,
      sum: 1,
      bucketCounts: Array.from({ length: 10 }, () => 1n),
      explicitBounds: Array.from({ length: 9 }, (_, b) => b),
      attributes: [{ key: "i", value: { intValue: BigInt(i) } }],
    }));
    const response = await postOtlp(id, token, otlpProtobuf(requestOf([{ name: "h", histogram: { dataPoints } }])), PROTOBUF);
    expect(response.status).toBe(413);
    expect(decodeStatus(new Uint8Array(await response.arrayBuffer()))).toMatchObject({ code: 8 });
  });

  it("answers a body over the size limit with 413", async () => {
    const { id, token } = await createDashboard();
    const response = await postOtlp(id, token, new Uint8Array(limits.maxBodyBytes + 1), PROTOBUF);
    expect(response.status).toBe(413);
  });
});
