import type { SeriesPoints, Tags } from "../shared/protocol";
import type { Point } from "./point";

/** A dashboard's own description, one row. */
export interface DashboardMeta {
  /** Dashboard id (the name the object was addressed by). */
  id: string;
  /** Human title. */
  title: string;
  /** SHA-256 hex of the ingest token. */
  tokenHash: string;
  /** Creation time, milliseconds since the epoch. */
  createdAt: number;
  /** Sequence number of the newest stored point (0 when none). */
  seq: number;
}

/** A series as listed by the API. */
export interface SeriesInfo {
  /** Canonical key (name plus sorted tags). */
  key: string;
  /** Metric name. */
  name: string;
  /** Tags. */
  tags: Tags;
}

/** Points stored by one batch, with their sequence range. */
export interface StoredBatch {
  /** Sequence number of the first stored point. */
  from: number;
  /** Sequence number of the last stored point. */
  to: number;
  /** The stored points grouped by series, in sequence order within each. */
  series: SeriesPoints[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dashboard (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  tags TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS points (
  seq INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS points_by_series_time ON points (series_id, ts);
`;

/**
 * All SQL of a dashboard, over the object's SQLite storage. Synchronous, as the storage API
 * is; each write method runs in one transaction, so it is stored whole or not at all.
 */
export class DashboardStore {
  /** Series key to row id; derived from the `series` table, loaded on first use. */
  private seriesIds: Map<string, number> | null = null;

  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
    this.sql.exec(SCHEMA);
  }

  meta(): DashboardMeta | null {
    const row = this.sql
      .exec<{ id: string; title: string; token_hash: string; created_at: number; seq: number }>(
        "SELECT id, title, token_hash, created_at, seq FROM dashboard",
      )
      .toArray()[0];
    return row ? { id: row.id, title: row.title, tokenHash: row.token_hash, createdAt: row.created_at, seq: row.seq } : null;
  }

  create(meta: Omit<DashboardMeta, "seq">): void {
    this.sql.exec(
      "INSERT INTO dashboard (singleton, id, title, token_hash, created_at) VALUES (1, ?, ?, ?, ?)",
      meta.id,
      meta.title,
      meta.tokenHash,
      meta.createdAt,
    );
  }

  seriesCount(): number {
    return this.ids().size;
  }

  hasSeries(key: string): boolean {
    return this.ids().has(key);
  }

  listSeries(): SeriesInfo[] {
    return this.sql
      .exec<{ key: string; name: string; tags: string }>("SELECT key, name, tags FROM series ORDER BY key")
      .toArray()
      .map((row) => ({ key: row.key, name: row.name, tags: JSON.parse(row.tags) as Tags }));
  }

  /** Stores points, in one transaction, with consecutive sequence numbers after the current one. */
  append(points: Point[]): StoredBatch {
    try {
      return this.storage.transactionSync(() => this.insert(points));
    } catch (err) {
      // The rollback may have removed series rows the cache already holds.
      this.seriesIds = null;
      throw err;
    }
  }

  private insert(points: Point[]): StoredBatch {
    const first = this.meta()!.seq + 1;
    const grouped = new Map<string, SeriesPoints>();
    let seq = first;
    for (const point of points) {
      this.sql.exec("INSERT INTO points (seq, series_id, ts, value) VALUES (?, ?, ?, ?)", seq++, this.seriesId(point), point.ts, point.value);
      let series = grouped.get(point.key);
      if (!series) {
        series = { key: point.key, name: point.name, tags: point.tags, ts: [], values: [] };
        grouped.set(point.key, series);
      }
      series.ts.push(point.ts);
      series.values.push(point.value);
    }
    const last = seq - 1;
    this.sql.exec("UPDATE dashboard SET seq = ?", last);
    return { from: first, to: last, series: [...grouped.values()] };
  }

  /** The newest `perSeries` points of every series, each in time order. */
  recent(perSeries: number): SeriesPoints[] {
    const series = this.sql.exec<{ id: number; key: string; name: string; tags: string }>("SELECT id, key, name, tags FROM series ORDER BY key").toArray();
    return series.map((row) => {
      const rows = this.sql
        .exec<{ ts: number; value: number }>("SELECT ts, value FROM points WHERE series_id = ? ORDER BY ts DESC, seq DESC LIMIT ?", row.id, perSeries)
        .toArray()
        .reverse();
      return { key: row.key, name: row.name, tags: JSON.parse(row.tags) as Tags, ts: rows.map((r) => r.ts), values: rows.map((r) => r.value) };
    });
  }

  private ids(): Map<string, number> {
    if (!this.seriesIds) {
      this.seriesIds = new Map(this.sql.exec<{ id: number; key: string }>("SELECT id, key FROM series").toArray().map((row) => [row.key, row.id]));
    }
    return this.seriesIds;
  }

  private seriesId(point: Point): number {
    const ids = this.ids();
    let id = ids.get(point.key);
    if (id === undefined) {
      id = this.sql
        .exec<{ id: number }>("INSERT INTO series (key, name, tags) VALUES (?, ?, ?) RETURNING id", point.key, point.name, JSON.stringify(point.tags))
        .one().id;
      ids.set(point.key, id);
    }
    return id;
  }
}
