/**
 * An OTLP metrics request (either encoding, see `otlp-model.ts`) as Pulseboard's series.
 *
 * Names. A gauge's or a sum's point is one point of the series named as the metric. Sums
 * are stored as sent, whatever their temporality: a cumulative counter is a rising line (a
 * panel can derive rates later), a delta sum the change in each interval. A histogram point
 * becomes, like a Prometheus histogram, `<name>_count`, `<name>_sum`, `<name>_min` and
 * `<name>_max` (each when sent) and, when it has buckets, one `<name>_bucket` series per
 * bound with the tag `le` (the bound; `+Inf` for the last bucket) holding the cumulative
 * count of values at or below it. An exponential histogram keeps its count, sum, min and
 * max the same way (its buckets are not stored: their bounds move with its scale). A
 * summary becomes `<name>_count`, `<name>_sum` and one `<name>` series per quantile with
 * the tag `quantile`.
 *
 * Tags. The point's attributes first, all of them: they tell its series apart, so a point
 * with more than the per-point limit is rejected like any other. Then `le` or `quantile`.
 * Then, while there is room under the limit, the resource's attributes: first
 * {@link IDENTIFYING_RESOURCE_ATTRIBUTES}, then the others in the order sent, except
 * `telemetry.*` (the SDK's name, language and version: an upgrade would start every series
 * anew) and `process.*` (the process id and command line: a restart would). A resource
 * attribute that does not fit, or is not a valid tag, is left out; it never costs a point.
 * Keys become tag names by one rule: every character other than `A-Z a-z 0-9 _ . -` becomes
 * `_`, and a key that does not start with a letter or `_` gets a leading `_`; when two keys
 * become the same name, the first one wins. Attribute values are text (see `OtlpAttribute`).
 *
 * Times and values. A point is at its `time_unix_nano` (never its start time), divided
 * exactly to whole milliseconds; a point without one (0) is rejected, as the data model
 * asks. Values must be finite. A point flagged "no recorded value" holds nothing to store and
 * is skipped, neither stored nor rejected. Each data point is one item, numbered from 0 in
 * request order; the series points it makes are stored together or rejected together.
 */
import { rejection, type Rejection, type SeriesBatch } from "../dashboard/ingest-contract";
import { limits } from "../common/limits";
import type { Tags } from "../common/protocol";
import { seriesKey } from "../common/series-key";
import { FLAG_NO_RECORDED_VALUE, type OtlpAttribute, type OtlpData, type OtlpHistogramPoint, type OtlpRequest, type OtlpSummaryPoint } from "./otlp-model";
import { isValid, validatePoint, type ValidPoint } from "./point-schema";
import { SeriesBatchBuilder } from "./series-batch-builder";

/** Resource attributes that name what is measured, taken before any other resource attribute. */
export const IDENTIFYING_RESOURCE_ATTRIBUTES = ["service.name", "service.namespace", "service.instance.id", "host.name", "deployment.environment.name"];

/** Resource attributes never taken as tags: they describe the SDK and the process, and change with them. */
const NOT_TAGS = /^(?:telemetry|process)\./;

const NS_PER_MS = 1_000_000n;

/** A decoded request as series, ready for a dashboard. */
export interface OtlpSeriesBatch {
  /** Points that passed validation, by series. */
  series: SeriesBatch[];
  /** Data points refused, with reasons, by item (the data point's index). */
  rejected: Rejection[];
  /** Data points in the request. */
  total: number;
  /** Series points the accepted data points make. */
  points: number;
}

/** One series point a data point makes. */
interface Derived {
  name: string;
  /** What it is of the data point, for messages: `value`, `sum`, `quantile 0.5`... */
  part: string;
  value: number;
  /** `le` or `quantile`. */
  tag?: [string, string];
}

/**
 * The request's data points as series points (see the module comment), `now` for the
 * accepted time window.
 */
export function otlpSeriesPoints(request: OtlpRequest, now: number): OtlpSeriesBatch {
  const builder = new SeriesBatchBuilder();
  const rejected: Rejection[] = [];
  let item = 0;
  for (const { resource, metrics } of request.resourceMetrics) {
    const resourceTags = resourceTagList(resource);
    for (const { name, data } of metrics) {
      if (data === null) continue;
      for (const point of data.points) {
        const index = item++;
        if (point.flags & FLAG_NO_RECORDED_VALUE) continue;
        const refuse = (message: string, field?: string) => rejected.push(rejection("index", index, `${metricLabel(name)}: ${message}`, field));
        if (point.invalid !== undefined) {
          refuse(point.invalid);
          continue;
        }
        if (name === null) {
          refuse("the metric's name must be a string");
          continue;
        }
        if (point.timeUnixNano === 0n) {
          refuse("timeUnixNano is missing: a data point needs its time", "ts");
          continue;
        }
        const derived = derive(name, data.kind, point);
        if (typeof derived === "string") {
          refuse(derived);
          continue;
        }
        const ts = Number(point.timeUnixNano / NS_PER_MS);
        const pointTags = tagsOf(point.attributes);
        const extra = derived.find((d) => d.tag !== undefined)?.tag;
        // The same resource tags on every series of the point, so its count, sum and buckets stay together.
        const withResource = withResourceTags(pointTags, extra?.[0], resourceTags);
        const valid: ValidPoint[] = [];
        let refusal: Rejection | null = null;
        for (const d of derived) {
          if (!Number.isFinite(d.value)) {
            refusal = rejection("index", index, `the ${d.part} is ${d.value}; values must be finite`, "value");
            break;
          }
          const tags = d.tag ? { ...withResource, [d.tag[0]]: d.tag[1] } : withResource;
          const result = validatePoint({ name: d.name, value: d.value, ts, tags }, now, "index", index);
          if (!isValid(result)) {
            refusal = result;
            break;
          }
          valid.push(result);
        }
        if (refusal) {
          // The schema calls a point's time `ts`; here it is the data point's timeUnixNano.
          refuse(refusal.field === "ts" ? refusal.message.replace(/^ts\b/, "timeUnixNano") : refusal.message, refusal.field);
          continue;
        }
        for (const point of valid) builder.add(seriesKey(point.name, point.tags), point.name, point.tags, point.ts, point.value, index);
      }
    }
  }
  return { series: builder.build(), rejected, total: item, points: builder.count };
}

/** The metric's name for a message, cut short. */
function metricLabel(name: string | null): string {
  if (name === null) return "a metric";
  return `metric ${JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}...` : name)}`;
}

/** The series points a data point makes, or why it makes none. */
function derive(name: string, kind: OtlpData["kind"], point: OtlpData["points"][number]): Derived[] | string {
  switch (kind) {
    case "gauge":
    case "sum": {
      const { value } = point as { value: number | null };
      if (value === null) return "the data point has no value (asDouble or asInt)";
      return [{ name, part: "value", value }];
    }
    case "histogram":
    case "exponentialHistogram": {
      const { count, sum, min, max } = point as OtlpHistogramPoint;
      const derived: Derived[] = [{ name: `${name}_count`, part: "count", value: count }];
      if (sum !== null) derived.push({ name: `${name}_sum`, part: "sum", value: sum });
      if (min !== null) derived.push({ name: `${name}_min`, part: "min", value: min });
      if (max !== null) derived.push({ name: `${name}_max`, part: "max", value: max });
      if (kind === "exponentialHistogram") return derived;
      const buckets = histogramBuckets(name, point as OtlpHistogramPoint);
      return typeof buckets === "string" ? buckets : [...derived, ...buckets];
    }
    case "summary": {
      const { count, sum, quantiles } = point as OtlpSummaryPoint;
      const derived: Derived[] = [
        { name: `${name}_count`, part: "count", value: count },
        { name: `${name}_sum`, part: "sum", value: sum },
      ];
      for (const { quantile, value } of quantiles) {
        if (!(quantile >= 0 && quantile <= 1)) return `a quantile must be between 0 and 1, not ${quantile}`;
        derived.push({ name, part: `value at quantile ${quantile}`, value, tag: ["quantile", String(quantile)] });
      }
      return derived;
    }
  }
}

/** `<name>_bucket{le=...}` of a histogram point, cumulative, or why its buckets do not add up. */
function histogramBuckets(name: string, point: OtlpHistogramPoint): Derived[] | string {
  const { bucketCounts, explicitBounds } = point;
  if (bucketCounts.length === 0) return [];
  if (bucketCounts.length !== explicitBounds.length + 1) {
    return `${explicitBounds.length} explicitBounds need ${explicitBounds.length + 1} bucketCounts, not ${bucketCounts.length}`;
  }
  for (let i = 0; i < explicitBounds.length; i++) {
    if (!Number.isFinite(explicitBounds[i]) || (i > 0 && !(explicitBounds[i]! > explicitBounds[i - 1]!))) return "explicitBounds must be finite and strictly increasing";
  }
  const derived: Derived[] = [];
  let cumulative = 0;
  bucketCounts.forEach((count, i) => {
    cumulative += count;
    derived.push({ name: `${name}_bucket`, part: "bucket count", value: cumulative, tag: ["le", i < explicitBounds.length ? String(explicitBounds[i]) : "+Inf"] });
  });
  return derived;
}

/** An attribute key as a tag name (see the module comment); null for an empty key. */
export function tagName(key: string): string | null {
  if (key === "") return null;
  const name = key.replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** A point's attributes as tags; the first of two keys that make one name wins. */
function tagsOf(attributes: OtlpAttribute[]): Tags {
  // Built as a map: an attribute may be called `__proto__`, which an object would not keep.
  const tags = new Map<string, string>();
  for (const { key, value } of attributes) {
    const name = tagName(key);
    if (name !== null && !tags.has(name)) tags.set(name, value);
  }
  return Object.fromEntries(tags);
}

/** The resource's attributes that may become tags, in the order they are taken. */
function resourceTagList(attributes: OtlpAttribute[]): [string, string][] {
  const usable = new Map<string, string>();
  for (const { key, value } of attributes) {
    const name = tagName(key);
    if (name === null || NOT_TAGS.test(key) || usable.has(name)) continue;
    if (name.length > limits.maxTagKeyLength || value.length > limits.maxTagValueLength) continue;
    usable.set(name, value);
  }
  const first = IDENTIFYING_RESOURCE_ATTRIBUTES.filter((name) => usable.has(name));
  const rest = [...usable.keys()].filter((name) => !first.includes(name));
  return [...first, ...rest].map((name) => [name, usable.get(name)!]);
}

/** A point's tags with resource tags added while there is room (`extra`, a tag still to come, counted). */
function withResourceTags(pointTags: Tags, extra: string | undefined, resourceTags: [string, string][]): Tags {
  const tags = new Map(Object.entries(pointTags));
  let count = tags.size + (extra !== undefined && !tags.has(extra) ? 1 : 0);
  if (resourceTags.length === 0 || count >= limits.maxTags) return pointTags;
  for (const [name, value] of resourceTags) {
    if (count >= limits.maxTags) break;
    if (tags.has(name) || name === extra) continue;
    tags.set(name, value);
    count++;
  }
  return Object.fromEntries(tags);
}
