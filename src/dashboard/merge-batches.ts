import type { SeriesPoints } from "../common/protocol";
import type { PointRun } from "./stream-source";

/** Joins consecutive batches into one, keeping each series' points in sequence order. */
export function mergeBatches(batches: PointRun[]): PointRun {
  if (batches.length === 1) return batches[0]!;
  const merged = new Map<string, SeriesPoints>();
  for (const batch of batches) {
    for (const series of batch.series) {
      const entry = merged.get(series.key);
      if (!entry) {
        merged.set(series.key, { ...series, ts: [...series.ts], values: [...series.values] });
      } else {
        entry.ts.push(...series.ts);
        entry.values.push(...series.values);
      }
    }
  }
  return { from: batches[0]!.from, to: batches[batches.length - 1]!.to, series: [...merged.values()] };
}
