// The Prometheus remote-write decoder: snappy, protobuf, and points. Every value and time
// survives exactly (float64 bits, int64 milliseconds), the staleness marker is told from
// other NaN, unknown fields are skipped, limits hold, and no bytes whatsoever make it throw
// anything but its own error.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { compress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { decodeRemoteWrite, decodeWriteRequest, RemoteWriteError, uncompressSnappy, type DecodeLimits, type WriteRequest } from "../../src/ingest/remote-write";
import { remoteWriteCandidates } from "../../src/ingest/remote-write-points";
import { hasLoneSurrogate } from "../../src/ingest/utf8-decode";
import { encodeWriteRequest, remoteWriteBody, STALE_BITS, type EncodedRequest, type EncodedSeries } from "../support/remote-write-encode";

const roomy: DecodeLimits = { maxBytes: 64 * 1024 * 1024, maxSeries: 1_000_000, maxSamples: 1_000_000, maxLabelsPerSeries: 1_000 };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const T = 1_764_115_200_000n;

/** Any text protobuf can carry: any code point but a lone surrogate half, which UTF-8 cannot encode. */
const text = (maxLength: number) => fc.string({ unit: "binary", maxLength }).filter((s) => !hasLoneSurrogate(s));

/** What the decoder should return for an encoded request. */
function expected(request: EncodedRequest): WriteRequest {
  return {
    metadata: request.metadata ?? 0,
    timeseries: request.timeseries.map((series) => ({
      labels: series.labels,
      labelCount: series.labels.length,
      samples: series.samples.map(({ value, timestamp, bits }) => ({
        value,
        timestamp,
        stale: bits !== undefined && bits[0] === STALE_BITS[0] && bits[1] === STALE_BITS[1],
      })),
      histograms: series.histograms ?? 0,
    })),
  };
}

/** The error a call throws, failing when it returns or throws anything else. */
function thrown(call: () => unknown): RemoteWriteError {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(RemoteWriteError);
    return err as RemoteWriteError;
  }
  throw new Error("expected a RemoteWriteError, but the call returned");
}

/** Only ever returns or throws a RemoteWriteError. */
function decodesOrRefuses(call: () => unknown): void {
  try {
    call();
  } catch (err) {
    if (!(err instanceof RemoteWriteError)) throw new Error(`threw ${String(err)} (${(err as Error)?.constructor?.name}), not a RemoteWriteError`);
  }
}

const selfScrape: EncodedRequest = {
  timeseries: [
    {
      labels: [
        { name: "__name__", value: "up" },
        { name: "instance", value: "127.0.0.1:9090" },
        { name: "job", value: "prometheus" },
      ],
      samples: [{ value: 1, timestamp: T }],
    },
    {
      labels: [
        { name: "__name__", value: "go_gc_duration_seconds" },
        { name: "instance", value: "127.0.0.1:9090" },
        { name: "job", value: "prometheus" },
        { name: "quantile", value: "0.5" },
      ],
      samples: [
        { value: Number.NaN, timestamp: T },
        { value: 0.000123, timestamp: T + 1000n },
      ],
    },
    {
      labels: [
        { name: "__name__", value: "gone" },
        { name: "job", value: "prometheus" },
      ],
      samples: [{ value: Number.NaN, timestamp: T + 2000n, bits: STALE_BITS }],
      exemplars: 2,
      histograms: 1,
    },
  ],
  metadata: 3,
};

describe("decodeRemoteWrite", () => {
  it("decodes series, labels, samples, and counts metadata and histograms", () => {
    expect(decodeRemoteWrite(remoteWriteBody(selfScrape), roomy)).toEqual(expected(selfScrape));
  });

  it("skips fields it does not know, in every message, and reads fields in any order", () => {
    const body = remoteWriteBody(selfScrape, { unknownFields: true, reversed: true });
    expect(decodeRemoteWrite(body, roomy)).toEqual(expected(selfScrape));
  });

  it("reads an empty request (a body of no fields) as no series", () => {
    expect(decodeRemoteWrite(compress(new Uint8Array(0)), roomy)).toEqual({ timeseries: [], metadata: 0 });
  });

  it("tells the staleness marker from every other NaN by its bits", () => {
    const otherNaNs: [number, number][] = [
      [0, 0x7ff80000],
      [1, 0x7ff00000],
      [2, 0xfff00000],
      [3, 0x7ff00000],
      [2, 0x7ff80000],
    ];
    const request: EncodedRequest = {
      timeseries: [
        {
          labels: [{ name: "__name__", value: "x" }],
          samples: [STALE_BITS, ...otherNaNs].map((bits) => ({ value: Number.NaN, timestamp: T, bits })),
        },
      ],
    };
    const samples = decodeRemoteWrite(remoteWriteBody(request), roomy).timeseries[0]!.samples;
    expect(samples.map((sample) => sample.stale)).toEqual([true, false, false, false, false, false]);
    expect(samples.every((sample) => Number.isNaN(sample.value))).toBe(true);
  });

  it("keeps every float64 and every int64 exactly", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            labels: fc.array(fc.record({ name: text(12), value: text(40) }), { maxLength: 6 }),
            samples: fc.array(fc.record({ value: fc.double(), timestamp: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }) }), { maxLength: 5 }),
            histograms: fc.nat(2),
            exemplars: fc.nat(2),
          }) as fc.Arbitrary<EncodedSeries>,
          { maxLength: 8 },
        ),
        fc.nat(3),
        fc.boolean(),
        (timeseries, metadata, unknownFields) => {
          const request = { timeseries, metadata };
          const decoded = decodeRemoteWrite(remoteWriteBody(request, { unknownFields, reversed: unknownFields }), roomy);
          // Object.is tells -0 from 0 (toEqual does too), and NaN equals NaN.
          expect(decoded).toEqual(expected(request));
          decoded.timeseries.forEach((series, i) =>
            series.samples.forEach((sample, j) => {
              const sent = timeseries[i]!.samples[j]!;
              expect(Object.is(sample.value, sent.value)).toBe(true);
              expect(sample.timestamp).toBe(sent.timestamp);
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps the edges exactly: int64's extremes, -0, subnormals, the largest double", () => {
    const values = [-0, 0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 53 + 2, 0.1, Infinity, -Infinity];
    const timestamps = [INT64_MIN, INT64_MAX, -1n, 0n, 2n ** 53n + 1n, T];
    const request: EncodedRequest = {
      timeseries: [{ labels: [{ name: "__name__", value: "edge" }], samples: values.flatMap((value) => timestamps.map((timestamp) => ({ value, timestamp }))) }],
    };
    const samples = decodeRemoteWrite(remoteWriteBody(request), roomy).timeseries[0]!.samples;
    expect(samples).toHaveLength(values.length * timestamps.length);
    samples.forEach((sample, i) => {
      expect(Object.is(sample.value, values[Math.floor(i / timestamps.length)])).toBe(true);
      expect(sample.timestamp).toBe(timestamps[i % timestamps.length]);
    });
  });
});

describe("decodeRemoteWrite on bad input", () => {
  it("throws nothing but its own error, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        decodesOrRefuses(() => decodeRemoteWrite(bytes, roomy));
        // Past snappy too: the same bytes as the protobuf, and compressed as a valid block.
        decodesOrRefuses(() => decodeWriteRequest(bytes, roomy));
        decodesOrRefuses(() => decodeRemoteWrite(compress(bytes), roomy));
      }),
      { numRuns: 3000 },
    );
  });

  it("throws nothing but its own error for a valid body with bytes changed, inserted or cut", () => {
    const protobuf = encodeWriteRequest(selfScrape, { unknownFields: true });
    const body = compress(protobuf);
    const mutated = (bytes: Uint8Array) =>
      fc
        .array(fc.record({ at: fc.nat(bytes.length), byte: fc.integer({ min: 0, max: 255 }), how: fc.constantFrom("set", "insert", "cut") }), { minLength: 1, maxLength: 4 })
        .map((edits) => {
          let out = Array.from(bytes);
          for (const { at, byte, how } of edits) {
            if (how === "set" && at < out.length) out[at] = byte;
            else if (how === "insert") out.splice(at, 0, byte);
            else out = out.slice(0, at);
          }
          return Uint8Array.from(out);
        });
    fc.assert(
      fc.property(mutated(protobuf), mutated(body), (changedProtobuf, changedBody) => {
        decodesOrRefuses(() => decodeRemoteWrite(compress(changedProtobuf), roomy));
        decodesOrRefuses(() => decodeRemoteWrite(changedBody, roomy));
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses a body that is not snappy, or whose stream does not add up to its declared length", () => {
    const valid = compress(new TextEncoder().encode("hello hello hello hello world"));
    expect(thrown(() => uncompressSnappy(new Uint8Array(0), 1000)).kind).toBe("compression");
    // The header says 5 more bytes than the stream holds (snappyjs alone would pad with zeros) ...
    expect(thrown(() => uncompressSnappy(Uint8Array.from([valid[0]! + 5, ...valid.slice(1)]), 1000)).kind).toBe("compression");
    // ... or 5 fewer (snappyjs alone would drop the rest).
    expect(thrown(() => uncompressSnappy(Uint8Array.from([valid[0]! - 5, ...valid.slice(1)]), 1000)).kind).toBe("compression");
    // A copy from before the start: length 4, then a 1-byte-offset copy of 4 from 1 back.
    expect(thrown(() => uncompressSnappy(Uint8Array.from([4, 0x01, 0x01]), 1000)).kind).toBe("compression");
    // A literal running past the end.
    expect(thrown(() => uncompressSnappy(Uint8Array.from([3, 0x08, 0x61]), 1000)).kind).toBe("compression");
    // A length over 32 bits.
    expect(thrown(() => uncompressSnappy(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x7f]), 1000)).kind).toBe("compression");
    expect(new TextDecoder().decode(uncompressSnappy(valid, 1000))).toBe("hello hello hello hello world");
  });

  it("refuses a body whose declared length is over the limit before decompressing it", () => {
    // A 5-byte body declaring 4 GiB - 1 of output: refused on its header.
    const error = thrown(() => uncompressSnappy(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 1024));
    expect(error.kind).toBe("limit");
    expect(error.limit).toEqual({ name: "bytes", value: 1024 });
    expect(thrown(() => uncompressSnappy(compress(new Uint8Array(1025)), 1024)).limit).toEqual({ name: "bytes", value: 1024 });
    expect(uncompressSnappy(compress(new Uint8Array(1024)), 1024)).toHaveLength(1024);
  });

  it("refuses protobuf that is not a WriteRequest", () => {
    const cases: [string, number[]][] = [
      ["a truncated series", [0x0a, 0x05, 0x0a]],
      ["a series longer than the body", [0x0a, 0x7f]],
      ["timeseries as a varint", [0x08, 0x01]],
      ["a sample value as a varint", [0x0a, 0x04, 0x12, 0x02, 0x08, 0x01]],
      ["a label runs past its series", [0x0a, 0x04, 0x0a, 0x06, 0x0a, 0x00]],
      ["field number 0", [0x00]],
      ["an end-group tag alone", [0x2c]],
      ["a label name that is not UTF-8", [0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0xff]],
      ["an unterminated varint", [0x28, 0xff, 0xff]],
    ];
    for (const [what, bytes] of cases) {
      expect(thrown(() => decodeWriteRequest(Uint8Array.from(bytes), roomy)).kind, what).toBe("protobuf");
    }
  });

  it("stops at the series and sample limits, and keeps at most the label limit", () => {
    const series = (n: number): EncodedSeries => ({ labels: [{ name: "__name__", value: `m${n}` }], samples: [{ value: n, timestamp: T }] });
    const limits = { maxSeries: 3, maxSamples: 4, maxLabelsPerSeries: 2 };
    expect(thrown(() => decodeWriteRequest(encodeWriteRequest({ timeseries: [0, 1, 2, 3].map(series) }), limits)).limit).toEqual({ name: "series", value: 3 });
    const fiveSamples: EncodedRequest = { timeseries: [{ labels: [], samples: [1, 2, 3].map((value) => ({ value, timestamp: T })), histograms: 2 }] };
    expect(thrown(() => decodeWriteRequest(encodeWriteRequest(fiveSamples), limits)).limit).toEqual({ name: "samples", value: 4 });
    const manyLabels: EncodedRequest = { timeseries: [{ labels: ["a", "b", "c", "d"].map((name) => ({ name, value: "v" })), samples: [] }] };
    const decoded = decodeWriteRequest(encodeWriteRequest(manyLabels), limits).timeseries[0]!;
    expect(decoded.labels.map((label) => label.name)).toEqual(["a", "b"]);
    expect(decoded.labelCount).toBe(4);
  });
});

describe("remoteWriteCandidates", () => {
  it("makes each sample a point named by __name__ with the other labels as tags, numbered in request order", () => {
    const { batch, skipped, samples, metadata } = remoteWriteCandidates(decodeRemoteWrite(remoteWriteBody(selfScrape), roomy));
    expect(batch.unit).toBe("index");
    expect(batch.items).toEqual([
      { item: 0, candidate: { name: "up", value: 1, ts: Number(T), tags: { instance: "127.0.0.1:9090", job: "prometheus" } } },
      { item: 2, candidate: { name: "go_gc_duration_seconds", value: 0.000123, ts: Number(T) + 1000, tags: { instance: "127.0.0.1:9090", job: "prometheus", quantile: "0.5" } } },
    ]);
    expect(batch.rejected).toEqual([]);
    expect(skipped).toEqual({ stale: 1, nan: 1, infinite: 0, histograms: 1 });
    expect(samples).toBe(5);
    expect(metadata).toBe(3);
  });

  it("shares one tags object among a series' points, and drops labels with empty values", () => {
    const request: EncodedRequest = {
      timeseries: [
        {
          labels: [
            { name: "__name__", value: "m" },
            { name: "empty", value: "" },
            { name: "a", value: "1" },
          ],
          samples: [
            { value: 1, timestamp: T },
            { value: 2, timestamp: T + 1n },
          ],
        },
      ],
    };
    const { batch } = remoteWriteCandidates(decodeRemoteWrite(remoteWriteBody(request), roomy));
    const [first, second] = batch.items.map((item) => item.candidate as { tags: object });
    expect(first!.tags).toEqual({ a: "1" });
    expect(first!.tags).toBe(second!.tags);
  });

  it("skips +Inf and -Inf, and refuses the samples of a series without __name__, with a label twice, or with too many labels", () => {
    const labels = (...names: string[]) => names.map((name) => ({ name, value: name === "__name__" ? "m" : "v" }));
    const request: EncodedRequest = {
      timeseries: [
        { labels: labels("__name__"), samples: [Infinity, -Infinity, 5].map((value) => ({ value, timestamp: T })) },
        { labels: labels("job"), samples: [{ value: 1, timestamp: T }] },
        { labels: labels("__name__", "job", "job"), samples: [{ value: 1, timestamp: T }, { value: Number.NaN, timestamp: T }] },
        { labels: labels("__name__", ...Array.from({ length: 17 }, (_, i) => `l${i}`)), samples: [{ value: 1, timestamp: T }] },
        { labels: labels("__name__", ...Array.from({ length: 16 }, (_, i) => `l${i}`)), samples: [{ value: 1, timestamp: T }] },
      ],
    };
    // As the Worker decodes: at most __name__ and 16 tags kept per series.
    const { batch, skipped } = remoteWriteCandidates(decodeRemoteWrite(remoteWriteBody(request), { ...roomy, maxLabelsPerSeries: 17 }));
    expect(skipped).toEqual({ stale: 0, nan: 1, infinite: 2, histograms: 0 });
    expect(batch.items.map((item) => item.item)).toEqual([2, 7]);
    expect(batch.rejected).toEqual([
      { index: 3, field: "name", message: "the series has no __name__ label" },
      { index: 4, field: "tags", message: 'the series has the label "job" twice' },
      { index: 6, field: "tags", message: "the series has 18 labels; at most 16 besides __name__ can be kept as tags" },
    ]);
  });

  it("keeps millisecond times exactly and pins those beyond 2^53 to the nearest safe integer", () => {
    const timestamps = [T, -1n, 2n ** 53n - 1n, 2n ** 53n, INT64_MAX, INT64_MIN];
    const request: EncodedRequest = { timeseries: [{ labels: [{ name: "__name__", value: "t" }], samples: timestamps.map((timestamp) => ({ value: 1, timestamp })) }] };
    const { batch } = remoteWriteCandidates(decodeRemoteWrite(remoteWriteBody(request), roomy));
    expect(batch.items.map((item) => (item.candidate as { ts: number }).ts)).toEqual([
      Number(T),
      -1,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ]);
  });
});

describe("requests a real Prometheus sent (test/fixtures/prometheus-remote-write)", () => {
  const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/prometheus-remote-write/${name}`, import.meta.url)));

  it("decodes a self-scrape batch: one sample per series, NaN quantiles skipped, labels as tags", () => {
    const request = decodeRemoteWrite(fixture("self-scrape.bin"), roomy);
    expect(request.timeseries).toHaveLength(500);
    expect(request.metadata).toBe(0);
    const { batch, skipped, samples } = remoteWriteCandidates(request);
    expect(samples).toBe(500);
    expect(skipped).toEqual({ stale: 0, nan: 38, infinite: 0, histograms: 0 });
    expect(batch.rejected).toEqual([]);
    expect(batch.items).toHaveLength(462);
    const points = batch.items.map((item) => item.candidate as { name: string; value: number; ts: number; tags: Record<string, string> });
    expect(points).toContainEqual({ name: "up", value: 1, ts: 1795995219913, tags: { instance: "127.0.0.1:19998", job: "prometheus" } });
    expect(points).toContainEqual({
      name: "prometheus_build_info",
      value: 1,
      ts: 1795995219913,
      tags: { branch: "debian/sid", goarch: "amd64", goos: "linux", goversion: "go1.19.8", instance: "127.0.0.1:19998", job: "prometheus", revision: "2.42.0+ds-5+deb12u1", version: "2.42.0+ds" },
    });
    expect(points).toContainEqual({ name: "go_gc_duration_seconds", value: 0.000048413, ts: 1795995219913, tags: { instance: "127.0.0.1:19998", job: "prometheus", quantile: "0.25" } });
  });

  it("decodes a metadata request as no series", () => {
    const request = decodeRemoteWrite(fixture("metadata-only.bin"), roomy);
    expect(request).toEqual({ timeseries: [], metadata: 202 });
    expect(remoteWriteCandidates(request).batch.items).toEqual([]);
  });
});
