/**
 * OTLP metrics in protobuf: decodes the part of an `ExportMetricsServiceRequest` Pulseboard
 * keeps (see `otlp-model.ts`) with `@bufbuild/protobuf`'s wire-level reader, and encodes the
 * two messages the route answers with: `ExportMetricsServiceResponse` and `google.rpc.Status`.
 *
 * Field numbers are those of opentelemetry-proto (collector/metrics/v1/metrics_service.proto,
 * metrics/v1/metrics.proto, common/v1/common.proto, resource/v1/resource.proto). As protobuf
 * requires, unknown fields are skipped, a known field that comes with another wire type is
 * skipped as unknown (as the Go and Java runtimes do), repeated numbers are read packed or
 * not, a repeated message field seen twice adds up, and for a oneof the last field wins.
 * Whatever goes wrong while reading becomes an {@link OtlpDecodeError}: nothing else is thrown.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  anyValueText,
  base64,
  MAX_ANY_VALUE_DEPTH,
  OtlpDecodeError,
  type AnyValue,
  type OtlpAttribute,
  type OtlpData,
  type OtlpHistogramPoint,
  type OtlpMetric,
  type OtlpNumberPoint,
  type OtlpPointBase,
  type OtlpRequest,
  type OtlpResourceMetrics,
  type OtlpSummaryPoint,
  type OtlpSummaryStatsPoint,
} from "./otlp-model";

/** Decodes a protobuf `ExportMetricsServiceRequest`; throws {@link OtlpDecodeError} and nothing else. */
export function decodeOtlpProtobuf(bytes: Uint8Array): OtlpRequest {
  try {
    const resourceMetrics: OtlpResourceMetrics[] = [];
    eachField(bytes, (field, wire, reader) => {
      if (field !== 1 || wire !== WireType.LengthDelimited) return false;
      resourceMetrics.push(readResourceMetrics(reader.bytes()));
      return true;
    });
    return { resourceMetrics };
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw err;
    throw new OtlpDecodeError(`the body is not a protobuf ExportMetricsServiceRequest: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Reads a message's fields in order: `read` consumes the value of a field it knows (with
 * the wire type it expects) and says so; every other field is skipped.
 */
function eachField(bytes: Uint8Array, read: (field: number, wire: WireType, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (!read(field, wire, reader)) reader.skip(wire, field);
    // Varints are read without a bounds check of their own.
    if (reader.pos > reader.len) throw new OtlpDecodeError("the body is not a protobuf ExportMetricsServiceRequest: premature end of a message");
  }
}

function readResourceMetrics(bytes: Uint8Array): OtlpResourceMetrics {
  const out: OtlpResourceMetrics = { resource: [], metrics: [] };
  eachField(bytes, (field, wire, reader) => {
    if (wire !== WireType.LengthDelimited) return false;
    if (field === 1) {
      // Resource: attributes = 1.
      eachField(reader.bytes(), (f, w, r) => f === 1 && w === WireType.LengthDelimited && pushAttribute(out.resource, r.bytes()));
      return true;
    }
    if (field === 2) {
      // ScopeMetrics: metrics = 2 (the scope itself, 1, is not kept).
      eachField(reader.bytes(), (f, w, r) => f === 2 && w === WireType.LengthDelimited && pushed(out.metrics, readMetric(r.bytes())));
      return true;
    }
    return false;
  });
  return out;
}

function pushed<T>(list: T[], item: T): true {
  list.push(item);
  return true;
}

/** Metric: name = 1, gauge = 5, sum = 7, histogram = 9, exponential_histogram = 10, summary = 11. */
function readMetric(bytes: Uint8Array): OtlpMetric {
  const metric: OtlpMetric = { name: "", data: null };
  eachField(bytes, (field, wire, reader) => {
    if (wire !== WireType.LengthDelimited) return false;
    let data: OtlpData;
    switch (field) {
      case 1:
        metric.name = reader.string();
        return true;
      case 5:
        data = { kind: "gauge", points: readDataPoints(reader.bytes(), readNumberPoint) };
        break;
      case 7:
        data = { kind: "sum", points: readDataPoints(reader.bytes(), readNumberPoint) };
        break;
      case 9:
        data = { kind: "histogram", points: readDataPoints(reader.bytes(), readHistogramPoint) };
        break;
      case 10:
        data = { kind: "exponentialHistogram", points: readDataPoints(reader.bytes(), readExponentialHistogramPoint) };
        break;
      case 11:
        data = { kind: "summary", points: readDataPoints(reader.bytes(), readSummaryPoint) };
        break;
      default:
        return false;
    }
    // The data is a oneof: the last one wins, and a message seen twice merges (its points add up).
    if (metric.data?.kind === data.kind) (metric.data.points as unknown[]).push(...data.points);
    else metric.data = data;
    return true;
  });
  return metric;
}

/** Gauge, Sum, Histogram, ExponentialHistogram and Summary all hold their points in field 1. */
function readDataPoints<T>(bytes: Uint8Array, readPoint: (bytes: Uint8Array) => T): T[] {
  const points: T[] = [];
  eachField(bytes, (field, wire, reader) => field === 1 && wire === WireType.LengthDelimited && pushed(points, readPoint(reader.bytes())));
  return points;
}

function base(): OtlpPointBase {
  return { attributes: [], timeUnixNano: 0n, flags: 0 };
}

/** NumberDataPoint: attributes = 7, time_unix_nano = 3, as_double = 4, as_int = 6, flags = 8. */
function readNumberPoint(bytes: Uint8Array): OtlpNumberPoint {
  const point: OtlpNumberPoint = { ...base(), value: null };
  eachField(bytes, (field, wire, reader) => {
    if (field === 7 && wire === WireType.LengthDelimited) return pushAttribute(point.attributes, reader.bytes());
    if (field === 3 && wire === WireType.Bit64) return (point.timeUnixNano = BigInt(reader.fixed64())), true;
    if (field === 4 && wire === WireType.Bit64) return (point.value = reader.double()), true;
    if (field === 6 && wire === WireType.Bit64) return (point.value = Number(reader.sfixed64())), true;
    if (field === 8 && wire === WireType.Varint) return (point.flags = reader.uint32()), true;
    return false;
  });
  return point;
}

/**
 * HistogramDataPoint: attributes = 9, time_unix_nano = 3, count = 4, sum = 5,
 * bucket_counts = 6, explicit_bounds = 7, flags = 10, min = 11, max = 12.
 */
function readHistogramPoint(bytes: Uint8Array): OtlpHistogramPoint {
  const point: OtlpHistogramPoint = { ...base(), count: 0, sum: null, min: null, max: null, bucketCounts: [], explicitBounds: [] };
  eachField(bytes, (field, wire, reader) => {
    switch (field) {
      case 9:
        return wire === WireType.LengthDelimited && pushAttribute(point.attributes, reader.bytes());
      case 6:
        return readRepeated64(wire, reader, point.bucketCounts, (view, at) => Number(view.getBigUint64(at, true)));
      case 7:
        return readRepeated64(wire, reader, point.explicitBounds, (view, at) => view.getFloat64(at, true));
      case 10:
        return wire === WireType.Varint && ((point.flags = reader.uint32()), true);
      default:
        return readStats(field, wire, reader, point, 11, 12);
    }
  });
  return point;
}

/**
 * ExponentialHistogramDataPoint: attributes = 1, time_unix_nano = 3, count = 4, sum = 5,
 * flags = 10, min = 12, max = 13 (its scale, zero count and buckets are not kept).
 */
function readExponentialHistogramPoint(bytes: Uint8Array): OtlpSummaryStatsPoint {
  const point: OtlpSummaryStatsPoint = { ...base(), count: 0, sum: null, min: null, max: null };
  eachField(bytes, (field, wire, reader) => {
    if (field === 1) return wire === WireType.LengthDelimited && pushAttribute(point.attributes, reader.bytes());
    if (field === 10) return wire === WireType.Varint && ((point.flags = reader.uint32()), true);
    return readStats(field, wire, reader, point, 12, 13);
  });
  return point;
}

/** time_unix_nano = 3, count = 4, sum = 5, and min and max at the given numbers: shared by both histograms. */
function readStats(field: number, wire: WireType, reader: BinaryReader, point: OtlpSummaryStatsPoint, min: number, max: number): boolean {
  if (wire !== WireType.Bit64) return false;
  if (field === 3) point.timeUnixNano = BigInt(reader.fixed64());
  else if (field === 4) point.count = Number(reader.fixed64());
  else if (field === 5) point.sum = reader.double();
  else if (field === min) point.min = reader.double();
  else if (field === max) point.max = reader.double();
  else return false;
  return true;
}

/**
 * SummaryDataPoint: attributes = 7, time_unix_nano = 3, count = 4, sum = 5,
 * quantile_values = 6 (ValueAtQuantile: quantile = 1, value = 2), flags = 8.
 */
function readSummaryPoint(bytes: Uint8Array): OtlpSummaryPoint {
  const point: OtlpSummaryPoint = { ...base(), count: 0, sum: 0, quantiles: [] };
  eachField(bytes, (field, wire, reader) => {
    if (field === 7 && wire === WireType.LengthDelimited) return pushAttribute(point.attributes, reader.bytes());
    if (field === 6 && wire === WireType.LengthDelimited) {
      const quantile = { quantile: 0, value: 0 };
      eachField(reader.bytes(), (f, w, r) => {
        if (w !== WireType.Bit64 || (f !== 1 && f !== 2)) return false;
        if (f === 1) quantile.quantile = r.double();
        else quantile.value = r.double();
        return true;
      });
      point.quantiles.push(quantile);
      return true;
    }
    if (field === 8 && wire === WireType.Varint) return (point.flags = reader.uint32()), true;
    if (wire !== WireType.Bit64) return false;
    if (field === 3) point.timeUnixNano = BigInt(reader.fixed64());
    else if (field === 4) point.count = Number(reader.fixed64());
    else if (field === 5) point.sum = reader.double();
    else return false;
    return true;
  });
  return point;
}

/** A repeated 64-bit field (fixed64 or double), packed or one value per tag. */
function readRepeated64(wire: WireType, reader: BinaryReader, into: number[], read: (view: DataView, at: number) => number): boolean {
  if (wire === WireType.Bit64) {
    const bytes = reader.skip(WireType.Bit64);
    into.push(read(new DataView(bytes.buffer, bytes.byteOffset, 8), 0));
    return true;
  }
  if (wire !== WireType.LengthDelimited) return false;
  const packed = reader.bytes();
  if (packed.length % 8 !== 0) throw new OtlpDecodeError(`the body is not a protobuf ExportMetricsServiceRequest: a packed 64-bit field of ${packed.length} bytes`);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let at = 0; at < packed.length; at += 8) into.push(read(view, at));
  return true;
}

/** KeyValue: key = 1, value = 2 (AnyValue). Attributes without a value are left out. */
function pushAttribute(into: OtlpAttribute[], bytes: Uint8Array): true {
  let key = "";
  let value: AnyValue = null;
  eachField(bytes, (field, wire, reader) => {
    if (wire !== WireType.LengthDelimited) return false;
    if (field === 1) key = reader.string();
    else if (field === 2) value = readAnyValue(reader.bytes(), 1);
    else return false;
    return true;
  });
  if (value !== null) into.push({ key, value: anyValueText(value) });
  return true;
}

/**
 * AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4,
 * array_value = 5 (ArrayValue: values = 1), kvlist_value = 6 (KeyValueList: values = 1),
 * bytes_value = 7.
 */
function readAnyValue(bytes: Uint8Array, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new OtlpDecodeError(`an attribute value is nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  let value: AnyValue = null;
  eachField(bytes, (field, wire, reader) => {
    if (field === 2 && wire === WireType.Varint) return (value = reader.bool()), true;
    if (field === 3 && wire === WireType.Varint) return (value = BigInt(reader.int64())), true;
    if (field === 4 && wire === WireType.Bit64) return (value = reader.double()), true;
    if (wire !== WireType.LengthDelimited) return false;
    switch (field) {
      case 1:
        value = reader.string();
        return true;
      case 5: {
        const items: AnyValue[] = [];
        eachField(reader.bytes(), (f, w, r) => f === 1 && w === WireType.LengthDelimited && pushed(items, readAnyValue(r.bytes(), depth + 1)));
        value = items;
        return true;
      }
      case 6: {
        const entries: [string, AnyValue][] = [];
        eachField(reader.bytes(), (f, w, r) => {
          if (f !== 1 || w !== WireType.LengthDelimited) return false;
          let key = "";
          let item: AnyValue = null;
          eachField(r.bytes(), (kf, kw, kr) => {
            if (kw !== WireType.LengthDelimited) return false;
            if (kf === 1) key = kr.string();
            else if (kf === 2) item = readAnyValue(kr.bytes(), depth + 1);
            else return false;
            return true;
          });
          entries.push([key, item]);
          return true;
        });
        value = { kvlist: entries };
        return true;
      }
      case 7:
        value = { bytes: base64(reader.bytes()) };
        return true;
      default:
        return false;
    }
  });
  return value;
}

/**
 * An `ExportMetricsServiceResponse`: empty when everything was accepted, otherwise with
 * `partial_success` (1) { rejected_data_points (1, int64), error_message (2) }.
 */
export function encodeExportResponse(partial: { rejectedDataPoints: number; errorMessage: string } | null): Uint8Array<ArrayBuffer> {
  const writer = new BinaryWriter();
  if (partial) {
    writer.tag(1, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.Varint).int64(partial.rejectedDataPoints);
    if (partial.errorMessage) writer.tag(2, WireType.LengthDelimited).string(partial.errorMessage);
    writer.join();
  }
  return writer.finish();
}

/** A `google.rpc.Status`: code (1, int32), message (2). */
export function encodeStatus(code: number, message: string): Uint8Array<ArrayBuffer> {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.Varint).int32(code);
  writer.tag(2, WireType.LengthDelimited).string(message);
  return writer.finish();
}
