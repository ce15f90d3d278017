/**
 * A request's points of one series with one point per time, as point identity asks
 * (point-identity.ts): where the request writes a time twice, its last write wins.
 */

/** One series' points of a request, one per time: the last of each time, in request order. */
export interface UniquePoints {
  ts: Float64Array;
  values: Float64Array;
  /** Points of the request that a later one at the same time replaced. */
  superseded: number;
}

/** The request's points of one series with each time once: the last write of a time wins. */
export function lastWriteWins(ts: Float64Array, values: Float64Array): UniquePoints {
  let rising = true;
  for (let i = 1; i < ts.length && rising; i++) rising = ts[i]! > ts[i - 1]!;
  if (rising) return { ts, values, superseded: 0 };
  const lastAt = new Map<number, number>();
  for (let i = 0; i < ts.length; i++) lastAt.set(ts[i]!, i);
  if (lastAt.size === ts.length) return { ts, values, superseded: 0 };
  const keptTs = new Float64Array(lastAt.size);
  const keptValues = new Float64Array(lastAt.size);
  let at = 0;
  for (let i = 0; i < ts.length; i++) {
    if (lastAt.get(ts[i]!) !== i) continue;
    keptTs[at] = ts[i]!;
    keptValues[at] = values[i]!;
    at++;
  }
  return { ts: keptTs, values: keptValues, superseded: ts.length - at };
}
