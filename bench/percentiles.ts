/** Nearest-rank percentiles of a sample (milliseconds or any unit). */
export function percentiles(sample: number[]): { p50: number; p95: number; p99: number; max: number; count: number } {
  const sorted = [...sample].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? NaN, count: sorted.length };
}
