/**
 * Combining series whose points fall at different times: time is cut into steps of `STEP_MS`
 * (aligned on the epoch), and a step's value is the aggregate of every series' last point at
 * or before the step's end, provided that point is at most `STALE_MS` older than that end
 * (a series that stopped reporting drops out then, like Prometheus' lookback). A series with no
 * point inside a step thus still counts with the value it last had, so a sum does not dip
 * whenever one sender is a little late. A step is written at its start time, and only steps
 * holding at least one point are written: the output has at most as many points as its inputs.
 *
 * The newest step is written as soon as any of its points arrives and is rewritten as the rest
 * do: the live end of an aggregated chart settles within a step.
 */
import type { Column } from "../dashboard/time-window.ts";
import { firstAtOrAfter } from "../sorted-times.ts";

/** The functions a panel may aggregate with. */
export type AggregateName = "sum" | "avg" | "min" | "max";

/** Width of an aggregation step. */
export const STEP_MS = 1000;
/** How long a series' last value keeps counting after its point (Prometheus' default lookback). */
export const STALE_MS = 5 * 60_000;

/** The start of the step holding time `t`. */
export function stepStart(t: number, step = STEP_MS): number {
  return Math.floor(t / step) * step;
}

/** `values` combined by `fn`; none gives `undefined`. */
export function aggregateValues(fn: AggregateName, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (fn) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
  }
}


/**
 * Appends to `into` the aggregate of `columns` for every step starting at or after `from`
 * (a step start; `-Infinity` for all). Points before `from` still count as last values.
 */
export function appendAggregates(columns: readonly Column[], fn: AggregateName, from: number, into: Column, step = STEP_MS, stale = STALE_MS): Column {
  const at = columns.map((column) => firstAtOrAfter(column.ts, from));
  // Each series' last point so far: its time and value (NaN time: none yet).
  const lastT = columns.map((column, c) => (at[c]! > 0 ? column.ts[at[c]! - 1]! : Number.NaN));
  const lastV = columns.map((column, c) => (at[c]! > 0 ? column.values[at[c]! - 1]! : Number.NaN));
  const values: number[] = [];
  for (;;) {
    let next = Infinity;
    for (let c = 0; c < columns.length; c++) {
      const t = columns[c]!.ts[at[c]!];
      if (t !== undefined && t < next) next = t;
    }
    if (next === Infinity) return into;
    const start = stepStart(next, step);
    const end = start + step;
    values.length = 0;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      let i = at[c]!;
      while (i < column.ts.length && column.ts[i]! < end) i++;
      if (i > at[c]!) {
        lastT[c] = column.ts[i - 1]!;
        lastV[c] = column.values[i - 1]!;
        at[c] = i;
      }
      if (end - lastT[c]! <= stale) values.push(lastV[c]!);
    }
    into.ts.push(start);
    into.values.push(aggregateValues(fn, values)!);
  }
}

/** The aggregate of whole columns. */
export function aggregateColumns(columns: readonly Column[], fn: AggregateName, step = STEP_MS, stale = STALE_MS): Column {
  return appendAggregates(columns, fn, -Infinity, { ts: [], values: [] }, step, stale);
}
