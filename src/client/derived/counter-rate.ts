/**
 * A counter's per-second rate, as Prometheus' `rate` reads one: between two points the rate is
 * the increase over the seconds between them, written at the later point's time. A counter only
 * goes up, so a value below the one before means it restarted from zero (a process restart):
 * the new value itself is then the increase since the reset, never a negative rate.
 */
import type { Column } from "../dashboard/time-window.ts";

/** The rate between `(t0, v0)` and `(t1, v1)`, `t1 > t0`, in units per second. */
export function rateBetween(t0: number, v0: number, t1: number, v1: number): number {
  const increase = v1 >= v0 ? v1 - v0 : v1;
  return increase / ((t1 - t0) / 1000);
}

/**
 * Appends to `into` the rates at `column`'s points from index `from` on (the first point has
 * none: it has nothing before it). With `from` 0 and an empty `into`, the whole rate column.
 */
export function appendRates(column: Column, from: number, into: Column): Column {
  for (let i = Math.max(1, from); i < column.ts.length; i++) {
    into.ts.push(column.ts[i]!);
    into.values.push(rateBetween(column.ts[i - 1]!, column.values[i - 1]!, column.ts[i]!, column.values[i]!));
  }
  return into;
}

/** The rate of a whole column. */
export function counterRate(column: Column): Column {
  return appendRates(column, 0, { ts: [], values: [] });
}
