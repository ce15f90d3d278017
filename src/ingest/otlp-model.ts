/**
 * An OTLP `ExportMetricsServiceRequest` (opentelemetry/proto/collector/metrics/v1), reduced to
 * what Pulseboard stores, as both decoders produce it: the protobuf one (`otlp-protobuf.ts`)
 * and the JSON one (`otlp-json.ts`). `otlp-points.ts` turns it into series points.
 *
 * Left out on purpose: scopes (their name, version and attributes; their metrics are kept),
 * schema URLs, descriptions, units (a panel carries its own), exemplars, start times (a point
 * is at its `time_unix_nano`), aggregation temporality and monotonicity (sums are stored as
 * sent), and an exponential histogram's buckets (see `otlp-points.ts`).
 */

/** The one error the OTLP decoders throw: the body is not an `ExportMetricsServiceRequest`. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    // The error describes input, not a fault of the code: a stack trace would say nothing.
    const engine = Error as unknown as { stackTraceLimit?: number };
    const limit = engine.stackTraceLimit;
    if (typeof limit === "number") engine.stackTraceLimit = 0;
    super(message);
    if (typeof limit === "number") engine.stackTraceLimit = limit;
    this.name = "OtlpDecodeError";
  }
}

/** Deepest nesting of attribute values (arrays and key-value lists) a decoder follows. */
export const MAX_ANY_VALUE_DEPTH = 16;

/** `FLAG_NO_RECORDED_VALUE` of `DataPointFlags`: a point that only says "no value here" (a staleness marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

/**
 * An attribute with its `AnyValue` as text: strings as they are, booleans `true`/`false`,
 * integers in decimal, doubles as JavaScript prints them (`0.25`, `1e-7`, `NaN`), bytes in
 * base64, arrays and key-value lists as JSON. An attribute with an empty `AnyValue` is left out.
 */
export interface OtlpAttribute {
  key: string;
  value: string;
}

export interface OtlpRequest {
  resourceMetrics: OtlpResourceMetrics[];
}

export interface OtlpResourceMetrics {
  /** The resource's attributes, in the order sent. */
  resource: OtlpAttribute[];
  /** The metrics of every scope of the resource, in the order sent. */
  metrics: OtlpMetric[];
}

export interface OtlpMetric {
  /** The metric's name; the JSON decoder gives null for a name that is not a string. */
  name: string | null;
  /** Its data, or null when it has none of the kinds below (a newer kind, or none at all). */
  data: OtlpData | null;
}

export type OtlpData =
  | { kind: "gauge"; points: OtlpNumberPoint[] }
  | { kind: "sum"; points: OtlpNumberPoint[] }
  | { kind: "histogram"; points: OtlpHistogramPoint[] }
  | { kind: "exponentialHistogram"; points: OtlpSummaryStatsPoint[] }
  | { kind: "summary"; points: OtlpSummaryPoint[] };

/** What every data point has. */
export interface OtlpPointBase {
  attributes: OtlpAttribute[];
  /** `time_unix_nano`; 0n when absent. */
  timeUnixNano: bigint;
  /** `flags` (`DataPointFlags`). */
  flags: number;
  /**
   * Set by the JSON decoder when a field of this point has the wrong type (the protobuf one
   * cannot tell, and a body it cannot read is refused whole): the point is rejected with this.
   */
  invalid?: string;
}

/** A gauge's or a sum's point. */
export interface OtlpNumberPoint extends OtlpPointBase {
  /** `as_double`, or `as_int` as a number (64-bit float: exact to 2^53); null when neither is set. */
  value: number | null;
}

/** A histogram's point (explicit bounds). */
export interface OtlpHistogramPoint extends OtlpSummaryStatsPoint {
  bucketCounts: number[];
  explicitBounds: number[];
}

/** Count, sum, min and max: all of an exponential histogram's point that is kept. */
export interface OtlpSummaryStatsPoint extends OtlpPointBase {
  count: number;
  /** Null when absent (the field is optional). */
  sum: number | null;
  min: number | null;
  max: number | null;
}

/** A summary's point. */
export interface OtlpSummaryPoint extends OtlpPointBase {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

/** Data points of every kind. */
export type OtlpPoint = OtlpNumberPoint | OtlpHistogramPoint | OtlpSummaryStatsPoint | OtlpSummaryPoint;

/**
 * An `AnyValue` as decoded: a string, a boolean, an integer (bigint), a double (number),
 * bytes (base64), an array, a key-value list, or null when none is set.
 */
export type AnyValue = string | boolean | bigint | number | { bytes: string } | AnyValue[] | { kvlist: [string, AnyValue][] } | null;

/** An attribute value as a tag value (see {@link OtlpAttribute}). */
export function anyValueText(value: Exclude<AnyValue, null>): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "bigint" || typeof value === "number") return String(value);
  if ("bytes" in value && typeof value.bytes === "string") return value.bytes;
  return jsonText(value);
}

/** JSON text of a value; integers keep every digit, and a NaN or infinite double becomes a string. */
function jsonText(value: AnyValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  if ("bytes" in value) return JSON.stringify(value.bytes);
  return `{${value.kvlist.map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(",")}}`;
}

/** Bytes in base64, as OTLP/JSON writes `bytes` fields. */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
