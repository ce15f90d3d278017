/**
 * Several series on one shared x axis, as uPlot wants them: `[xs, ys1, ys2, ...]` where `xs`
 * is the union of every series' times and a series without a point at some time has `null`
 * there (uPlot leaves a gap, or joins across it with `spanGaps`).
 */
import type uPlot from "uplot";

/** The columnar form of what a series holds: ascending times and their values. */
interface Column {
  /** Times in milliseconds, ascending (as the series store keeps them). */
  ts: readonly number[];
  /** `values[i]` belongs to `ts[i]`. */
  values: readonly number[];
}

/** Aligns `columns` on the union of their times; equal times share one x. */
export function alignColumns(columns: readonly Column[]): uPlot.AlignedData {
  const xs: number[] = [];
  const ys: (number | null)[][] = columns.map(() => []);
  const at = columns.map(() => 0);
  // A k-way merge: every input is sorted, so each step takes the smallest next time.
  for (;;) {
    let next = Infinity;
    for (let c = 0; c < columns.length; c++) {
      const t = columns[c]!.ts[at[c]!];
      if (t !== undefined && t < next) next = t;
    }
    if (next === Infinity) break;
    xs.push(next);
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      let i = at[c]!;
      if (column.ts[i] === next) {
        // Several points at one time: the last one stands, as on a single-series chart's end.
        while (column.ts[i + 1] === next) i++;
        ys[c]!.push(column.values[i]!);
        at[c] = i + 1;
      } else {
        ys[c]!.push(null);
      }
    }
  }
  return [xs, ...ys];
}
