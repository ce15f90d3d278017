import { limits } from "../common/limits";

/**
 * Raw points are stored in chunks: one row per series per ingest request, its times and
 * values packed as Float64Array bytes, its points numbered `firstSeq`, `firstSeq + 1`, ...
 * One row per series instead of one per point makes a 5,000-point batch a handful of
 * inserts, and keeps every value bit for bit (-0 and subnormals included).
 *
 * Maintenance later merges a series' small chunks into one (see `mergeChunks`). A merged
 * chunk's points keep their own sequence numbers, which then need not be consecutive; the
 * chunk carries them in `seqs`.
 */
export interface PointChunk {
  /**
   * The row's key: the sequence number of the chunk's first point, or of a point before it
   * that a later write replaced (`withoutPoints` keeps the key, and then `seqs`).
   */
  firstSeq: number;
  /** Series row id. */
  seriesId: number;
  /** Point times, ms since the epoch, in sequence order. */
  ts: Float64Array;
  /** Point values, `values[i]` at `ts[i]`. */
  values: Float64Array;
  /** Each point's sequence number, rising; absent when they run `firstSeq`, `firstSeq + 1`, ... */
  seqs: Float64Array | undefined;
}

/** A chunk never holds more points than one request may carry. */
export const MAX_CHUNK_POINTS = limits.maxPointsPerRequest;

/**
 * A chunk's points lie within this many sequence numbers, first to last, so the chunk
 * holding sequence number `s` starts after `s - MAX_CHUNK_SEQ_SPAN`: reads by sequence
 * number look no further back than that.
 */
export const MAX_CHUNK_SEQ_SPAN = MAX_CHUNK_POINTS;

/** The row of the `chunks` table, as read. */
export type ChunkRow = { first_seq: number; series_id: number; ts: ArrayBuffer; vals: ArrayBuffer; seqs: ArrayBuffer | null };

/** The bytes of a typed array, copied only when it is a view into a larger buffer. */
export function bytesOf(array: Float64Array): ArrayBuffer {
  if (array.byteOffset === 0 && array.byteLength === array.buffer.byteLength) return array.buffer as ArrayBuffer;
  return array.slice().buffer as ArrayBuffer;
}

export function chunkOf(row: ChunkRow): PointChunk {
  return {
    firstSeq: row.first_seq,
    seriesId: row.series_id,
    ts: new Float64Array(row.ts),
    values: new Float64Array(row.vals),
    seqs: row.seqs === null ? undefined : new Float64Array(row.seqs),
  };
}

/** Sequence number of the chunk's `i`-th point. */
export function seqAt(chunk: PointChunk, i: number): number {
  return chunk.seqs ? chunk.seqs[i]! : chunk.firstSeq + i;
}

/** Sequence number of a chunk's last point. */
export function lastSeq(chunk: PointChunk): number {
  return seqAt(chunk, chunk.ts.length - 1);
}

/**
 * One chunk holding the points of `chunks` (one series' chunks, in sequence order, whose
 * sequence numbers do not overlap), each with its own time, value and sequence number.
 * `seqs` is left out when the numbers run without a gap.
 */
export function mergeChunks(chunks: readonly PointChunk[]): PointChunk {
  const first = chunks[0];
  if (!first) throw new Error("mergeChunks needs at least one chunk");
  const count = chunks.reduce((sum, chunk) => sum + chunk.ts.length, 0);
  const ts = new Float64Array(count);
  const values = new Float64Array(count);
  const seqs = new Float64Array(count);
  let at = 0;
  for (const chunk of chunks) {
    if (chunk.seriesId !== first.seriesId) throw new Error("mergeChunks: chunks of different series");
    if (at > 0 && chunk.firstSeq <= seqs[at - 1]!) throw new Error("mergeChunks: chunks out of sequence order");
    ts.set(chunk.ts, at);
    values.set(chunk.values, at);
    for (let i = 0; i < chunk.ts.length; i++) seqs[at + i] = seqAt(chunk, i);
    at += chunk.ts.length;
  }
  return { firstSeq: first.firstSeq, seriesId: first.seriesId, ts, values, seqs: gapless(first.firstSeq, seqs) ? undefined : seqs };
}

/**
 * The chunk with only its points at `keep` (indices, rising, at least one), each with its own
 * time, value and sequence number. The key stays: the row is rewritten in place, where reads
 * paging along the chunks' keys and times expect it.
 */
export function withoutPoints(chunk: PointChunk, keep: readonly number[]): PointChunk {
  const ts = new Float64Array(keep.length);
  const values = new Float64Array(keep.length);
  const seqs = new Float64Array(keep.length);
  keep.forEach((from, at) => {
    ts[at] = chunk.ts[from]!;
    values[at] = chunk.values[from]!;
    seqs[at] = seqAt(chunk, from);
  });
  return { firstSeq: chunk.firstSeq, seriesId: chunk.seriesId, ts, values, seqs: gapless(chunk.firstSeq, seqs) ? undefined : seqs };
}

/** Whether `seqs` run `firstSeq`, `firstSeq + 1`, ... without a gap (then a chunk need not carry them). */
function gapless(firstSeq: number, seqs: Float64Array): boolean {
  return seqs[0] === firstSeq && seqs[seqs.length - 1]! - firstSeq === seqs.length - 1;
}

/** The earliest and latest of some point times (Infinity and -Infinity for none). */
export function timeSpan(ts: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const t of ts) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return { min, max };
}
