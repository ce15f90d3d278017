/** Searching an ascending list of times (a column's `ts`): what several parts of the page need. */

/** The first index of `ts` (ascending) at or after `t`: how many of `ts` are below `t`. */
export function firstAtOrAfter(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
