/**
 * OTLP metrics in JSON (the OTLP/JSON mapping of an `ExportMetricsServiceRequest`), decoded to
 * the part Pulseboard keeps (see `otlp-model.ts`).
 *
 * As the mapping asks of receivers: field names in lowerCamelCase (`timeUnixNano`) or as in
 * the proto (`time_unix_nano`); 64-bit integers as decimal strings or JSON numbers; doubles as
 * numbers or strings (`"NaN"`, `"Infinity"`, `"-Infinity"` too); bytes in base64; `null`
 * the same as absent; unknown fields ignored. A body whose containers are not what the
 * message says (no object at the top, `resourceMetrics` not an array, ...) cannot be read and
 * is refused whole with an {@link OtlpDecodeError}; a data point with a field of the wrong
 * type is kept as `invalid`, so that it alone is rejected.
 */
import {
  anyValueText,
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

type JsonObject = Record<string, unknown>;

/** Decodes an OTLP/JSON `ExportMetricsServiceRequest`; throws {@link OtlpDecodeError} and nothing else. */
export function decodeOtlpJson(text: string): OtlpRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`the body is not valid JSON: ${(err as Error).message}`);
  }
  try {
    const root = object(body, "the body");
    return { resourceMetrics: list(root, "resourceMetrics", "resource_metrics", "resourceMetrics").map((item, i) => readResourceMetrics(item, `resourceMetrics[${i}]`)) };
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw err;
    // Nothing else is expected; should anything slip through (a stack overflow), it is still the body's fault.
    throw new OtlpDecodeError(`the body is not an OTLP/JSON ExportMetricsServiceRequest: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A field by its lowerCamelCase or its proto name; null counts as absent. */
function field(from: JsonObject, camel: string, snake: string): unknown {
  const value = Object.hasOwn(from, camel) ? from[camel] : Object.hasOwn(from, snake) ? from[snake] : undefined;
  return value === null ? undefined : value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new OtlpDecodeError(`${where} must be a JSON object`);
  return value;
}

/** A repeated field: an array, or nothing. */
function list(from: JsonObject, camel: string, snake: string, where: string): unknown[] {
  const value = field(from, camel, snake);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${where} must be an array`);
  return value;
}

function readResourceMetrics(value: unknown, where: string): OtlpResourceMetrics {
  const item = object(value, where);
  const resourceValue = field(item, "resource", "resource");
  const resource = resourceValue === undefined ? [] : attributesOrThrow(object(resourceValue, `${where}.resource`), `${where}.resource`);
  const metrics: OtlpMetric[] = [];
  list(item, "scopeMetrics", "scope_metrics", `${where}.scopeMetrics`).forEach((scopeValue, s) => {
    const scope = object(scopeValue, `${where}.scopeMetrics[${s}]`);
    list(scope, "metrics", "metrics", `${where}.scopeMetrics[${s}].metrics`).forEach((metricValue, m) => {
      metrics.push(readMetric(metricValue, `${where}.scopeMetrics[${s}].metrics[${m}]`));
    });
  });
  return { resource, metrics };
}

function attributesOrThrow(from: JsonObject, where: string): OtlpAttribute[] {
  const attributes = readAttributes(from);
  if (typeof attributes === "string") throw new OtlpDecodeError(`${where}: ${attributes}`);
  return attributes;
}

/** The kinds of data a metric may have, by their field names. */
const KINDS: [OtlpData["kind"], string, string][] = [
  ["gauge", "gauge", "gauge"],
  ["sum", "sum", "sum"],
  ["histogram", "histogram", "histogram"],
  ["exponentialHistogram", "exponentialHistogram", "exponential_histogram"],
  ["summary", "summary", "summary"],
];

function readMetric(value: unknown, where: string): OtlpMetric {
  const metric = object(value, where);
  const name = field(metric, "name", "name");
  let data: OtlpData | null = null;
  for (const [kind, camel, snake] of KINDS) {
    const dataValue = field(metric, camel, snake);
    if (dataValue === undefined) continue;
    const points = list(object(dataValue, `${where}.${camel}`), "dataPoints", "data_points", `${where}.${camel}.dataPoints`);
    data = { kind, points: points.map((point) => readPoint(kind, point)) } as OtlpData;
  }
  return { name: typeof name === "string" ? name : null, data };
}

/** A data point of `kind`; one with a field of the wrong type comes back `invalid`. */
function readPoint(kind: OtlpData["kind"], value: unknown): OtlpData["points"][number] {
  const point = { attributes: [], timeUnixNano: 0n, flags: 0 } as OtlpPointBase & Record<string, unknown>;
  if (!isObject(value)) return { ...point, invalid: "a data point must be a JSON object" } as OtlpNumberPoint;
  try {
    const attributes = readAttributes(value);
    if (typeof attributes === "string") throw new PointError(attributes);
    point.attributes = attributes;
    point.timeUnixNano = unsigned64(value, "timeUnixNano", "time_unix_nano") ?? 0n;
    point.flags = flags(value);
    switch (kind) {
      case "gauge":
      case "sum": {
        const asDouble = double(value, "asDouble", "as_double");
        const asInt = signed64(value, "asInt", "as_int");
        // A oneof: were both sent, the later field would win in protobuf; JSON has no order, so as_int does.
        return { ...point, value: asInt !== undefined ? Number(asInt) : (asDouble ?? null) } satisfies OtlpNumberPoint;
      }
      case "histogram": {
        const bucketCounts = numbers(value, "bucketCounts", "bucket_counts", (item) => unsignedValue(item, "bucketCounts"));
        const explicitBounds = numbers(value, "explicitBounds", "explicit_bounds", (item) => doubleValue(item, "explicitBounds"));
        return { ...stats(value, point), bucketCounts: bucketCounts.map(Number), explicitBounds } satisfies OtlpHistogramPoint;
      }
      case "exponentialHistogram":
        return stats(value, point);
      case "summary": {
        const quantiles = list(value, "quantileValues", "quantile_values", "quantileValues").map((item) => {
          if (!isObject(item)) throw new PointError("quantileValues must hold objects");
          return { quantile: double(item, "quantile", "quantile") ?? 0, value: double(item, "value", "value") ?? 0 };
        });
        return { ...point, count: Number(unsigned64(value, "count", "count") ?? 0n), sum: double(value, "sum", "sum") ?? 0, quantiles } satisfies OtlpSummaryPoint;
      }
    }
  } catch (err) {
    // A container inside the point (`quantileValues`, `bucketCounts`) that is not an array.
    if (err instanceof PointError || err instanceof OtlpDecodeError) return { ...point, invalid: err.message } as OtlpNumberPoint;
    throw err;
  }
}

/** What is wrong with one data point: caught by `readPoint`, which marks the point invalid. */
class PointError extends Error {}

function stats(value: JsonObject, point: OtlpPointBase): OtlpSummaryStatsPoint {
  return {
    ...point,
    count: Number(unsigned64(value, "count", "count") ?? 0n),
    sum: double(value, "sum", "sum") ?? null,
    min: double(value, "min", "min") ?? null,
    max: double(value, "max", "max") ?? null,
  };
}

function numbers<T>(from: JsonObject, camel: string, snake: string, read: (item: unknown) => T): T[] {
  return list(from, camel, snake, camel).map(read);
}

const UNSIGNED = /^\d+$/;
const SIGNED = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function unsigned64(from: JsonObject, camel: string, snake: string): bigint | undefined {
  const value = field(from, camel, snake);
  return value === undefined ? undefined : unsignedValue(value, camel);
}

/** A uint64/fixed64: a whole JSON number or a decimal string, 0 to 2^64 - 1. */
function unsignedValue(value: unknown, name: string): bigint {
  const int = integer(value);
  if (int === null || int < 0n || int > UINT64_MAX) throw new PointError(`${name} must be an unsigned 64-bit integer (a number or a decimal string)`);
  return int;
}

function signed64(from: JsonObject, camel: string, snake: string): bigint | undefined {
  const value = field(from, camel, snake);
  if (value === undefined) return undefined;
  const int = integer(value);
  if (int === null || int < INT64_MIN || int > INT64_MAX) throw new PointError(`${camel} must be a 64-bit integer (a number or a decimal string)`);
  return int;
}

/** A whole number from a JSON number or a decimal string, exactly; null for anything else. */
function integer(value: unknown): bigint | null {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : null;
  if (typeof value === "string" && SIGNED.test(value) && value.length <= 40) return BigInt(value);
  return null;
}

function double(from: JsonObject, camel: string, snake: string): number | undefined {
  const value = field(from, camel, snake);
  return value === undefined ? undefined : doubleValue(value, camel);
}

/** A double: a JSON number, or a string holding a number, `NaN`, `Infinity` or `-Infinity`. */
function doubleValue(value: unknown, name: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (value === "NaN") return NaN;
    if (value === "Infinity") return Infinity;
    if (value === "-Infinity") return -Infinity;
    if (DECIMAL.test(value)) return Number(value);
  }
  throw new PointError(`${name} must be a number`);
}

/** `flags`, a uint32. */
function flags(from: JsonObject): number {
  const value = field(from, "flags", "flags");
  if (value === undefined) return 0;
  const int = integer(value);
  if (int === null || int < 0n || int > 0xffff_ffffn) throw new PointError("flags must be an unsigned 32-bit integer");
  return Number(int);
}

/** The `attributes` of a resource or a point; a message when they cannot be read. */
function readAttributes(from: JsonObject): OtlpAttribute[] | string {
  const value = field(from, "attributes", "attributes");
  if (value === undefined) return [];
  if (!Array.isArray(value)) return "attributes must be an array";
  const attributes: OtlpAttribute[] = [];
  for (const item of value) {
    const entry = keyValue(item, 1);
    if (typeof entry === "string") return entry;
    if (entry[1] !== null) attributes.push({ key: entry[0], value: anyValueText(entry[1]) });
  }
  return attributes;
}

/** A KeyValue `{key, value}`; a message when it is not one. */
function keyValue(item: unknown, depth: number): [string, AnyValue] | string {
  if (!isObject(item)) return "attributes must be objects {key, value}";
  const key = field(item, "key", "key") ?? "";
  if (typeof key !== "string") return "an attribute's key must be a string";
  const value = field(item, "value", "value");
  if (value === undefined) return [key, null];
  const parsed = anyValue(value, depth);
  return typeof parsed === "object" && parsed !== null && "error" in parsed ? parsed.error : [key, parsed];
}

/** An AnyValue object; `{error}` when it is not one. */
function anyValue(value: unknown, depth: number): AnyValue | { error: string } {
  if (depth > MAX_ANY_VALUE_DEPTH) return { error: `an attribute value is nested deeper than ${MAX_ANY_VALUE_DEPTH} levels` };
  if (!isObject(value)) return { error: "an attribute's value must be an AnyValue object, such as {\"stringValue\": \"x\"}" };
  const string = field(value, "stringValue", "string_value");
  if (string !== undefined) return typeof string === "string" ? string : { error: "stringValue must be a string" };
  const bool = field(value, "boolValue", "bool_value");
  if (bool !== undefined) return typeof bool === "boolean" ? bool : { error: "boolValue must be true or false" };
  const int = field(value, "intValue", "int_value");
  if (int !== undefined) {
    const parsed = integer(int);
    return parsed !== null && parsed >= INT64_MIN && parsed <= INT64_MAX ? parsed : { error: "intValue must be a 64-bit integer" };
  }
  const dbl = field(value, "doubleValue", "double_value");
  if (dbl !== undefined) {
    try {
      return doubleValue(dbl, "doubleValue");
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
  const bytes = field(value, "bytesValue", "bytes_value");
  if (bytes !== undefined) return typeof bytes === "string" ? { bytes } : { error: "bytesValue must be a base64 string" };
  const array = field(value, "arrayValue", "array_value");
  if (array !== undefined) {
    if (!isObject(array)) return { error: "arrayValue must be an object {values: [...]}" };
    const values = field(array, "values", "values") ?? [];
    if (!Array.isArray(values)) return { error: "arrayValue.values must be an array" };
    const items: AnyValue[] = [];
    for (const item of values) {
      const parsed = anyValue(item, depth + 1);
      if (typeof parsed === "object" && parsed !== null && "error" in parsed) return parsed;
      items.push(parsed);
    }
    return items;
  }
  const kvlist = field(value, "kvlistValue", "kvlist_value");
  if (kvlist !== undefined) {
    if (!isObject(kvlist)) return { error: "kvlistValue must be an object {values: [...]}" };
    const values = field(kvlist, "values", "values") ?? [];
    if (!Array.isArray(values)) return { error: "kvlistValue.values must be an array" };
    const entries: [string, AnyValue][] = [];
    for (const item of values) {
      const entry = keyValue(item, depth + 1);
      if (typeof entry === "string") return { error: entry };
      entries.push(entry);
    }
    return { kvlist: entries };
  }
  return null;
}
