import { limits } from "../shared/limits";

/**
 * Raw points are stored in chunks: one row per series per ingest request, its times and
 * values packed as Float64Array bytes, its points numbered `firstSeq`, `firstSeq + 1`, ...
 * One row per series instead of one per point makes a 5,000-point batch a handful of
 * inserts, and keeps every value bit for bit (-0 and subnormals included).
 */
export interface PointChunk {
  /** Sequence number of the chunk's first point; the rest follow consecutively. */
  firstSeq: number;
  /** Series row id. */
  seriesId: number;
  /** Point times, ms since the epoch, in sequence order. */
  ts: Float64Array;
  /** Point values, `values[i]` at `ts[i]`. */
  values: Float64Array;
}

/** A chunk never holds more points than one request may carry. */
export const MAX_CHUNK_POINTS = limits.maxPointsPerRequest;

/** The row of the `chunks` table, as read. */
export type ChunkRow = { first_seq: number; series_id: number; ts: ArrayBuffer; vals: ArrayBuffer };

/** The bytes of a typed array, copied only when it is a view into a larger buffer. */
export function bytesOf(array: Float64Array): ArrayBuffer {
  if (array.byteOffset === 0 && array.byteLength === array.buffer.byteLength) return array.buffer as ArrayBuffer;
  return array.slice().buffer as ArrayBuffer;
}

export function chunkOf(row: ChunkRow): PointChunk {
  return { firstSeq: row.first_seq, seriesId: row.series_id, ts: new Float64Array(row.ts), values: new Float64Array(row.vals) };
}

/** Sequence number of a chunk's last point. */
export function lastSeq(chunk: PointChunk): number {
  return chunk.firstSeq + chunk.ts.length - 1;
}
