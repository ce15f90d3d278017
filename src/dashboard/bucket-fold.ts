/** Summary of the points in one time bucket (a rollup minute or a history bucket). */
export interface Bucket {
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Sum of the values. */
  sum: number;
  /** Number of points. */
  count: number;
  /** Value of the latest point (by time, then sequence number). */
  last: number;
  /** Time of that latest point. */
  lastTs: number;
  /** Sequence number of that latest point. */
  lastSeq: number;
}

/** A bucket of one point. */
export function bucketOf(ts: number, seq: number, value: number): Bucket {
  return { min: value, max: value, sum: value, count: 1, last: value, lastTs: ts, lastSeq: seq };
}

/** Folds one point into a bucket. */
export function fold(bucket: Bucket, ts: number, seq: number, value: number): void {
  if (value < bucket.min) bucket.min = value;
  if (value > bucket.max) bucket.max = value;
  bucket.sum += value;
  bucket.count++;
  if (ts > bucket.lastTs || (ts === bucket.lastTs && seq > bucket.lastSeq)) {
    bucket.last = value;
    bucket.lastTs = ts;
    bucket.lastSeq = seq;
  }
}
