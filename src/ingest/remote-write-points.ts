import { rejection } from "../dashboard/ingest-contract";
import { limits } from "../common/limits";
import type { Tags } from "../common/protocol";
import type { CandidateBatch } from "./candidate-batch";
import type { RemoteWriteSeries, WriteRequest } from "./remote-write";

/** Samples a remote write carried that no chart can show: left out, counted, and not an error. */
export interface SkippedSamples {
  /** Staleness markers: Prometheus's NaN saying a series ended. */
  stale: number;
  /** Other NaN values (summary quantiles with no observations, for one). */
  nan: number;
  /** +Inf and -Inf. */
  infinite: number;
  /** Native-histogram samples. */
  histograms: number;
}

/** The candidate points of a remote write, and what it carried besides. */
export interface RemoteWriteCandidates {
  /** Candidate points numbered by index: a sample's position among all the request's samples. */
  batch: CandidateBatch;
  /** Samples left out because they cannot be charted. */
  skipped: SkippedSamples;
  /** Samples in the request, skipped ones included (histogram samples are not numbered, but counted). */
  samples: number;
  /** `MetricMetadata` entries, which are ignored. */
  metadata: number;
}

const NAME_LABEL = "__name__";
const MAX_MS = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_MS = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * Points of a remote write: each sample of a series becomes a point named by its `__name__`
 * label, with the series' other labels as tags (a label with an empty value is no label, as
 * in Prometheus). Samples are numbered by their position in the request, series after
 * series. Staleness markers, other NaN, infinities and histogram samples are skipped and
 * counted; every sample of a series without a `__name__`, with a label twice or with more
 * labels than a point may have tags is refused with the reason. Whatever else a point
 * needs (valid names, the time window) is checked as for every format.
 */
export function remoteWriteCandidates(request: WriteRequest): RemoteWriteCandidates {
  const batch: CandidateBatch = { unit: "index", items: [], rejected: [] };
  const skipped: SkippedSamples = { stale: 0, nan: 0, infinite: 0, histograms: 0 };
  let index = 0;
  for (const series of request.timeseries) {
    skipped.histograms += series.histograms;
    const identity = seriesIdentity(series);
    for (const sample of series.samples) {
      const item = index++;
      if (sample.stale) skipped.stale++;
      else if (Number.isNaN(sample.value)) skipped.nan++;
      else if (!Number.isFinite(sample.value)) skipped.infinite++;
      else if ("problem" in identity) batch.rejected.push(rejection("index", item, identity.problem, identity.field));
      else batch.items.push({ item, candidate: { name: identity.name, value: sample.value, ts: milliseconds(sample.timestamp), tags: identity.tags } });
    }
  }
  return { batch, skipped, samples: index + skipped.histograms, metadata: request.metadata };
}

/** A series' name and tags (one tags object, shared by its points), or why it has none. */
function seriesIdentity(series: RemoteWriteSeries): { name: string; tags: Tags } | { problem: string; field?: string } {
  if (series.labelCount > series.labels.length) return { problem: tooManyLabels(series.labelCount), field: "tags" };
  let name: string | null = null;
  const seen = new Set<string>();
  const tags: [string, string][] = [];
  for (const label of series.labels) {
    if (seen.has(label.name)) return { problem: `the series has the label "${label.name}" twice`, field: "tags" };
    seen.add(label.name);
    if (label.name === NAME_LABEL) name = label.value;
    else if (label.value !== "") tags.push([label.name, label.value]);
  }
  if (name === null || name === "") return { problem: "the series has no __name__ label", field: "name" };
  if (tags.length > limits.maxTags) return { problem: tooManyLabels(series.labelCount), field: "tags" };
  return { name, tags: Object.fromEntries(tags) };
}

function tooManyLabels(count: number): string {
  return `the series has ${count} labels; at most ${limits.maxTags} besides __name__ can be kept as tags`;
}

/**
 * A timestamp as a number of milliseconds: exact within ±2^53 ms (±285,000 years); beyond,
 * pinned to the nearest safe integer, which the time window then refuses as it should.
 */
function milliseconds(timestamp: bigint): number {
  if (timestamp > MAX_MS) return Number.MAX_SAFE_INTEGER;
  if (timestamp < MIN_MS) return Number.MIN_SAFE_INTEGER;
  return Number(timestamp);
}
