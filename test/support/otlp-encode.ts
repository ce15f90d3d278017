/**
 * Test-only OTLP metrics encoders: an `ExportMetricsServiceRequest` written as protobuf (with
 * `@bufbuild/protobuf`'s writer, field numbers from opentelemetry-proto) and as OTLP/JSON, in
 * the spellings a receiver must accept (lowerCamelCase or snake_case names, 64-bit integers as
 * strings or numbers). The decoders are checked against these, and these against the real SDK
 * exporters in the end-to-end suite.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

export type AnyValueInput =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: bigint }
  | { doubleValue: number }
  | { bytesValue: Uint8Array }
  | { arrayValue: AnyValueInput[] }
  | { kvlistValue: KeyValueInput[] }
  | Record<string, never>;

export interface KeyValueInput {
  key: string;
  value?: AnyValueInput;
}

export interface PointInput {
  attributes?: KeyValueInput[];
  startTimeUnixNano?: bigint;
  timeUnixNano?: bigint;
  flags?: number;
  /** An exemplar to carry (receivers skip it). */
  exemplar?: boolean;
}

export interface NumberPointInput extends PointInput {
  asDouble?: number;
  asInt?: bigint;
}

export interface HistogramPointInput extends PointInput {
  count: bigint;
  sum?: number;
  bucketCounts?: bigint[];
  explicitBounds?: number[];
  min?: number;
  max?: number;
}

export interface ExponentialHistogramPointInput extends PointInput {
  count: bigint;
  sum?: number;
  scale?: number;
  zeroCount?: bigint;
  positive?: { offset: number; bucketCounts: bigint[] };
  min?: number;
  max?: number;
}

export interface SummaryPointInput extends PointInput {
  count: bigint;
  sum: number;
  quantileValues?: { quantile: number; value: number }[];
}

export type MetricInput = { name: string; description?: string; unit?: string } & (
  | { gauge: { dataPoints: NumberPointInput[] } }
  | { sum: { dataPoints: NumberPointInput[]; aggregationTemporality?: number; isMonotonic?: boolean } }
  | { histogram: { dataPoints: HistogramPointInput[]; aggregationTemporality?: number } }
  | { exponentialHistogram: { dataPoints: ExponentialHistogramPointInput[]; aggregationTemporality?: number } }
  | { summary: { dataPoints: SummaryPointInput[] } }
  | Record<never, never>
);

export interface RequestInput {
  resourceMetrics: {
    resource?: { attributes: KeyValueInput[] };
    scopeMetrics: { scope?: { name: string; version?: string }; metrics: MetricInput[] }[];
  }[];
}

export interface ProtobufOptions {
  /** Repeated numbers one per tag instead of packed. */
  unpacked?: boolean;
  /** Fields no receiver knows, in every message, of every wire type. */
  unknownFields?: boolean;
}

/** The request as protobuf bytes. */
export function otlpProtobuf(request: RequestInput, options: ProtobufOptions = {}): Uint8Array {
  const w = new BinaryWriter();
  const unknown = () => {
    if (!options.unknownFields) return;
    w.tag(1000, WireType.Varint).uint64(123456789012345n);
    w.tag(1001, WireType.LengthDelimited).string("ignored");
    w.tag(1002, WireType.Bit32).fixed32(7);
    w.tag(1003, WireType.Bit64).double(1.5);
  };
  const message = (field: number, body: () => void) => {
    w.tag(field, WireType.LengthDelimited).fork();
    body();
    unknown();
    w.join();
  };
  const anyValue = (value: AnyValueInput) => {
    if ("stringValue" in value) w.tag(1, WireType.LengthDelimited).string(value.stringValue);
    else if ("boolValue" in value) w.tag(2, WireType.Varint).bool(value.boolValue);
    else if ("intValue" in value) w.tag(3, WireType.Varint).int64(value.intValue);
    else if ("doubleValue" in value) w.tag(4, WireType.Bit64).double(value.doubleValue);
    else if ("arrayValue" in value) message(5, () => value.arrayValue.forEach((item) => message(1, () => anyValue(item))));
    else if ("kvlistValue" in value) message(6, () => value.kvlistValue.forEach((kv) => message(1, () => keyValue(kv))));
    else if ("bytesValue" in value) w.tag(7, WireType.LengthDelimited).bytes(value.bytesValue);
  };
  const keyValue = (kv: KeyValueInput) => {
    w.tag(1, WireType.LengthDelimited).string(kv.key);
    if (kv.value) message(2, () => anyValue(kv.value!));
  };
  const attributes = (field: number, list: KeyValueInput[] | undefined) => list?.forEach((kv) => message(field, () => keyValue(kv)));
  const times = (point: PointInput) => {
    if (point.startTimeUnixNano !== undefined) w.tag(2, WireType.Bit64).fixed64(point.startTimeUnixNano);
    if (point.timeUnixNano !== undefined) w.tag(3, WireType.Bit64).fixed64(point.timeUnixNano);
  };
  const exemplar = (field: number, point: PointInput) => {
    if (!point.exemplar) return;
    message(field, () => {
      attributes(7, [{ key: "trace", value: { stringValue: "x" } }]);
      w.tag(2, WireType.Bit64).fixed64(1n);
      w.tag(3, WireType.Bit64).double(99);
      w.tag(4, WireType.LengthDelimited).bytes(new Uint8Array(8));
      w.tag(5, WireType.LengthDelimited).bytes(new Uint8Array(16));
    });
  };
  const repeated64 = (field: number, values: (bigint | number)[] | undefined, write: (value: never) => void) => {
    if (!values || values.length === 0) return;
    if (options.unpacked) {
      for (const value of values) {
        w.tag(field, WireType.Bit64);
        write(value as never);
      }
      return;
    }
    w.tag(field, WireType.LengthDelimited).fork();
    for (const value of values) write(value as never);
    w.join();
  };
  const numberPoint = (point: NumberPointInput) => {
    attributes(7, point.attributes);
    times(point);
    if (point.asDouble !== undefined) w.tag(4, WireType.Bit64).double(point.asDouble);
    if (point.asInt !== undefined) w.tag(6, WireType.Bit64).sfixed64(point.asInt);
    exemplar(5, point);
    if (point.flags !== undefined) w.tag(8, WireType.Varint).uint32(point.flags);
  };
  const histogramPoint = (point: HistogramPointInput) => {
    attributes(9, point.attributes);
    times(point);
    w.tag(4, WireType.Bit64).fixed64(point.count);
    if (point.sum !== undefined) w.tag(5, WireType.Bit64).double(point.sum);
    repeated64(6, point.bucketCounts, (value: bigint) => w.fixed64(value));
    repeated64(7, point.explicitBounds, (value: number) => w.double(value));
    exemplar(8, point);
    if (point.flags !== undefined) w.tag(10, WireType.Varint).uint32(point.flags);
    if (point.min !== undefined) w.tag(11, WireType.Bit64).double(point.min);
    if (point.max !== undefined) w.tag(12, WireType.Bit64).double(point.max);
  };
  const exponentialPoint = (point: ExponentialHistogramPointInput) => {
    attributes(1, point.attributes);
    times(point);
    w.tag(4, WireType.Bit64).fixed64(point.count);
    if (point.sum !== undefined) w.tag(5, WireType.Bit64).double(point.sum);
    if (point.scale !== undefined) w.tag(6, WireType.Varint).sint32(point.scale);
    if (point.zeroCount !== undefined) w.tag(7, WireType.Bit64).fixed64(point.zeroCount);
    if (point.positive) {
      const { offset, bucketCounts } = point.positive;
      message(8, () => {
        w.tag(1, WireType.Varint).sint32(offset);
        w.tag(2, WireType.LengthDelimited).fork();
        for (const count of bucketCounts) w.uint64(count);
        w.join();
      });
    }
    if (point.flags !== undefined) w.tag(10, WireType.Varint).uint32(point.flags);
    exemplar(11, point);
    if (point.min !== undefined) w.tag(12, WireType.Bit64).double(point.min);
    if (point.max !== undefined) w.tag(13, WireType.Bit64).double(point.max);
  };
  const summaryPoint = (point: SummaryPointInput) => {
    attributes(7, point.attributes);
    times(point);
    w.tag(4, WireType.Bit64).fixed64(point.count);
    w.tag(5, WireType.Bit64).double(point.sum);
    point.quantileValues?.forEach(({ quantile, value }) =>
      message(6, () => {
        w.tag(1, WireType.Bit64).double(quantile);
        w.tag(2, WireType.Bit64).double(value);
      }),
    );
    if (point.flags !== undefined) w.tag(8, WireType.Varint).uint32(point.flags);
  };
  const metric = (m: MetricInput) => {
    w.tag(1, WireType.LengthDelimited).string(m.name);
    if (m.description) w.tag(2, WireType.LengthDelimited).string(m.description);
    if (m.unit) w.tag(3, WireType.LengthDelimited).string(m.unit);
    if ("gauge" in m) message(5, () => m.gauge.dataPoints.forEach((p) => message(1, () => numberPoint(p))));
    if ("sum" in m) {
      message(7, () => {
        m.sum.dataPoints.forEach((p) => message(1, () => numberPoint(p)));
        if (m.sum.aggregationTemporality !== undefined) w.tag(2, WireType.Varint).int32(m.sum.aggregationTemporality);
        if (m.sum.isMonotonic !== undefined) w.tag(3, WireType.Varint).bool(m.sum.isMonotonic);
      });
    }
    if ("histogram" in m) {
      message(9, () => {
        m.histogram.dataPoints.forEach((p) => message(1, () => histogramPoint(p)));
        if (m.histogram.aggregationTemporality !== undefined) w.tag(2, WireType.Varint).int32(m.histogram.aggregationTemporality);
      });
    }
    if ("exponentialHistogram" in m) message(10, () => m.exponentialHistogram.dataPoints.forEach((p) => message(1, () => exponentialPoint(p))));
    if ("summary" in m) message(11, () => m.summary.dataPoints.forEach((p) => message(1, () => summaryPoint(p))));
  };
  for (const rm of request.resourceMetrics) {
    message(1, () => {
      if (rm.resource) message(1, () => attributes(1, rm.resource!.attributes));
      for (const sm of rm.scopeMetrics) {
        message(2, () => {
          if (sm.scope) {
            message(1, () => {
              w.tag(1, WireType.LengthDelimited).string(sm.scope!.name);
              if (sm.scope!.version) w.tag(2, WireType.LengthDelimited).string(sm.scope!.version);
            });
          }
          sm.metrics.forEach((m) => message(2, () => metric(m)));
        });
      }
    });
  }
  unknown();
  return w.finish();
}

export interface JsonOptions {
  /** Field names as in the proto (`time_unix_nano`) instead of lowerCamelCase. */
  snakeCase?: boolean;
  /** 64-bit integers as JSON numbers (exact only to 2^53) instead of decimal strings. */
  int64AsNumber?: boolean;
  /** Fields no receiver knows, in every object. */
  unknownFields?: boolean;
}

/** The request as an OTLP/JSON object (`JSON.stringify` it to send). */
export function otlpJson(request: RequestInput, options: JsonOptions = {}): unknown {
  const int64 = (value: bigint) => (options.int64AsNumber ? Number(value) : value.toString());
  const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  // A double that JSON cannot carry as a number goes as the string protobuf's JSON mapping uses.
  const double = (value: number) => (Number.isFinite(value) ? value : String(value));
  /** Renames the keys of a plain object (not its values) to snake_case when asked. */
  const obj = (fields: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      out[options.snakeCase ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key] = value;
    }
    if (options.unknownFields) out.someFutureField = { nested: [1, "two"] };
    return out;
  };
  const anyValue = (value: AnyValueInput): unknown => {
    if ("stringValue" in value) return obj({ stringValue: value.stringValue });
    if ("boolValue" in value) return obj({ boolValue: value.boolValue });
    if ("intValue" in value) return obj({ intValue: int64(value.intValue) });
    if ("doubleValue" in value) return obj({ doubleValue: double(value.doubleValue) });
    if ("bytesValue" in value) return obj({ bytesValue: base64(value.bytesValue) });
    if ("arrayValue" in value) return obj({ arrayValue: obj({ values: value.arrayValue.map(anyValue) }) });
    if ("kvlistValue" in value) return obj({ kvlistValue: obj({ values: value.kvlistValue.map(keyValue) }) });
    return obj({});
  };
  const keyValue = (kv: KeyValueInput) => obj({ key: kv.key, value: kv.value === undefined ? undefined : anyValue(kv.value) });
  const attributes = (list: KeyValueInput[] | undefined) => list?.map(keyValue);
  const base = (point: PointInput) => ({
    attributes: attributes(point.attributes),
    startTimeUnixNano: point.startTimeUnixNano === undefined ? undefined : int64(point.startTimeUnixNano),
    timeUnixNano: point.timeUnixNano === undefined ? undefined : int64(point.timeUnixNano),
    flags: point.flags,
    exemplars: point.exemplar ? [obj({ timeUnixNano: "1", asDouble: 99, spanId: "AAAAAAAAAAA=", traceId: "AAAAAAAAAAAAAAAAAAAAAA==" })] : undefined,
  });
  const metric = (m: MetricInput) => {
    const fields: Record<string, unknown> = { name: m.name, description: m.description, unit: m.unit };
    if ("gauge" in m) {
      fields.gauge = obj({ dataPoints: m.gauge.dataPoints.map((p) => obj({ ...base(p), asDouble: p.asDouble === undefined ? undefined : double(p.asDouble), asInt: p.asInt === undefined ? undefined : int64(p.asInt) })) });
    }
    if ("sum" in m) {
      fields.sum = obj({
        dataPoints: m.sum.dataPoints.map((p) => obj({ ...base(p), asDouble: p.asDouble === undefined ? undefined : double(p.asDouble), asInt: p.asInt === undefined ? undefined : int64(p.asInt) })),
        aggregationTemporality: m.sum.aggregationTemporality,
        isMonotonic: m.sum.isMonotonic,
      });
    }
    if ("histogram" in m) {
      fields.histogram = obj({
        dataPoints: m.histogram.dataPoints.map((p) =>
          obj({
            ...base(p),
            count: int64(p.count),
            sum: p.sum === undefined ? undefined : double(p.sum),
            bucketCounts: p.bucketCounts?.map(int64),
            explicitBounds: p.explicitBounds?.map(double),
            min: p.min === undefined ? undefined : double(p.min),
            max: p.max === undefined ? undefined : double(p.max),
          }),
        ),
        aggregationTemporality: m.histogram.aggregationTemporality,
      });
    }
    if ("exponentialHistogram" in m) {
      fields.exponentialHistogram = obj({
        dataPoints: m.exponentialHistogram.dataPoints.map((p) =>
          obj({
            ...base(p),
            count: int64(p.count),
            sum: p.sum === undefined ? undefined : double(p.sum),
            scale: p.scale,
            zeroCount: p.zeroCount === undefined ? undefined : int64(p.zeroCount),
            positive: p.positive ? obj({ offset: p.positive.offset, bucketCounts: p.positive.bucketCounts.map(int64) }) : undefined,
            min: p.min === undefined ? undefined : double(p.min),
            max: p.max === undefined ? undefined : double(p.max),
          }),
        ),
      });
    }
    if ("summary" in m) {
      fields.summary = obj({
        dataPoints: m.summary.dataPoints.map((p) =>
          obj({ ...base(p), count: int64(p.count), sum: double(p.sum), quantileValues: p.quantileValues?.map((q) => obj({ quantile: double(q.quantile), value: double(q.value) })) }),
        ),
      });
    }
    return obj(fields);
  };
  return obj({
    resourceMetrics: request.resourceMetrics.map((rm) =>
      obj({
        resource: rm.resource ? obj({ attributes: attributes(rm.resource.attributes) }) : undefined,
        scopeMetrics: rm.scopeMetrics.map((sm) => obj({ scope: sm.scope ? obj({ ...sm.scope }) : undefined, metrics: sm.metrics.map(metric) })),
      }),
    ),
  });
}
