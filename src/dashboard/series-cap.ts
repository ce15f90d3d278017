import type { Point } from "./point";

/**
 * Splits points into those the dashboard's series cap admits and those it refuses. Points
 * of known series always pass; new series are admitted until `max` series exist.
 */
export function admitSeries(
  points: Point[],
  isKnown: (key: string) => boolean,
  known: number,
  max: number,
): { admitted: Point[]; rejected: { position: number; message: string }[] } {
  const admitted: Point[] = [];
  const rejected: { position: number; message: string }[] = [];
  const added = new Set<string>();
  points.forEach((point, position) => {
    if (isKnown(point.key) || added.has(point.key)) {
      admitted.push(point);
    } else if (known + added.size < max) {
      added.add(point.key);
      admitted.push(point);
    } else {
      rejected.push({ position, message: `the dashboard already has ${max} series, the most it may keep; "${point.key}" would be a new one` });
    }
  });
  return { admitted, rejected };
}
