import type { SeriesPoints, Tags } from "../common/protocol";
import type { DashboardUpdate, Panel } from "../common/dashboard-config";
import type { Variable } from "../common/template-variables";
import type { SeriesInfo } from "../common/dashboard-info";
import type { SeriesMatcher } from "../common/series-pattern";
import type { SeriesBatch } from "./ingest-contract";
import type { PointRun, StreamPositions, StreamSource } from "./stream-source";
import { bytesOf, chunkOf, lastSeq, MAX_CHUNK_SEQ_SPAN, seqAt, timeSpan, type ChunkRow, type PointChunk } from "./point-chunk";
import { lastWriteWins } from "./last-write-wins";
import { replaceStored } from "./point-identity";

/** What one `append` stored. */
export interface StoredPoints {
  /** The points stored, with their sequence numbers; null when none was. */
  run: PointRun | null;
  /** Points that took the place of one at the same series and time, stored or earlier in the request. */
  replaced: number;
  /** Points not stored (see `Replacement.refused` in point-identity.ts), in request order per series. */
  refused: RefusedPoint[];
}

/** A point `append` did not store: the `index`-th point of the `batch`-th series batch, at time `ts`. */
export interface RefusedPoint {
  batch: number;
  index: number;
  ts: number;
}

/** A dashboard's own description and positions, one row. */
export interface DashboardMeta {
  /** Dashboard id (the name the object was addressed by). */
  id: string;
  /** Human title. */
  title: string;
  /** SHA-256 hex of the ingest token given at creation (access is checked against the tokens table: token-store.ts). */
  tokenHash: string;
  /** SHA-256 hex of the view key given at creation of a private dashboard; null for a public one. Non-null: private. */
  viewKeyHash: string | null;
  /** Creation time, milliseconds since the epoch. */
  createdAt: number;
  /** Panels, in display order. */
  panels: Panel[];
  /** Template variables, in dropdown order. */
  variables: Variable[];
  /** Sequence number of the newest stored point (0 when none). */
  seq: number;
  /** Every point up to this sequence number has been sent to the viewers. */
  broadcastSeq: number;
  /** Highest sequence number ever pruned; a resume from before it cannot be served. */
  prunedSeq: number;
  /** Every point up to this sequence number is counted in the rollups. */
  rollupSeq: number;
}


const SCHEMA = `
-- The dashboard's own row: there is exactly one.
CREATE TABLE IF NOT EXISTS dashboard (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL,                            -- the id the object is addressed by
  title TEXT NOT NULL,
  token_hash TEXT NOT NULL,                    -- SHA-256 hex of the ingest token at creation (tokens: token-store.ts)
  view_key_hash TEXT,                          -- SHA-256 hex of the view key at creation; NULL: public
  created_at INTEGER NOT NULL,                 -- ms since the epoch
  panels TEXT NOT NULL DEFAULT '[]',           -- JSON array of panels, in display order
  variables TEXT NOT NULL DEFAULT '[]',        -- JSON array of template variables, in dropdown order
  seq INTEGER NOT NULL DEFAULT 0,              -- at most the newest point's sequence number (see storedSeq)
  broadcast_seq INTEGER NOT NULL DEFAULT 0,    -- every point up to here has gone out to viewers
  pruned_seq INTEGER NOT NULL DEFAULT 0,       -- highest sequence number ever pruned
  rollup_seq INTEGER NOT NULL DEFAULT 0        -- every point up to here is counted in rollups
);
-- One row per series (a name and a set of tags).
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,                    -- canonical key, name{tag=value,...} with tags sorted
  name TEXT NOT NULL,
  tags TEXT NOT NULL,                          -- JSON object of the tags
  rolled_points INTEGER NOT NULL DEFAULT 0     -- raw points kept and rolled up, for the per-series cap
);
-- Raw points: one row per series per request (merged later by maintenance), packed columns;
-- one point per series and time (a write at a stored time replaces the point).
CREATE TABLE IF NOT EXISTS chunks (
  first_seq INTEGER PRIMARY KEY,               -- sequence number of the chunk's first point (or of one replaced before it)
  series_id INTEGER NOT NULL,
  count INTEGER NOT NULL,                      -- points in the chunk
  min_ts INTEGER NOT NULL,                     -- earliest point time, ms (or earlier, once a point is replaced)
  max_ts INTEGER NOT NULL,                     -- latest point time, ms (or later, once a point is replaced)
  ts BLOB NOT NULL,                            -- Float64Array of the point times, in sequence order
  vals BLOB NOT NULL,                          -- Float64Array of the values, vals[i] at ts[i]
  last_seq INTEGER NOT NULL DEFAULT 0,         -- sequence number of the chunk's last point
  seqs BLOB                                    -- Float64Array of each point's sequence number, when not consecutive (merged)
);
CREATE INDEX IF NOT EXISTS chunks_by_series_time ON chunks (series_id, max_ts);
-- Per-minute summaries of each series, kept longer than raw points.
CREATE TABLE IF NOT EXISTS rollups (
  series_id INTEGER NOT NULL,
  minute INTEGER NOT NULL,                     -- start of the minute, ms
  min REAL NOT NULL,
  max REAL NOT NULL,
  sum REAL NOT NULL,
  count INTEGER NOT NULL,
  last REAL NOT NULL,                          -- value of the minute's latest point (by time, then sequence)
  last_ts INTEGER NOT NULL,                    -- its time
  last_seq INTEGER NOT NULL,                   -- its sequence number
  PRIMARY KEY (series_id, minute)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rollups_by_minute ON rollups (minute);
`;

type MetaRow = {
  id: string;
  title: string;
  token_hash: string;
  view_key_hash: string | null;
  created_at: number;
  panels: string;
  variables: string;
  seq: number;
  broadcast_seq: number;
  pruned_seq: number;
  rollup_seq: number;
};

/**
 * The owner of a dashboard's tables (description, series, raw point chunks, rollups), over
 * the object's SQLite storage, and of what is cached from them. Maintenance
 * (`maintenance.ts`, `chunk-merging.ts`) and history reads (`history-query.ts`) are given
 * the store: they read and write the tables through it, and record what changes the cached
 * rows through its methods, so the cache never goes stale. Synchronous, as the storage API
 * is; each write method is one transaction.
 */
export class DashboardStore implements StreamSource {
  readonly sql: SqlStorage;
  /** Series rows by key and by id; derived from the `series` table, loaded on first use. */
  private byKey: Map<string, number> | null = null;
  private byId: Map<number, SeriesInfo> | null = null;
  /** The `dashboard` row, read once and kept in step with this class's own writes. */
  private cachedMeta: DashboardMeta | null | undefined;
  /** Whether tables made by an older version have been brought up to date by this instance. */
  private upgraded = false;
  /** Raw points after the roll-up position, per series id; counted from the chunks on first use. */
  private unrolled: Map<number, number> | null = null;
  /** Per series id, a time no stored point of the series is later than (see `newestTime`). */
  private newest = new Map<number, number>();

  /**
   * Creates nothing: an object addressed by an unknown id must leave no database behind
   * (SQLite-backed objects are billed for stored bytes, and an empty schema is ~44 KB), so
   * tables are made only by {@link create}.
   */
  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /** The dashboard's row; cached, since every ingest and every frame asks for it. */
  meta(): DashboardMeta | null {
    if (this.cachedMeta === undefined) this.cachedMeta = this.readMeta();
    return this.cachedMeta;
  }

  /** Reads the row without creating anything; brings tables of an older version up to date once found. */
  private readMeta(): DashboardMeta | null {
    // Reading sqlite_master of a never-written object creates no database.
    if (!tableExists(this.sql, "dashboard")) return null;
    const row = this.sql.exec<MetaRow>("SELECT * FROM dashboard").toArray()[0];
    if (!row) return null;
    if (!this.upgraded) {
      addChunkSequenceColumns(this.sql);
      countRolledPoints(this.sql, row.rollup_seq);
      // The row above was read without the column: read it again with it.
      if (addVariablesColumn(this.sql)) return this.readMeta();
      this.upgraded = true;
    }
    return {
      id: row.id,
      title: row.title,
      tokenHash: row.token_hash,
      viewKeyHash: row.view_key_hash,
      createdAt: row.created_at,
      panels: JSON.parse(row.panels) as Panel[],
      variables: JSON.parse(row.variables) as Variable[],
      seq: storedSeq(this.sql, row),
      broadcastSeq: row.broadcast_seq,
      prunedSeq: row.pruned_seq,
      rollupSeq: row.rollup_seq,
    };
  }

  /** Makes the tables and the dashboard's row; the caller runs it in one transaction with any other schema. */
  create(meta: { id: string; title: string; tokenHash: string; viewKeyHash: string | null; createdAt: number }): void {
    this.sql.exec(SCHEMA);
    this.upgraded = true;
    this.sql.exec(
      "INSERT INTO dashboard (singleton, id, title, token_hash, view_key_hash, created_at) VALUES (1, ?, ?, ?, ?, ?)",
      meta.id,
      meta.title,
      meta.tokenHash,
      meta.viewKeyHash,
      meta.createdAt,
    );
    this.cachedMeta = undefined;
  }

  /** Replaces the title, the panels and/or the variables. */
  configure(update: DashboardUpdate): void {
    if (update.title !== undefined) this.sql.exec("UPDATE dashboard SET title = ?", update.title);
    if (update.panels !== undefined) this.sql.exec("UPDATE dashboard SET panels = ?", JSON.stringify(update.panels));
    if (update.variables !== undefined) this.sql.exec("UPDATE dashboard SET variables = ?", JSON.stringify(update.variables));
    this.cachedMeta = undefined;
  }

  /** Runs `work` in one transaction; what this store cached is dropped if it rolls back. */
  transaction<T>(work: () => T): T {
    try {
      return this.storage.transactionSync(work);
    } catch (err) {
      // The rollback may have removed rows the caches already hold.
      this.forgetCaches();
      throw err;
    }
  }

  /** Records that the rollups count every point up to `seq` (maintenance, in its transaction). */
  markRolledUp(seq: number): void {
    this.sql.exec("UPDATE dashboard SET rollup_seq = ?", seq);
    this.meta()!.rollupSeq = seq;
  }

  /** Records that points up to `seq` may have been pruned: a resume from before it resets. */
  markPruned(seq: number): void {
    this.sql.exec("UPDATE dashboard SET pruned_seq = max(pruned_seq, ?)", seq);
    const meta = this.meta()!;
    meta.prunedSeq = Math.max(meta.prunedSeq, seq);
  }

  /** Deletes up to `limit` series with no chunk and no rollup left; returns how many. */
  deleteEmptySeries(limit: number): number {
    const deleted = this.sql
      .exec<{ id: number }>(
        `DELETE FROM series WHERE id IN (SELECT id FROM series s WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.series_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.series_id = s.id) LIMIT ?) RETURNING id`,
        limit,
      )
      .toArray();
    for (const { id } of deleted) {
      const info = this.byId?.get(id);
      if (info) this.byKey!.delete(info.key);
      this.byId?.delete(id);
    }
    return deleted.length;
  }

  /** The latest time any series has stored, a bound as {@link newestTime} is; null with no series. */
  newestPointTime(): number | null {
    let newest = -Infinity;
    for (const id of this.series().keys()) newest = Math.max(newest, this.newestTime(id));
    return newest === -Infinity ? null : newest;
  }

  /** The object's storage was deleted: nothing cached survives, so the dashboard reads as never created. */
  wiped(): void {
    this.forgetCaches();
  }

  /** Drops everything cached: the next read goes to the tables. */
  private forgetCaches(): void {
    this.byKey = this.byId = null;
    this.cachedMeta = undefined;
    this.unrolled = null;
    this.newest.clear();
  }

  /**
   * Raw points of series `id` not yet rolled up. Kept in memory (written nowhere: a write per
   * request would be a row written per request); a new instance counts them once from the
   * chunks after the roll-up position, which maintenance keeps few.
   */
  unrolledPoints(id: number): number {
    this.unrolled ??= pointsAfter(this.sql, this.meta()!.rollupSeq);
    return this.unrolled.get(id) ?? 0;
  }

  /** Points of series `id` were just rolled up (see `unrolledPoints`). */
  rolledUp(id: number, points: number): void {
    this.unrolled?.set(id, Math.max(0, (this.unrolled.get(id) ?? 0) - points));
  }

  /** Where the dashboard's stream stands (see `StreamSource`). */
  positions(): StreamPositions | null {
    const meta = this.meta();
    return meta && { seq: meta.seq, broadcastSeq: meta.broadcastSeq, prunedSeq: meta.prunedSeq };
  }

  /** Records that every point up to `seq` has gone out to the viewers. */
  markBroadcast(seq: number): void {
    this.sql.exec("UPDATE dashboard SET broadcast_seq = ? WHERE broadcast_seq < ?", seq, seq);
    const meta = this.meta();
    if (meta && meta.broadcastSeq < seq) meta.broadcastSeq = seq;
  }

  seriesCount(): number {
    return this.keys().size;
  }

  hasSeries(key: string): boolean {
    return this.keys().has(key);
  }

  listSeries(): SeriesInfo[] {
    return [...this.series().values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Series ids whose key or name `matcher` accepts. */
  matchingSeries(matcher: SeriesMatcher): Map<number, SeriesInfo> {
    return new Map([...this.series()].filter(([, info]) => matcher(info)));
  }

  /**
   * Stores points, in one transaction, with consecutive sequence numbers after the current
   * one; a point at a time its series has replaces the one stored (see point-identity.ts).
   */
  append(series: SeriesBatch[]): StoredPoints {
    return this.transaction(() => this.insert(series));
  }

  /**
   * The newest `perSeries` points (up to sequence `through`) of each of `series` (from
   * {@link listSeries}), in time order; a caller reads a long list a slice at a time.
   */
  recent(perSeries: number, through: number, series: readonly SeriesInfo[]): SeriesPoints[] {
    return series
      .filter((info) => this.keys().has(info.key))
      .map((info) => {
        const newest = this.newestPoints(this.keys().get(info.key)!, perSeries, through);
        return { ...info, ts: newest.map((p) => p.ts), values: newest.map((p) => p.value) };
      });
  }

  /**
   * Chunks are read newest first (by their latest time) until `count` points are in hand
   * and the next chunk ends before the oldest of them, so late, out-of-order points still
   * land in their place; the result is in time order (sequence order among equal times).
   */
  private newestPoints(seriesId: number, count: number, through: number): { ts: number; seq: number; value: number }[] {
    const points: { ts: number; seq: number; value: number }[] = [];
    let threshold = -Infinity;
    const byTime = (a: { ts: number; seq: number }, b: { ts: number; seq: number }) => a.ts - b.ts || a.seq - b.seq;
    for (const row of this.sql.exec<ChunkRow & { max_ts: number }>(
      "SELECT first_seq, series_id, max_ts, ts, vals, seqs FROM chunks WHERE series_id = ? AND first_seq <= ? ORDER BY max_ts DESC",
      seriesId,
      through,
    )) {
      if (row.max_ts < threshold) break;
      const chunk = chunkOf(row);
      for (let i = 0; i < chunk.ts.length; i++) {
        const seq = seqAt(chunk, i);
        if (seq <= through) points.push({ ts: chunk.ts[i]!, seq, value: chunk.values[i]! });
      }
      if (threshold === -Infinity && points.length >= count) {
        points.sort(byTime);
        threshold = points[points.length - count]!.ts;
      }
    }
    points.sort(byTime);
    return points.slice(-count);
  }

  /**
   * Stored points with sequence numbers in (`after`, `through`], whole chunks up to about
   * `limit` points, grouped by series in sequence order. The batch's range ends before the
   * first chunk left unread, or at `through` when the read reached it, so consecutive calls
   * cover the range without gap or overlap. Merged chunks interleave their sequence numbers
   * with other series' chunks, so points of chunks read past that end wait for the next call.
   */
  range(after: number, through: number, limit: number, matcher: SeriesMatcher): PointRun & { count: number } {
    const series = this.series();
    const read: PointChunk[] = [];
    let points = 0;
    let to = through;
    for (const row of this.sql.exec<ChunkRow>(
      // Chunks that started before `after` are read only when they run past it: the
      // look-back otherwise returns thousands of one-point chunks to skip one by one.
      "SELECT first_seq, series_id, ts, vals, seqs FROM chunks WHERE first_seq > ? AND first_seq <= ? AND last_seq > ? ORDER BY first_seq",
      after - MAX_CHUNK_SEQ_SPAN,
      through,
      after,
    )) {
      const chunk = chunkOf(row);
      if (lastSeq(chunk) <= after) continue;
      // Never end before `after + 1`: chunks starting at or before it are always read.
      if (points >= limit && chunk.firstSeq > after + 1) {
        to = chunk.firstSeq - 1;
        break;
      }
      read.push(chunk);
      points += chunk.ts.length;
    }
    const grouped = new Map<number, SeriesPoints>();
    let count = 0;
    for (const chunk of read) {
      const info = series.get(chunk.seriesId)!;
      if (!matcher(info)) continue;
      let entry = grouped.get(chunk.seriesId);
      for (let i = 0; i < chunk.ts.length; i++) {
        const seq = seqAt(chunk, i);
        if (seq <= after) continue;
        if (seq > to) break;
        if (!entry) grouped.set(chunk.seriesId, (entry = { ...info, ts: [], values: [] }));
        entry.ts.push(chunk.ts[i]!);
        entry.values.push(chunk.values[i]!);
        count++;
      }
    }
    return { from: after + 1, to, series: [...grouped.values()], count };
  }

  /**
   * One row per series: sequence numbers run series by series, in request order within
   * each, so every series' points are one consecutive run. A time the series already has
   * replaces the point stored there (see point-identity.ts).
   */
  private insert(series: SeriesBatch[]): StoredPoints {
    const first = this.meta()!.seq + 1;
    let next = first;
    const stored: SeriesPoints[] = [];
    const refused: RefusedPoint[] = [];
    let replaced = 0;
    series.forEach((batch, at) => {
      const seriesId = this.seriesId(batch);
      let { ts, values, superseded } = lastWriteWins(batch.ts, batch.values);
      replaced += superseded;
      let { min, max } = timeSpan(ts);
      if (min <= this.newestTime(seriesId)) {
        const replacement = replaceStored(this.sql, seriesId, ts, this.meta()!.rollupSeq);
        replaced += replacement.replaced;
        if (replacement.replacedUnrolled > 0) this.unrolled?.set(seriesId, Math.max(0, (this.unrolled.get(seriesId) ?? 0) - replacement.replacedUnrolled));
        if (replacement.refused.size > 0) {
          batch.ts.forEach((t, index) => {
            if (replacement.refused.has(t)) refused.push({ batch: at, index, ts: t });
          });
          const keep = Array.from(ts.keys()).filter((i) => !replacement.refused.has(ts[i]!));
          ts = Float64Array.from(keep, (i) => ts[i]!);
          values = Float64Array.from(keep, (i) => values[i]!);
          ({ min, max } = timeSpan(ts));
        }
      }
      if (ts.length === 0) return;
      this.sql.exec(
        "INSERT INTO chunks (first_seq, last_seq, series_id, count, min_ts, max_ts, ts, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        next,
        next + ts.length - 1,
        seriesId,
        ts.length,
        min,
        max,
        bytesOf(ts),
        bytesOf(values),
      );
      next += ts.length;
      this.newest.set(seriesId, Math.max(max, this.newest.get(seriesId) ?? -Infinity));
      this.unrolled?.set(seriesId, (this.unrolled.get(seriesId) ?? 0) + ts.length);
      stored.push({ key: batch.key, name: batch.name, tags: batch.tags, ts: Array.from(ts), values: Array.from(values) });
    });
    if (next === first) return { run: null, replaced, refused };
    // The newest chunk says where the sequence is (see storedSeq): no row of its own to write.
    const last = next - 1;
    this.meta()!.seq = last;
    return { run: { from: first, to: last, series: stored }, replaced, refused };
  }

  /**
   * The latest time series `id` has stored, raw or rolled up, or later (a bound: what was
   * replaced or pruned since leaves it as it was). Points after it are new, with nothing to
   * replace; read once per series from the two tables' indexes, then kept up to date.
   */
  private newestTime(id: number): number {
    let newest = this.newest.get(id);
    if (newest === undefined) {
      const raw = this.sql.exec<{ ts: number | null }>("SELECT max(max_ts) AS ts FROM chunks WHERE series_id = ?", id).one().ts;
      const rolled = this.sql.exec<{ ts: number }>("SELECT last_ts AS ts FROM rollups WHERE series_id = ? ORDER BY minute DESC LIMIT 1", id).toArray()[0]?.ts;
      newest = Math.max(raw ?? -Infinity, rolled ?? -Infinity);
      this.newest.set(id, newest);
    }
    return newest;
  }

  private keys(): Map<string, number> {
    if (!this.byKey) this.load();
    return this.byKey!;
  }

  private series(): Map<number, SeriesInfo> {
    if (!this.byId) this.load();
    return this.byId!;
  }

  private load(): void {
    const rows = this.sql.exec<{ id: number; key: string; name: string; tags: string }>("SELECT id, key, name, tags FROM series").toArray();
    this.byKey = new Map(rows.map((row) => [row.key, row.id]));
    this.byId = new Map(rows.map((row) => [row.id, { key: row.key, name: row.name, tags: JSON.parse(row.tags) as Tags }]));
  }

  private seriesId(series: SeriesBatch): number {
    let id = this.keys().get(series.key);
    if (id === undefined) {
      id = this.sql
        .exec<{ id: number }>("INSERT INTO series (key, name, tags) VALUES (?, ?, ?) RETURNING id", series.key, series.name, JSON.stringify(series.tags))
        .one().id;
      this.byKey!.set(series.key, id);
      this.byId!.set(id, { key: series.key, name: series.name, tags: series.tags });
      this.newest.set(id, -Infinity);
    }
    return id;
  }
}

/** Whether `name` is a table of this object's database; reading sqlite_master creates nothing. */
export function tableExists(sql: SqlStorage, name: string): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length > 0;
}

/**
 * The sequence number of the newest stored point: the highest `last_seq` of the chunks, which
 * writing a request's chunks moves on with no other row written, or, when chunks with the
 * newest points are gone (pruned), the highest position the dashboard row recorded. A chunk's
 * points lie within MAX_CHUNK_SEQ_SPAN of its first, so the newest chunk starts no further
 * back than that from the last one to start: the read looks at that stretch only.
 */
function storedSeq(sql: SqlStorage, row: Pick<MetaRow, "seq" | "broadcast_seq" | "pruned_seq" | "rollup_seq">): number {
  const newest =
    sql
      .exec<{ seq: number | null }>(
        "SELECT max(last_seq) AS seq FROM chunks WHERE first_seq > (SELECT coalesce(max(first_seq), 0) FROM chunks) - ?",
        MAX_CHUNK_SEQ_SPAN,
      )
      .one().seq ?? 0;
  return Math.max(newest, row.seq, row.broadcast_seq, row.pruned_seq, row.rollup_seq);
}

/**
 * Points with sequence numbers after `after`, per series id, read from the chunks that hold
 * them (a chunk spans at most MAX_CHUNK_SEQ_SPAN, so those start after `after` less that).
 */
function pointsAfter(sql: SqlStorage, after: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of sql.exec<ChunkRow>("SELECT first_seq, series_id, ts, vals, seqs FROM chunks WHERE first_seq > ? AND last_seq > ?", after - MAX_CHUNK_SEQ_SPAN, after)) {
    const chunk = chunkOf(row);
    let count = 0;
    for (let i = 0; i < chunk.ts.length; i++) if (seqAt(chunk, i) > after) count++;
    counts.set(chunk.seriesId, (counts.get(chunk.seriesId) ?? 0) + count);
  }
  return counts;
}

/**
 * Tables of a version that counted every raw point kept as it was written (`series.points`)
 * count only those rolled up (`rolled_points`), as maintenance adds them: the count becomes
 * the old one less the points after the roll-up position, read from the few chunks holding them.
 */
function countRolledPoints(sql: SqlStorage, rollupSeq: number): void {
  const table = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'series'").one().sql;
  if (table.includes("rolled_points")) return;
  sql.exec("ALTER TABLE series ADD COLUMN rolled_points INTEGER NOT NULL DEFAULT 0");
  sql.exec("UPDATE series SET rolled_points = points");
  for (const [id, count] of pointsAfter(sql, rollupSeq)) sql.exec("UPDATE series SET rolled_points = max(0, rolled_points - ?) WHERE id = ?", count, id);
}

/** Gives a `dashboard` table from before template variables its `variables` column (none); true when it added it. */
function addVariablesColumn(sql: SqlStorage): boolean {
  const table = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'dashboard'").one().sql;
  if (table.includes("variables")) return false;
  sql.exec("ALTER TABLE dashboard ADD COLUMN variables TEXT NOT NULL DEFAULT '[]'");
  return true;
}

/**
 * Gives a `chunks` table from before merged chunks its `last_seq` and `seqs` columns; every
 * chunk then still has consecutive sequence numbers, so `seqs` stays empty.
 */
function addChunkSequenceColumns(sql: SqlStorage): void {
  const table = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'chunks'").one().sql;
  if (table.includes("last_seq")) return;
  sql.exec("ALTER TABLE chunks ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0");
  sql.exec("ALTER TABLE chunks ADD COLUMN seqs BLOB");
  sql.exec("UPDATE chunks SET last_seq = first_seq + count - 1");
}
