import { rejection, type ItemUnit, type Rejection, type SeriesBatch } from "./ingest-contract";

/**
 * Splits a request's series into those the dashboard's series cap admits and those it
 * refuses (every point of a refused series is named). Known series always pass; new series
 * are admitted until `max` series exist.
 */
export function admitSeries(
  series: SeriesBatch[],
  unit: ItemUnit,
  isKnown: (key: string) => boolean,
  known: number,
  max: number,
): { admitted: SeriesBatch[]; rejected: Rejection[] } {
  const admitted: SeriesBatch[] = [];
  const rejected: Rejection[] = [];
  let added = 0;
  for (const batch of series) {
    if (isKnown(batch.key)) {
      admitted.push(batch);
    } else if (known + added < max) {
      added++;
      admitted.push(batch);
    } else {
      const message = `the dashboard already has ${max} series, the most it may keep; "${batch.key}" would be a new one`;
      for (const item of batch.items) rejected.push(rejection(unit, item, message));
    }
  }
  return { admitted, rejected };
}
