import { rejection, type ItemUnit, type Point, type Rejection } from "./point";

/**
 * Splits points into those the dashboard's series cap admits and those it refuses. Points
 * of known series always pass; new series are admitted until `max` series exist.
 */
export function admitSeries(
  points: Point[],
  unit: ItemUnit,
  isKnown: (key: string) => boolean,
  known: number,
  max: number,
): { admitted: Point[]; rejected: Rejection[] } {
  const admitted: Point[] = [];
  const rejected: Rejection[] = [];
  const added = new Set<string>();
  for (const point of points) {
    if (isKnown(point.key) || added.has(point.key)) {
      admitted.push(point);
    } else if (known + added.size < max) {
      added.add(point.key);
      admitted.push(point);
    } else {
      rejected.push(rejection(unit, point.item, `the dashboard already has ${max} series, the most it may keep; "${point.key}" would be a new one`));
    }
  }
  return { admitted, rejected };
}
