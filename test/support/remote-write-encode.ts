/**
 * A Prometheus remote-write encoder for tests: protobuf `WriteRequest`s written field by field
 * with `@bufbuild/protobuf`'s `BinaryWriter`, then snappy-compressed with `snappyjs`, as
 * Prometheus sends them. It can also write what Prometheus sends besides samples (metadata,
 * exemplars, native histograms), fields a decoder must skip, and fields in any order.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { compress } from "snappyjs";

export interface EncodedSample {
  value: number;
  /** Milliseconds since the epoch, any int64. */
  timestamp: bigint;
  /** The value's bits (low and high 32-bit words) when they matter: the staleness marker, NaN payloads. */
  bits?: [number, number];
}

export interface EncodedSeries {
  labels: { name: string; value: string }[];
  samples: EncodedSample[];
  /** Native-histogram samples to add (empty `Histogram` messages with a count). */
  histograms?: number;
  /** Exemplars to add. */
  exemplars?: number;
}

export interface EncodedRequest {
  timeseries: EncodedSeries[];
  /** `MetricMetadata` entries to add. */
  metadata?: number;
}

export interface EncodeOptions {
  /** Add fields no decoder knows (varint, length-delimited, fixed 32 and 64 bits, a group) to every message. */
  unknownFields?: boolean;
  /** Write the fields of each `Label` and `Sample` last to first (protobuf allows any order). */
  reversed?: boolean;
}

/** Prometheus's staleness marker, `value.StaleNaN`: 0x7ff0000000000002 as low and high words. */
export const STALE_BITS: [number, number] = [0x00000002, 0x7ff00000];

type Field = (writer: BinaryWriter) => void;

function message(writer: BinaryWriter, fields: Field[], options: EncodeOptions): void {
  const all = options.unknownFields ? [...fields, ...unknownFields] : fields;
  for (const field of options.reversed ? [...all].reverse() : all) field(writer);
}

const unknownFields: Field[] = [
  (w) => w.tag(100, WireType.Varint).uint64(123456789012345n),
  (w) => w.tag(101, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3, 0xff])),
  (w) => w.tag(102, WireType.Bit32).fixed32(7),
  (w) => w.tag(103, WireType.Bit64).fixed64(9n),
  (w) => w.tag(104, WireType.StartGroup).tag(1, WireType.Varint).uint32(5).tag(104, WireType.EndGroup),
];

function embedded(writer: BinaryWriter, field: number, write: (writer: BinaryWriter) => void): void {
  writer.tag(field, WireType.LengthDelimited).fork();
  write(writer);
  writer.join();
}

/** The protobuf bytes of a `WriteRequest`. */
export function encodeWriteRequest(request: EncodedRequest, options: EncodeOptions = {}): Uint8Array {
  const writer = new BinaryWriter();
  const fields: Field[] = request.timeseries.map((series) => (w) => embedded(w, 1, (w) => writeSeries(w, series, options)));
  for (let i = 0; i < (request.metadata ?? 0); i++) {
    fields.push((w) =>
      embedded(w, 3, (w) => w.tag(1, WireType.Varint).int32(1).tag(2, WireType.LengthDelimited).string(`metric_${i}`).tag(4, WireType.LengthDelimited).string("help").tag(5, WireType.LengthDelimited).string("")),
    );
  }
  message(writer, fields, { ...options, reversed: false });
  return writer.finish();
}

function writeSeries(writer: BinaryWriter, series: EncodedSeries, options: EncodeOptions): void {
  const fields: Field[] = [
    ...series.labels.map((label): Field => (w) => embedded(w, 1, (w) => message(w, [(w) => w.tag(1, WireType.LengthDelimited).string(label.name), (w) => w.tag(2, WireType.LengthDelimited).string(label.value)], options))),
    ...series.samples.map((sample): Field => (w) => embedded(w, 2, (w) => message(w, sampleFields(sample), options))),
  ];
  for (let i = 0; i < (series.exemplars ?? 0); i++) {
    fields.push((w) => embedded(w, 3, (w) => w.tag(2, WireType.Bit64).double(1.5).tag(3, WireType.Varint).int64(1n)));
  }
  for (let i = 0; i < (series.histograms ?? 0); i++) {
    fields.push((w) => embedded(w, 4, (w) => w.tag(1, WireType.Varint).uint64(3n).tag(3, WireType.Bit64).double(2.5).tag(15, WireType.Varint).int64(1n)));
  }
  message(writer, fields, { ...options, reversed: false });
}

function sampleFields(sample: EncodedSample): Field[] {
  const value: Field = sample.bits
    ? (w) => w.tag(1, WireType.Bit64).fixed32(sample.bits![0]).fixed32(sample.bits![1])
    : (w) => w.tag(1, WireType.Bit64).double(sample.value);
  return [value, (w) => w.tag(2, WireType.Varint).int64(sample.timestamp)];
}

/** A remote-write body: the request's protobuf, snappy-compressed (block format). */
export function remoteWriteBody(request: EncodedRequest, options: EncodeOptions = {}): Uint8Array {
  return compress(encodeWriteRequest(request, options));
}
