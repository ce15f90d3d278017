/**
 * Latencies in fixed 0.1 ms buckets: millions of samples (one per point per viewer) cost one
 * increment each and no sorting. Percentiles are nearest-rank, like bench/percentiles.ts, and
 * read as the bucket's upper edge, so they are at most 0.1 ms high; the maximum is exact.
 */
const BUCKET_MS = 0.1;
/** Samples beyond this share the last bucket (the maximum still records them). */
const RANGE_MS = 120_000;

export class LatencyHistogram {
  private readonly buckets = new Uint32Array(Math.ceil(RANGE_MS / BUCKET_MS) + 1);
  count = 0;
  max = -Infinity;

  add(ms: number): void {
    const index = Math.min(this.buckets.length - 1, Math.max(0, Math.floor(ms / BUCKET_MS)));
    this.buckets[index]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** p50, p95, p99 and the maximum, in milliseconds (NaN without samples). */
  summary(): { p50: number; p95: number; p99: number; max: number; count: number } {
    return { p50: this.quantile(0.5), p95: this.quantile(0.95), p99: this.quantile(0.99), max: this.count ? this.max : NaN, count: this.count };
  }

  private quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min((i + 1) * BUCKET_MS, this.max);
    }
    return this.max;
  }
}
