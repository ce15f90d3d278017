// The OTLP metrics decoders, protobuf and JSON: what they read from a request (examples and,
// over random requests, that both encodings decode to the same thing whatever the spelling),
// and that no input whatsoever makes them throw anything but their own error.
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeOtlpJson } from "../../src/ingest/otlp-json";
import { OtlpDecodeError, type OtlpRequest } from "../../src/ingest/otlp-model";
import { decodeOtlpProtobuf, encodeExportResponse, encodeStatus } from "../../src/ingest/otlp-protobuf";
import { otlpJson, otlpProtobuf, type AnyValueInput, type KeyValueInput, type MetricInput, type RequestInput } from "../support/otlp-encode";

const T = 1_764_115_200_123_456_789n;

/** A request with one metric of every kind, attributes of every kind, exemplars and scopes. */
const everyKind: RequestInput = {
  resourceMetrics: [
    {
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: "boiler" } },
          { key: "telemetry.sdk.language", value: { stringValue: "nodejs" } },
          { key: "empty", value: {} },
          { key: "no-value" },
        ],
      },
      scopeMetrics: [
        {
          scope: { name: "meter", version: "1.0" },
          metrics: [
            { name: "temperature", unit: "Cel", description: "inlet", gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 71.5, attributes: [{ key: "room", value: { stringValue: "a" } }] }] } },
            {
              name: "requests",
              sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: T - 10n, timeUnixNano: T, asInt: 9_007_199_254_740_993n, exemplar: true }] },
            },
          ],
        },
        {
          metrics: [
            {
              name: "latency",
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [{ timeUnixNano: T, count: 6n, sum: 30.5, bucketCounts: [1n, 2n, 3n], explicitBounds: [5, 10], min: 0.5, max: 12, exemplar: true }],
              },
            },
            { name: "sizes", exponentialHistogram: { dataPoints: [{ timeUnixNano: T, count: 3n, sum: 7, scale: 2, zeroCount: 1n, positive: { offset: -1, bucketCounts: [1n, 1n] }, min: 1, max: 4 }] } },
            { name: "rtt", summary: { dataPoints: [{ timeUnixNano: T, count: 4n, sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 1, value: 4 }], flags: 1 }] } },
            { name: "future-kind" },
          ],
        },
      ],
    },
  ],
};

const attributeKinds: KeyValueInput[] = [
  { key: "s", value: { stringValue: "text" } },
  { key: "b", value: { boolValue: true } },
  { key: "i", value: { intValue: -9_223_372_036_854_775_808n } },
  { key: "d", value: { doubleValue: 0.25 } },
  { key: "bytes", value: { bytesValue: new Uint8Array([1, 2, 255]) } },
  { key: "list", value: { arrayValue: [{ stringValue: "a" }, { intValue: 18_014_398_509_481_985n }, { doubleValue: NaN }, {}] } },
  { key: "map", value: { kvlistValue: [{ key: "k", value: { boolValue: false } }, { key: "nested", value: { arrayValue: [] } }] } },
];

const everyKindDecoded: OtlpRequest = {
  resourceMetrics: [
    {
      resource: [
        { key: "service.name", value: "boiler" },
        { key: "telemetry.sdk.language", value: "nodejs" },
      ],
      metrics: [
        { name: "temperature", data: { kind: "gauge", points: [{ attributes: [{ key: "room", value: "a" }], timeUnixNano: T, flags: 0, value: 71.5 }] } },
        { name: "requests", data: { kind: "sum", points: [{ attributes: [], timeUnixNano: T, flags: 0, value: 9_007_199_254_740_992 }] } },
        {
          name: "latency",
          data: { kind: "histogram", points: [{ attributes: [], timeUnixNano: T, flags: 0, count: 6, sum: 30.5, min: 0.5, max: 12, bucketCounts: [1, 2, 3], explicitBounds: [5, 10] }] },
        },
        { name: "sizes", data: { kind: "exponentialHistogram", points: [{ attributes: [], timeUnixNano: T, flags: 0, count: 3, sum: 7, min: 1, max: 4 }] } },
        {
          name: "rtt",
          data: {
            kind: "summary",
            points: [{ attributes: [], timeUnixNano: T, flags: 1, count: 4, sum: 10, quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 1, value: 4 }] }],
          },
        },
        { name: "future-kind", data: null },
      ],
    },
  ],
};

function json(request: RequestInput, options: Parameters<typeof otlpJson>[1] = {}): OtlpRequest {
  return decodeOtlpJson(JSON.stringify(otlpJson(request, options)));
}

describe("decoding OTLP metrics", () => {
  it("reads every kind of metric from protobuf, skipping scopes, exemplars, start times, units and unknown fields", () => {
    expect(decodeOtlpProtobuf(otlpProtobuf(everyKind))).toEqual(everyKindDecoded);
    expect(decodeOtlpProtobuf(otlpProtobuf(everyKind, { unknownFields: true, unpacked: true }))).toEqual(everyKindDecoded);
  });

  it("reads the same from OTLP/JSON, in lowerCamelCase or snake_case, with 64-bit integers as strings or numbers", () => {
    expect(json(everyKind)).toEqual(everyKindDecoded);
    expect(json(everyKind, { snakeCase: true, unknownFields: true })).toEqual(everyKindDecoded);
    // As a JSON number the int and the time lose what a double cannot hold, as they would anywhere.
    const asNumbers = json(everyKind, { int64AsNumber: true });
    expect(asNumbers.resourceMetrics[0]!.metrics[0]!.data!.points[0]!.timeUnixNano).toBe(BigInt(Number(T)));
    expect(asNumbers.resourceMetrics[0]!.metrics[1]!.data!.points[0]).toMatchObject({ value: 9_007_199_254_740_992 });
  });

  it("renders attribute values of every kind as text, the same from both encodings", () => {
    const request: RequestInput = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "m", gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 1, attributes: attributeKinds }] } }] }] }] };
    const expected = [
      { key: "s", value: "text" },
      { key: "b", value: "true" },
      { key: "i", value: "-9223372036854775808" },
      { key: "d", value: "0.25" },
      { key: "bytes", value: "AQL/" },
      { key: "list", value: '["a",18014398509481985,"NaN",null]' },
      { key: "map", value: '{"k":false,"nested":[]}' },
    ];
    for (const decoded of [decodeOtlpProtobuf(otlpProtobuf(request)), json(request), json(request, { snakeCase: true })]) {
      expect(decoded.resourceMetrics[0]!.metrics[0]!.data!.points[0]!.attributes).toEqual(expected);
    }
  });

  it("takes JSON doubles as numbers or strings, NaN and infinities included", () => {
    const point = (fields: Record<string, unknown>) =>
      decodeOtlpJson(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "m", gauge: { dataPoints: [{ timeUnixNano: "1", ...fields }] } }] }] }] })).resourceMetrics[0]!
        .metrics[0]!.data!.points[0];
    expect(point({ asDouble: "1.5e3" })).toMatchObject({ value: 1500 });
    expect(point({ asDouble: "NaN" })).toMatchObject({ value: NaN });
    expect(point({ asDouble: "-Infinity" })).toMatchObject({ value: -Infinity });
    expect(point({ asInt: "-12" })).toMatchObject({ value: -12 });
    expect(point({ as_int: 7 })).toMatchObject({ value: 7 });
    expect(point({ asDouble: null })).toMatchObject({ value: null });
    expect(point({})).toMatchObject({ value: null });
  });

  it("marks a JSON data point with a field of the wrong type invalid, keeping the others", () => {
    const body = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "m",
                  gauge: {
                    dataPoints: [{ timeUnixNano: "1", asDouble: 1 }, { timeUnixNano: "1.5", asDouble: 2 }, { timeUnixNano: "1", asDouble: "lots" }, { timeUnixNano: "-1" }, "nope", { timeUnixNano: "1", attributes: {} }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const points = decodeOtlpJson(JSON.stringify(body)).resourceMetrics[0]!.metrics[0]!.data!.points;
    expect(points.map((p) => p.invalid)).toEqual([
      undefined,
      "timeUnixNano must be an unsigned 64-bit integer (a number or a decimal string)",
      "asDouble must be a number",
      "timeUnixNano must be an unsigned 64-bit integer (a number or a decimal string)",
      "a data point must be a JSON object",
      "attributes must be an array",
    ]);
  });

  it.each([
    ["not JSON", "{", "the body is not valid JSON"],
    ["an array", "[]", "the body must be a JSON object"],
    ["resourceMetrics not an array", '{"resourceMetrics": {}}', "resourceMetrics must be an array"],
    ["a metric not an object", '{"resourceMetrics": [{"scopeMetrics": [{"metrics": [1]}]}]}', "resourceMetrics[0].scopeMetrics[0].metrics[0] must be a JSON object"],
    ["dataPoints not an array", '{"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "m", "gauge": {"dataPoints": 3}}]}]}]}', "dataPoints must be an array"],
    ["bad resource attributes", '{"resourceMetrics": [{"resource": {"attributes": [{"key": 1}]}}]}', "an attribute's key must be a string"],
  ])("refuses a JSON body that is %s", (_what, text, message) => {
    expect(() => decodeOtlpJson(text)).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpJson(text)).toThrow(message);
  });

  it("reads an empty body and an empty object as a request with nothing in it", () => {
    expect(decodeOtlpProtobuf(new Uint8Array())).toEqual({ resourceMetrics: [] });
    expect(decodeOtlpJson("{}")).toEqual({ resourceMetrics: [] });
  });

  it("skips a known field that comes with another wire type, as protobuf runtimes do", () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).fork(); // ResourceMetrics
    w.tag(2, WireType.LengthDelimited).fork(); // ScopeMetrics
    w.tag(2, WireType.LengthDelimited).fork(); // Metric
    w.tag(1, WireType.LengthDelimited).string("m");
    w.tag(5, WireType.LengthDelimited).fork(); // Gauge
    w.tag(1, WireType.LengthDelimited).fork(); // NumberDataPoint
    w.tag(3, WireType.Varint).uint64(5n); // time_unix_nano as a varint: not fixed64, so unknown
    w.tag(4, WireType.Bit64).double(2.5);
    w.join().join().join().join().join();
    expect(decodeOtlpProtobuf(w.finish()).resourceMetrics[0]!.metrics[0]!.data!.points[0]).toMatchObject({ timeUnixNano: 0n, value: 2.5 });
  });

  it("refuses attribute values nested deeper than 16 levels", () => {
    let value: AnyValueInput = { stringValue: "deep" };
    for (let i = 0; i < 20; i++) value = { arrayValue: [value] };
    const request: RequestInput = { resourceMetrics: [{ resource: { attributes: [{ key: "k", value }] }, scopeMetrics: [] }] };
    expect(() => decodeOtlpProtobuf(otlpProtobuf(request))).toThrow(/nested deeper than 16/);
    expect(() => json(request)).toThrow(/nested deeper than 16/);
  });
});

describe("encoding OTLP answers", () => {
  it("writes an empty ExportMetricsServiceResponse as no bytes, and partial_success with its count and message", () => {
    expect(encodeExportResponse(null)).toEqual(new Uint8Array());
    const reader = new BinaryReader(encodeExportResponse({ rejectedDataPoints: 3, errorMessage: "why" }));
    expect(reader.tag()).toEqual([1, WireType.LengthDelimited]);
    const partial = new BinaryReader(reader.bytes());
    expect(partial.tag()).toEqual([1, WireType.Varint]);
    expect(partial.int64()).toBe(3n);
    expect(partial.tag()).toEqual([2, WireType.LengthDelimited]);
    expect(partial.string()).toBe("why");
    expect(partial.pos).toBe(partial.len);
  });

  it("writes a google.rpc.Status with its code and message", () => {
    const reader = new BinaryReader(encodeStatus(16, "no token"));
    expect(reader.tag()).toEqual([1, WireType.Varint]);
    expect(reader.int32()).toBe(16);
    expect(reader.tag()).toEqual([2, WireType.LengthDelimited]);
    expect(reader.string()).toBe("no token");
  });
});

// ---- properties -------------------------------------------------------------------------

/** Doubles of every kind but -0, which JSON writes as 0. */
const anyDouble = fc.double().map((d) => (Object.is(d, -0) ? 0 : d));
const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d));
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const smallCount = fc.bigInt({ min: 0n, max: 2n ** 53n });

const { anyValue } = fc.letrec<{ anyValue: AnyValueInput; keyValue: KeyValueInput }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ stringValue: fc.string() }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: int64 }),
    fc.record({ doubleValue: anyDouble }),
    fc.record({ bytesValue: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ arrayValue: fc.array(tie("anyValue"), { maxLength: 3 }) }),
    fc.record({ kvlistValue: fc.array(tie("keyValue"), { maxLength: 3 }) }),
    fc.constant({}),
  ),
  keyValue: fc.record({ key: fc.string({ maxLength: 10 }), value: tie("anyValue") }, { requiredKeys: ["key"] }),
}));
const attributes = fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: anyValue }, { requiredKeys: ["key"] }), { maxLength: 4 });
const pointBase = { attributes, startTimeUnixNano: uint64, timeUnixNano: uint64, flags: fc.nat({ max: 3 }), exemplar: fc.boolean() };
const optional = { requiredKeys: [] as [] };

const metric: fc.Arbitrary<MetricInput> = fc.oneof(
  fc.record({ name: fc.string(), gauge: fc.record({ dataPoints: fc.array(fc.record({ ...pointBase, asDouble: anyDouble, asInt: int64 }, optional), { maxLength: 3 }) }) }),
  fc.record({
    name: fc.string(),
    unit: fc.string(),
    sum: fc.record({ dataPoints: fc.array(fc.record({ ...pointBase, asDouble: anyDouble, asInt: int64 }, optional), { maxLength: 3 }), aggregationTemporality: fc.nat({ max: 2 }), isMonotonic: fc.boolean() }),
  }),
  fc.record({
    name: fc.string(),
    histogram: fc.record({
      dataPoints: fc.array(
        fc.record(
          { ...pointBase, count: smallCount, sum: anyDouble, min: anyDouble, max: anyDouble, bucketCounts: fc.array(smallCount, { maxLength: 4 }), explicitBounds: fc.array(anyDouble, { maxLength: 4 }) },
          { requiredKeys: ["count"] },
        ),
        { maxLength: 3 },
      ),
    }),
  }),
  fc.record({
    name: fc.string(),
    exponentialHistogram: fc.record({
      dataPoints: fc.array(
        fc.record(
          { ...pointBase, count: smallCount, sum: finiteDouble, min: finiteDouble, max: finiteDouble, scale: fc.integer({ min: -10, max: 20 }), zeroCount: smallCount },
          { requiredKeys: ["count"] },
        ),
        { maxLength: 3 },
      ),
    }),
  }),
  fc.record({
    name: fc.string(),
    summary: fc.record({
      dataPoints: fc.array(
        fc.record({ ...pointBase, count: smallCount, sum: anyDouble, quantileValues: fc.array(fc.record({ quantile: anyDouble, value: anyDouble }), { maxLength: 3 }) }, { requiredKeys: ["count", "sum"] }),
        { maxLength: 3 },
      ),
    }),
  }),
  fc.record({ name: fc.string() }),
);

const request: fc.Arbitrary<RequestInput> = fc.record({
  resourceMetrics: fc.array(
    fc.record(
      {
        resource: fc.record({ attributes }),
        scopeMetrics: fc.array(fc.record({ scope: fc.record({ name: fc.string(), version: fc.string() }), metrics: fc.array(metric, { maxLength: 3 }) }, { requiredKeys: ["metrics"] }), {
          maxLength: 2,
        }),
      },
      { requiredKeys: ["scopeMetrics"] },
    ),
    { maxLength: 2 },
  ),
});

/** Whether `run` throws nothing, or only an OtlpDecodeError. */
function onlyOurError(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch (err) {
    if (err instanceof OtlpDecodeError) return true;
    throw err;
  }
}

describe("OTLP decoder properties", () => {
  it("decode every request to the same thing from protobuf (packed or not, unknown fields or not) and from JSON (camelCase or snake_case)", () => {
    fc.assert(
      fc.property(request, fc.boolean(), fc.boolean(), fc.boolean(), (input, unpacked, unknownFields, snakeCase) => {
        const fromProtobuf = decodeOtlpProtobuf(otlpProtobuf(input, { unpacked, unknownFields }));
        expect(fromProtobuf).toEqual(decodeOtlpProtobuf(otlpProtobuf(input)));
        expect(json(input, { snakeCase, unknownFields })).toEqual(fromProtobuf);
      }),
      { numRuns: 300 },
    );
  });

  it("read every time_unix_nano exactly, as a string in JSON or a fixed64 in protobuf", () => {
    fc.assert(
      fc.property(uint64, (time) => {
        const input: RequestInput = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "t", gauge: { dataPoints: [{ timeUnixNano: time, asDouble: 1 }] } }] }] }] };
        expect(decodeOtlpProtobuf(otlpProtobuf(input)).resourceMetrics[0]!.metrics[0]!.data!.points[0]!.timeUnixNano).toBe(time);
        expect(json(input).resourceMetrics[0]!.metrics[0]!.data!.points[0]!.timeUnixNano).toBe(time);
      }),
    );
  });

  it("throw nothing but OtlpDecodeError for random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyOurError(() => decodeOtlpProtobuf(bytes))),
      { numRuns: 3000 },
    );
  });

  it("throw nothing but OtlpDecodeError for a valid protobuf request with bytes changed, cut or inserted", () => {
    fc.assert(
      fc.property(request, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "cut", "insert")), { minLength: 1, maxLength: 4 }), (input, edits) => {
        let bytes = Array.from(otlpProtobuf(input));
        for (const [at, byte, edit] of edits) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (edit === "set") bytes[i] = byte;
          else if (edit === "cut") bytes = bytes.slice(0, i);
          else bytes.splice(i, 0, byte);
        }
        return onlyOurError(() => decodeOtlpProtobuf(Uint8Array.from(bytes)));
      }),
      { numRuns: 1000 },
    );
  });

  it("throw nothing but OtlpDecodeError for random text and for any JSON value", () => {
    fc.assert(fc.property(fc.string(), (text) => onlyOurError(() => decodeOtlpJson(text))), { numRuns: 1000 });
    fc.assert(fc.property(fc.json(), (text) => onlyOurError(() => decodeOtlpJson(text))), { numRuns: 1000 });
  });

  it("throw nothing but OtlpDecodeError for a valid JSON request with any value swapped for another", () => {
    fc.assert(
      fc.property(request, fc.nat(), fc.jsonValue(), fc.boolean(), (input, pick, replacement, snakeCase) => {
        const body = otlpJson(input, { snakeCase });
        // Every object and array in the body, then one of its entries replaced.
        const containers: (Record<string, unknown> | unknown[])[] = [];
        const walk = (value: unknown) => {
          if (typeof value !== "object" || value === null) return;
          containers.push(value as Record<string, unknown>);
          Object.values(value).forEach(walk);
        };
        walk(body);
        const target = containers[pick % containers.length]!;
        const keys = Object.keys(target);
        if (keys.length > 0) (target as Record<string, unknown>)[keys[pick % keys.length]!] = replacement;
        return onlyOurError(() => decodeOtlpJson(JSON.stringify(body)));
      }),
      { numRuns: 1000 },
    );
  });
});
