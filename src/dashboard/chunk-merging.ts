/**
 * Merging a series' small raw chunks into bigger rows, so that a sensor posting a point at a
 * time does not cost a row per request to every later read. Run by each maintenance pass
 * (`rollUp` in maintenance.ts) over the chunks that arrived since the last one.
 */
import type { DashboardStore } from "./dashboard-store";
import { bytesOf, chunkOf, lastSeq, MAX_CHUNK_SEQ_SPAN, mergeChunks, timeSpan, type ChunkRow, type PointChunk } from "./point-chunk";

/** Chunks of fewer points than this are merged with their series' neighbours. */
export const SMALL_CHUNK_POINTS = 64;
/** A merged chunk holds at most this many points... */
export const MERGED_CHUNK_POINTS = 1_024;
/** ...spanning at most this long, so retention, which drops whole chunks, stays close to its window. */
export const MERGED_CHUNK_SPAN_MS = 10 * 60_000;

/** A run of one series' chunks being merged, with its point count and time bounds. */
interface Run {
  /** The chunks, in sequence order; the first may be a row stored by an earlier pass. */
  chunks: PointChunk[];
  /** Points in them all. */
  points: number;
  /** Earliest point time, ms. */
  minTs: number;
  /** Latest point time, ms. */
  maxTs: number;
}

/**
 * Merges runs of one series' small chunks among `chunks` (whole chunks, in sequence order)
 * into one row each, within the size, sequence and time limits above. A series' first run
 * starts from its newest row already stored, while that has room, so a sensor posting a point
 * every ten seconds also fills rows of ten minutes, pass after pass. Every point keeps its
 * time, value and sequence number. Returns the number of rows it removed.
 */
export function mergeSmallChunks(store: DashboardStore, chunks: readonly PointChunk[]): number {
  const sql = store.sql;
  const open = new Map<number, Run>();
  const looked = new Set<number>();
  let removed = 0;
  const close = (run: Run | undefined) => {
    if (!run || run.chunks.length < 2) return;
    for (const chunk of run.chunks) sql.exec("DELETE FROM chunks WHERE first_seq = ?", chunk.firstSeq);
    const merged = mergeChunks(run.chunks);
    const { min, max } = timeSpan(merged.ts);
    sql.exec(
      "INSERT INTO chunks (first_seq, last_seq, series_id, count, min_ts, max_ts, ts, vals, seqs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      merged.firstSeq,
      lastSeq(merged),
      merged.seriesId,
      merged.ts.length,
      min,
      max,
      bytesOf(merged.ts),
      bytesOf(merged.values),
      merged.seqs ? bytesOf(merged.seqs) : null,
    );
    removed += run.chunks.length - 1;
  };
  for (const chunk of chunks) {
    const small = chunk.ts.length < SMALL_CHUNK_POINTS;
    if (!looked.has(chunk.seriesId)) {
      // Only ahead of the series' first chunk in the pass: a row merged past a later one
      // would cover that one's sequence numbers, and reads by sequence need rows apart.
      looked.add(chunk.seriesId);
      const stored = small ? newestStoredRow(sql, chunk) : undefined;
      if (stored) open.set(chunk.seriesId, stored);
    }
    const run = open.get(chunk.seriesId);
    if (!small) {
      // A chunk big enough on its own stays, and ends the run before it.
      close(run);
      open.delete(chunk.seriesId);
      continue;
    }
    const { min, max } = timeSpan(chunk.ts);
    const fits =
      run !== undefined &&
      run.points + chunk.ts.length <= MERGED_CHUNK_POINTS &&
      lastSeq(chunk) - run.chunks[0]!.firstSeq < MAX_CHUNK_SEQ_SPAN &&
      Math.max(max, run.maxTs) - Math.min(min, run.minTs) <= MERGED_CHUNK_SPAN_MS;
    if (run && fits) {
      run.chunks.push(chunk);
      run.points += chunk.ts.length;
      run.minTs = Math.min(min, run.minTs);
      run.maxTs = Math.max(max, run.maxTs);
    } else {
      close(run);
      open.set(chunk.seriesId, { chunks: [chunk], points: chunk.ts.length, minTs: min, maxTs: max });
    }
  }
  for (const run of open.values()) close(run);
  return removed;
}

/**
 * The series' last row before `chunk`, by sequence number, as a run to extend, if it has
 * room; `chunk` is the series' first in the pass, so no row of the series lies between them.
 */
function newestStoredRow(sql: SqlStorage, chunk: PointChunk): Run | undefined {
  const row = sql
    .exec<ChunkRow & { count: number; min_ts: number; max_ts: number }>(
      "SELECT first_seq, series_id, ts, vals, seqs, count, min_ts, max_ts FROM chunks WHERE series_id = ? AND first_seq < ? ORDER BY first_seq DESC LIMIT 1",
      chunk.seriesId,
      chunk.firstSeq,
    )
    .toArray()[0];
  if (!row || row.count >= MERGED_CHUNK_POINTS) return undefined;
  return { chunks: [chunkOf(row)], points: row.count, minTs: row.min_ts, maxTs: row.max_ts };
}
