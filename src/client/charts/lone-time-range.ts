/**
 * A chart's x range: the data's own, except that a single time gets 30 s either side so it
 * sits in the middle (uPlot would put it at the left edge of a range it extends to the right).
 */
import type uPlot from "uplot";

export function centreLoneTime(chart: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const ts = chart.data[0];
  const first = ts[0];
  if (first === undefined || first !== ts[ts.length - 1]) return [min, max];
  return [first - 30_000, first + 30_000];
}
