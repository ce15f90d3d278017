/**
 * Decoder for Prometheus remote write 1.0 (https://prometheus.io/docs/specs/remote_write_spec/):
 * a snappy-compressed (block format, not framed) protobuf `WriteRequest`:
 *
 *   message WriteRequest   { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 *   message TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   message Label          { string name = 1; string value = 2; }
 *   message Sample         { double value = 1; int64 timestamp = 2; }
 *
 * (field 3 of `WriteRequest` and fields 3 and 4 of `TimeSeries` are Prometheus's additions
 * to the 1.0 spec: metadata, exemplars and native histograms). `snappyjs` decompresses and
 * `@bufbuild/protobuf`'s wire-level `BinaryReader` reads the fields; unknown fields are
 * skipped. Metadata and histograms are counted, not decoded (nothing here charts them),
 * exemplars are skipped. Values keep every bit (the staleness marker is told apart from any
 * other NaN) and timestamps stay 64-bit integers.
 *
 * Whatever the bytes, the only error thrown is {@link RemoteWriteError}.
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { uncompress } from "snappyjs";

/** Why a remote-write body cannot be read: the only error this module throws. */
export class RemoteWriteError extends Error {
  /**
   * What failed: `compression` (not a valid snappy block), `protobuf` (not a valid
   * `WriteRequest`), or `limit` (a bound of {@link DecodeLimits} was passed; `limit` says which).
   */
  readonly kind: "compression" | "protobuf" | "limit";
  /** For `limit`: the bound that was passed. */
  readonly limit: { name: "bytes" | "series" | "samples"; value: number } | undefined;

  constructor(kind: RemoteWriteError["kind"], message: string, limit?: RemoteWriteError["limit"]) {
    super(message);
    this.name = "RemoteWriteError";
    this.kind = kind;
    this.limit = limit;
  }
}

/** A label of a series. */
export interface RemoteWriteLabel {
  name: string;
  value: string;
}

/** A sample: the value's 64 bits as sent, and the time as the 64-bit integer sent. */
export interface RemoteWriteSample {
  /** The value (for the staleness marker, a NaN). */
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  /** Whether the value is Prometheus's staleness marker, the NaN 0x7ff0000000000002. */
  stale: boolean;
}

/** One `TimeSeries`. */
export interface RemoteWriteSeries {
  /** Its labels in the order sent, at most `DecodeLimits.maxLabelsPerSeries` of them. */
  labels: RemoteWriteLabel[];
  /** How many labels it carried (more than `labels.length` when over the limit). */
  labelCount: number;
  /** Its samples in the order sent. */
  samples: RemoteWriteSample[];
  /** How many native-histogram samples it carried (not decoded). */
  histograms: number;
}

/** A decoded `WriteRequest`. */
export interface WriteRequest {
  timeseries: RemoteWriteSeries[];
  /** How many `MetricMetadata` entries it carried (not decoded). */
  metadata: number;
}

/** Bounds on the work one body may cost. */
export interface DecodeLimits {
  /** Most decompressed bytes. */
  maxBytes: number;
  /** Most `TimeSeries`. */
  maxSeries: number;
  /** Most samples, histogram samples included, over all series. */
  maxSamples: number;
  /** Most labels kept per series; more are counted in `labelCount` but not kept. */
  maxLabelsPerSeries: number;
}

/** The bits of Prometheus's staleness marker, `value.StaleNaN`: high and low 32-bit words. */
const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** Decompresses and decodes a remote-write body. */
export function decodeRemoteWrite(body: Uint8Array, limits: DecodeLimits): WriteRequest {
  return decodeWriteRequest(uncompressSnappy(body, limits.maxBytes), limits);
}

/**
 * Decompresses a snappy block. The stream is walked first to check what `snappyjs` does not:
 * that its elements add up to exactly the length its header declares and that every copy
 * refers to bytes already written (snappyjs fills a short stream with zeros and drops what
 * runs past the declared length). The declared length is checked against `maxBytes` before
 * anything is allocated.
 */
export function uncompressSnappy(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const length = checkSnappyBlock(compressed, maxBytes);
  let output: Uint8Array;
  try {
    output = uncompress(compressed, maxBytes);
  } catch (err) {
    throw new RemoteWriteError("compression", `the body is not a valid snappy block: ${(err as Error).message}`);
  }
  if (output.length !== length) throw new RemoteWriteError("compression", "the body is not a valid snappy block");
  return output;
}

/** The declared length of a snappy block whose structure holds together; throws otherwise. */
function checkSnappyBlock(bytes: Uint8Array, maxBytes: number): number {
  const invalid = (why: string) => new RemoteWriteError("compression", `the body is not a valid snappy block: ${why}`);
  // The preamble: the decompressed length, a varint of at most 32 bits.
  let pos = 0;
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= bytes.length) throw invalid("it ends inside its length");
    const byte = bytes[pos++]!;
    if (shift === 28 && byte > 0x0f) throw invalid("its length is over 32 bits");
    declared += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (declared > maxBytes) {
    throw new RemoteWriteError("limit", `the decompressed body would be ${declared} bytes, more than ${maxBytes}`, { name: "bytes", value: maxBytes });
  }
  let written = 0;
  while (pos < bytes.length) {
    const tag = bytes[pos++]!;
    let length: number;
    if ((tag & 3) === 0) {
      // A literal: its length - 1 in the tag, or in the 1 to 4 bytes after it.
      length = tag >>> 2;
      if (length >= 60) {
        const size = length - 59;
        if (pos + size > bytes.length) throw invalid("it ends inside a literal's length");
        length = 0;
        for (let i = 0; i < size; i++) length += bytes[pos + i]! * 2 ** (8 * i);
        pos += size;
      }
      length += 1;
      if (pos + length > bytes.length) throw invalid("a literal runs past its end");
      pos += length;
    } else {
      // A copy of `length` bytes from `offset` back: 1, 2 or 4 bytes of offset after the tag.
      let offset: number;
      if ((tag & 3) === 1) {
        if (pos + 1 > bytes.length) throw invalid("it ends inside a copy");
        length = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | bytes[pos]!;
        pos += 1;
      } else if ((tag & 3) === 2) {
        if (pos + 2 > bytes.length) throw invalid("it ends inside a copy");
        length = (tag >>> 2) + 1;
        offset = bytes[pos]! | (bytes[pos + 1]! << 8);
        pos += 2;
      } else {
        if (pos + 4 > bytes.length) throw invalid("it ends inside a copy");
        length = (tag >>> 2) + 1;
        offset = (bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16)) + bytes[pos + 3]! * 2 ** 24;
        pos += 4;
      }
      if (offset === 0 || offset > written) throw invalid("a copy refers to bytes before its start");
    }
    written += length;
    if (written > declared) throw invalid("it holds more than its declared length");
  }
  if (written !== declared) throw invalid("it holds less than its declared length");
  return declared;
}

/** Decodes a (decompressed) `WriteRequest`. */
export function decodeWriteRequest(bytes: Uint8Array, limits: Omit<DecodeLimits, "maxBytes">): WriteRequest {
  const reader = new BinaryReader(bytes);
  const request: WriteRequest = { timeseries: [], metadata: 0 };
  const counts = { samples: 0 };
  try {
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === 1) {
        if (request.timeseries.length >= limits.maxSeries) {
          throw new RemoteWriteError("limit", `the request carries more than ${limits.maxSeries} series`, { name: "series", value: limits.maxSeries });
        }
        request.timeseries.push(readSeries(reader, messageEnd(reader, wireType, reader.len, "WriteRequest.timeseries"), limits, counts));
      } else if (field === 3) {
        expectWireType(wireType, WireType.LengthDelimited, "WriteRequest.metadata");
        reader.skip(wireType, field);
        request.metadata++;
      } else {
        reader.skip(wireType, field);
      }
    }
  } catch (err) {
    if (err instanceof RemoteWriteError) throw err;
    throw new RemoteWriteError("protobuf", `the body is not a valid protobuf WriteRequest: ${err instanceof Error ? err.message : String(err)}`);
  }
  return request;
}

function readSeries(reader: BinaryReader, end: number, limits: Omit<DecodeLimits, "maxBytes">, counts: { samples: number }): RemoteWriteSeries {
  const series: RemoteWriteSeries = { labels: [], labelCount: 0, samples: [], histograms: 0 };
  const countSample = () => {
    if (++counts.samples > limits.maxSamples) {
      throw new RemoteWriteError("limit", `the request carries more than ${limits.maxSamples} samples`, { name: "samples", value: limits.maxSamples });
    }
  };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) {
      const label = readLabel(reader, messageEnd(reader, wireType, end, "TimeSeries.labels"));
      if (series.labelCount++ < limits.maxLabelsPerSeries) series.labels.push(label);
    } else if (field === 2) {
      countSample();
      series.samples.push(readSample(reader, messageEnd(reader, wireType, end, "TimeSeries.samples")));
    } else if (field === 4) {
      expectWireType(wireType, WireType.LengthDelimited, "TimeSeries.histograms");
      countSample();
      reader.skip(wireType, field);
      series.histograms++;
    } else {
      reader.skip(wireType, field);
    }
    within(reader, end);
  }
  return series;
}

function readLabel(reader: BinaryReader, end: number): RemoteWriteLabel {
  const label: RemoteWriteLabel = { name: "", value: "" };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) {
      expectWireType(wireType, WireType.LengthDelimited, "Label.name");
      label.name = reader.string(true);
    } else if (field === 2) {
      expectWireType(wireType, WireType.LengthDelimited, "Label.value");
      label.value = reader.string(true);
    } else {
      reader.skip(wireType, field);
    }
    within(reader, end);
  }
  return label;
}

/** A scratch word pair to turn a double's two 32-bit halves back into the double, bit for bit. */
const scratch = new DataView(new ArrayBuffer(8));

function readSample(reader: BinaryReader, end: number): RemoteWriteSample {
  const sample: RemoteWriteSample = { value: 0, timestamp: 0n, stale: false };
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1) {
      expectWireType(wireType, WireType.Bit64, "Sample.value");
      // Little-endian: the low word first. Kept as words so the staleness marker's NaN
      // payload is seen as sent, whatever a runtime does with NaN payloads.
      const lo = reader.fixed32();
      const hi = reader.fixed32();
      scratch.setUint32(0, lo, true);
      scratch.setUint32(4, hi, true);
      sample.value = scratch.getFloat64(0, true);
      sample.stale = hi === STALE_HI && lo === STALE_LO;
    } else if (field === 2) {
      expectWireType(wireType, WireType.Varint, "Sample.timestamp");
      const timestamp = reader.int64();
      sample.timestamp = typeof timestamp === "bigint" ? timestamp : BigInt(timestamp);
    } else {
      reader.skip(wireType, field);
    }
    within(reader, end);
  }
  return sample;
}

/** Reads the length of an embedded message and returns where it ends, within `limit`. */
function messageEnd(reader: BinaryReader, wireType: WireType, limit: number, what: string): number {
  expectWireType(wireType, WireType.LengthDelimited, what);
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > limit) throw new RemoteWriteError("protobuf", `the body is not a valid protobuf WriteRequest: ${what} runs past the end of its message`);
  return end;
}

function expectWireType(actual: WireType, expected: WireType, what: string): void {
  if (actual !== expected) {
    throw new RemoteWriteError("protobuf", `the body is not a valid protobuf WriteRequest: ${what} has wire type ${actual}, not ${expected}`);
  }
}

/** Fails when the last field read ran past the end of its message. */
function within(reader: BinaryReader, end: number): void {
  if (reader.pos > end) throw new RemoteWriteError("protobuf", "the body is not a valid protobuf WriteRequest: a field runs past the end of its message");
}
