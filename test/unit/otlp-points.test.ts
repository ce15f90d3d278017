// What an OTLP request becomes: series names (histograms and summaries expanded), tags (point
// attributes, then resource attributes by the documented rule), exact times, and which data
// points are rejected and why.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SeriesBatch } from "../../src/dashboard/ingest-contract";
import { decodeOtlpJson } from "../../src/ingest/otlp-json";
import type { OtlpAttribute, OtlpData, OtlpMetric, OtlpRequest } from "../../src/ingest/otlp-model";
import { otlpSeriesPoints, tagName } from "../../src/ingest/otlp-points";
import { decodeOtlpProtobuf } from "../../src/ingest/otlp-protobuf";
import { limits } from "../../src/common/limits";
import { otlpJson, otlpProtobuf, type RequestInput } from "../support/otlp-encode";

const NOW = 1_764_115_200_000;
const T = BigInt(NOW - 1000) * 1_000_000n + 999_999n; // 999,999 ns past a millisecond: floored away
const TS = NOW - 1000;

function attrs(entries: Record<string, string>): OtlpAttribute[] {
  return Object.entries(entries).map(([key, value]) => ({ key, value }));
}

function requestOf(metrics: OtlpMetric[], resource: OtlpAttribute[] = []): OtlpRequest {
  return { resourceMetrics: [{ resource, metrics }] };
}

/** Every stored point as `key=value@ts`, in series order. */
function points(series: SeriesBatch[]): string[] {
  return series.flatMap((batch) => Array.from(batch.values, (value, i) => `${batch.key}=${value}@${batch.ts[i]}`));
}

const gauge = (name: string, value: number | null, extra: Partial<OtlpData["points"][number]> = {}): OtlpMetric => ({
  name,
  data: { kind: "gauge", points: [{ attributes: [], timeUnixNano: T, flags: 0, value, ...extra }] },
});

describe("OTLP data points as series", () => {
  it("stores a gauge's and a sum's points under the metric's name, at time_unix_nano floored to the millisecond", () => {
    const batch = otlpSeriesPoints(
      requestOf([
        gauge("temperature", 71.5, { attributes: attrs({ room: "a" }) }),
        { name: "requests", data: { kind: "sum", points: [{ attributes: [], timeUnixNano: T, flags: 0, value: 12 }] } },
      ]),
      NOW,
    );
    expect(points(batch.series)).toEqual([`temperature{room=a}=71.5@${TS}`, `requests=12@${TS}`]);
    expect(batch).toMatchObject({ rejected: [], total: 2, points: 2 });
  });

  it("expands a histogram point into _count, _sum, _min, _max and cumulative _bucket series by le", () => {
    const batch = otlpSeriesPoints(
      requestOf([
        {
          name: "latency",
          data: {
            kind: "histogram",
            points: [{ attributes: attrs({ route: "/" }), timeUnixNano: T, flags: 0, count: 6, sum: 30.5, min: 0.5, max: 12, bucketCounts: [1, 2, 3], explicitBounds: [0.25, 10] }],
          },
        },
      ]),
      NOW,
    );
    expect(points(batch.series)).toEqual([
      `latency_count{route=/}=6@${TS}`,
      `latency_sum{route=/}=30.5@${TS}`,
      `latency_min{route=/}=0.5@${TS}`,
      `latency_max{route=/}=12@${TS}`,
      `latency_bucket{le=0.25,route=/}=1@${TS}`,
      `latency_bucket{le=10,route=/}=3@${TS}`,
      `latency_bucket{le=+Inf,route=/}=6@${TS}`,
    ]);
    expect(batch).toMatchObject({ total: 1, points: 7, rejected: [] });
  });

  it("keeps a histogram without buckets, sum, min or max as its count alone", () => {
    const batch = otlpSeriesPoints(
      requestOf([{ name: "h", data: { kind: "histogram", points: [{ attributes: [], timeUnixNano: T, flags: 0, count: 4, sum: null, min: null, max: null, bucketCounts: [], explicitBounds: [] }] } }]),
      NOW,
    );
    expect(points(batch.series)).toEqual([`h_count=4@${TS}`]);
  });

  it("rejects a histogram point whose N bounds do not come with N+1 bucket counts, or whose bounds do not increase", () => {
    const histogram = (bucketCounts: number[], explicitBounds: number[]) => ({ attributes: [], timeUnixNano: T, flags: 0, count: 3, sum: 1, min: null, max: null, bucketCounts, explicitBounds });
    const batch = otlpSeriesPoints(
      requestOf([{ name: "h", data: { kind: "histogram", points: [histogram([1, 2], [5, 10]), histogram([1, 1, 1], [5, 5]), histogram([1, 2], [1])] } }]),
      NOW,
    );
    expect(batch.rejected).toEqual([
      { index: 0, message: 'metric "h": 2 explicitBounds need 3 bucketCounts, not 2' },
      { index: 1, message: 'metric "h": explicitBounds must be finite and strictly increasing' },
    ]);
    expect(points(batch.series)).toEqual([`h_count=3@${TS}`, `h_sum=1@${TS}`, `h_bucket{le=1}=1@${TS}`, `h_bucket{le=+Inf}=3@${TS}`]);
  });

  it("keeps an exponential histogram's count, sum, min and max, and a summary's count, sum and quantiles", () => {
    const batch = otlpSeriesPoints(
      requestOf([
        { name: "sizes", data: { kind: "exponentialHistogram", points: [{ attributes: [], timeUnixNano: T, flags: 0, count: 3, sum: 7, min: 1, max: 4 }] } },
        {
          name: "rtt",
          data: { kind: "summary", points: [{ attributes: [], timeUnixNano: T, flags: 0, count: 4, sum: 10, quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 1, value: 4 }] }] },
        },
      ]),
      NOW,
    );
    expect(points(batch.series)).toEqual([
      `sizes_count=3@${TS}`,
      `sizes_sum=7@${TS}`,
      `sizes_min=1@${TS}`,
      `sizes_max=4@${TS}`,
      `rtt_count=4@${TS}`,
      `rtt_sum=10@${TS}`,
      `rtt{quantile=0.5}=2@${TS}`,
      `rtt{quantile=1}=4@${TS}`,
    ]);
  });

  it("rejects, by data point index, points with no value, no time, a time out of the window, a value that is not finite, or a field of the wrong type; skips points with no recorded value", () => {
    const batch = otlpSeriesPoints(
      requestOf([
        gauge("ok", 1),
        gauge("none", null),
        gauge("untimed", 1, { timeUnixNano: 0n }),
        gauge("old", 1, { timeUnixNano: BigInt(NOW - limits.maxPastMs - 1) * 1_000_000n }),
        gauge("nan", NaN),
        gauge("inf", Infinity),
        gauge("stale", null, { flags: 1 }),
        gauge("typo", 1, { invalid: "asDouble must be a number" }),
        { name: null, data: { kind: "gauge", points: [{ attributes: [], timeUnixNano: T, flags: 0, value: 1 }] } },
        { name: "h", data: { kind: "histogram", points: [{ attributes: [], timeUnixNano: T, flags: 0, count: 1, sum: NaN, min: null, max: null, bucketCounts: [], explicitBounds: [] }] } },
        { name: "nothing", data: null },
      ]),
      NOW,
    );
    expect(points(batch.series)).toEqual([`ok=1@${TS}`]);
    expect(batch.total).toBe(10);
    expect(batch.rejected).toEqual([
      { index: 1, message: 'metric "none": the data point has no value (asDouble or asInt)' },
      { index: 2, field: "ts", message: 'metric "untimed": timeUnixNano is missing: a data point needs its time' },
      { index: 3, field: "ts", message: 'metric "old": timeUnixNano is more than 7 days in the past' },
      { index: 4, field: "value", message: 'metric "nan": the value is NaN; values must be finite' },
      { index: 5, field: "value", message: 'metric "inf": the value is Infinity; values must be finite' },
      { index: 7, message: 'metric "typo": asDouble must be a number' },
      { index: 8, message: "a metric: the metric's name must be a string" },
      { index: 9, field: "value", message: 'metric "h": the sum is NaN; values must be finite' },
    ]);
  });

  it("rejects a point whose own attributes are more than the tag limit, or not valid tags", () => {
    const many = attrs(Object.fromEntries(Array.from({ length: limits.maxTags + 1 }, (_, i) => [`a${i}`, "x"])));
    const batch = otlpSeriesPoints(requestOf([gauge("wide", 1, { attributes: many }), gauge("long", 1, { attributes: attrs({ k: "v".repeat(limits.maxTagValueLength + 1) }) })]), NOW);
    expect(batch.rejected).toEqual([
      { index: 0, field: "tags", message: `metric "wide": at most ${limits.maxTags} tags` },
      { index: 1, field: "tags.k", message: `metric "long": tag values are at most ${limits.maxTagValueLength} characters` },
    ]);
  });
});

describe("OTLP attributes as tags", () => {
  const sdkResource = attrs({
    "telemetry.sdk.language": "nodejs",
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.version": "2.0.0",
    "process.pid": "4242",
    site: "north",
    "host.arch": "amd64",
    "host.name": "box-1",
    "service.name": "boiler",
  });

  it("adds the resource's identifying attributes first, then the others as sent, never telemetry.* or process.*", () => {
    const batch = otlpSeriesPoints(requestOf([gauge("g", 1, { attributes: attrs({ room: "a" }) })], sdkResource), NOW);
    expect(batch.series[0]!.tags).toEqual({ room: "a", "service.name": "boiler", "host.name": "box-1", site: "north", "host.arch": "amd64" });
    expect(Object.keys(batch.series[0]!.tags)).toEqual(["room", "service.name", "host.name", "site", "host.arch"]);
  });

  it("fills the tags up to the limit with resource attributes and drops the rest, never rejecting the point for them", () => {
    const own = attrs(Object.fromEntries(Array.from({ length: limits.maxTags - 2 }, (_, i) => [`a${i}`, "x"])));
    const batch = otlpSeriesPoints(
      requestOf(
        [
          gauge("g", 1, { attributes: own }),
          { name: "h", data: { kind: "histogram", points: [{ attributes: own, timeUnixNano: T, flags: 0, count: 1, sum: null, min: null, max: null, bucketCounts: [0, 1], explicitBounds: [1] }] } },
        ],
        sdkResource,
      ),
      NOW,
    );
    expect(batch.rejected).toEqual([]);
    const tagsOf = (name: string) => batch.series.filter((s) => s.name === name).map((s) => Object.keys(s.tags).filter((k) => !k.startsWith("a")));
    // Two places left: the first two identifying attributes.
    expect(tagsOf("g")).toEqual([["service.name", "host.name"]]);
    // `le` takes one of them, on every series of the point, so its count and buckets stay together.
    expect(tagsOf("h_count")).toEqual([["service.name"]]);
    expect(tagsOf("h_bucket")).toEqual([
      ["service.name", "le"],
      ["service.name", "le"],
    ]);
    // Point attributes that fill the limit alone leave no place for any resource attribute.
    const full = attrs(Object.fromEntries(Array.from({ length: limits.maxTags }, (_, i) => [`a${i}`, "x"])));
    const fullBatch = otlpSeriesPoints(requestOf([gauge("g", 1, { attributes: full })], sdkResource), NOW);
    expect(Object.keys(fullBatch.series[0]!.tags)).toHaveLength(limits.maxTags);
    expect(fullBatch.rejected).toEqual([]);
  });

  it("leaves out resource attributes that are not valid tags, and lets a point's attribute win over the resource's", () => {
    const resource = attrs({ "service.name": "boiler", long: "v".repeat(limits.maxTagValueLength + 1), ["k".repeat(limits.maxTagKeyLength + 1)]: "x", room: "resource" });
    const batch = otlpSeriesPoints(requestOf([gauge("g", 1, { attributes: attrs({ room: "point" }) })], resource), NOW);
    expect(batch.rejected).toEqual([]);
    expect(batch.series[0]!.tags).toEqual({ room: "point", "service.name": "boiler" });
  });

  it("maps attribute keys to tag names by one rule: other characters become _, a leading _ when needed, the first of two equal names wins", () => {
    expect(tagName("service.name")).toBe("service.name");
    expect(tagName("http/status code")).toBe("http_status_code");
    expect(tagName("1st")).toBe("_1st");
    expect(tagName(".hidden")).toBe("_.hidden");
    expect(tagName("ünits")).toBe("_nits");
    expect(tagName("")).toBeNull();
    const batch = otlpSeriesPoints(requestOf([gauge("g", 1, { attributes: attrs({ "a/b": "first", a_b: "second", "": "dropped", ["__proto__"]: "kept" }) })]), NOW);
    expect(batch.series[0]!.tags).toEqual(Object.fromEntries([["a_b", "first"], ["__proto__", "kept"]]));
  });
});

describe("OTLP times", () => {
  it("divide time_unix_nano exactly to whole milliseconds, from a JSON string or a protobuf fixed64", () => {
    const window = { min: BigInt(NOW - limits.maxPastMs) * 1_000_000n, max: BigInt(NOW + limits.maxFutureMs) * 1_000_000n };
    fc.assert(
      fc.property(fc.bigInt(window), (time) => {
        const input: RequestInput = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "t", gauge: { dataPoints: [{ timeUnixNano: time, startTimeUnixNano: 1n, asDouble: 1 }] } }] }] }] };
        const expected = Number(time / 1_000_000n);
        for (const decoded of [decodeOtlpProtobuf(otlpProtobuf(input)), decodeOtlpJson(JSON.stringify(otlpJson(input)))]) {
          expect(Array.from(otlpSeriesPoints(decoded, NOW).series[0]!.ts)).toEqual([expected]);
        }
      }),
    );
    // A time a double cannot hold exactly, written out.
    const decoded = decodeOtlpJson(
      JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "t", gauge: { dataPoints: [{ time_unix_nano: "1764115199999999999", as_int: "3" }] } }] }] }] }),
    );
    expect(Array.from(otlpSeriesPoints(decoded, NOW).series[0]!.ts)).toEqual([1_764_115_199_999]);
  });
});
