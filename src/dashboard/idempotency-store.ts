import { tableExists } from "./dashboard-store";
import type { IngestAnswer, IngestRecord, Remembered } from "./ingest-contract";

/** How long an `Idempotency-Key` is remembered: a retry within this window gets the first answer. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  body_hash TEXT NOT NULL,
  accepted INTEGER NOT NULL,
  seq_from INTEGER,
  seq_to INTEGER,
  total INTEGER NOT NULL,
  rejected_digest TEXT NOT NULL,
  refused_series BLOB,
  created_at INTEGER NOT NULL,
  replaced INTEGER NOT NULL DEFAULT 0,
  refused_points BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency (created_at);
`;

/** The table of an older version, which kept each whole answer; read until its rows expire. */
const LEGACY_TABLE = "idempotency_answers";

type RecordRow = {
  /** SHA-256 hex of the body the key first came with. */
  body_hash: string;
  /** Points stored. */
  accepted: number;
  /** First sequence number given, or null when nothing was stored. */
  seq_from: number | null;
  /** Last sequence number given, or null when nothing was stored. */
  seq_to: number | null;
  /** Items in the request. */
  total: number;
  /** Digest of the list of rejections. */
  rejected_digest: string;
  /** Bitset of the series batches the series cap refused, or null. */
  refused_series: ArrayBuffer | null;
  /** Points that took the place of stored ones. */
  replaced: number;
  /** Uint32 pairs (series batch, point) of the points the store refused, or null. */
  refused_points: ArrayBuffer | null;
};

/**
 * Answers remembered by `Idempotency-Key`, in the dashboard's SQLite storage so they
 * survive eviction. A key is bound to the SHA-256 of the body it first came with. A row is
 * about 120 bytes plus the key whatever the request held: 5,000 rejected items cost no more.
 */
export class IdempotencyStore {
  /** Whether this instance has checked the tables (made or upgraded them as needed). */
  private ready = false;
  /** Whether the older version's table of whole answers is still there. */
  private legacy = false;

  constructor(private readonly sql: SqlStorage) {}

  /** Makes the table; part of creating a dashboard, since an unknown id must create nothing. */
  create(): void {
    this.sql.exec(SCHEMA);
    this.ready = true;
  }

  /** The remembered answer for `key`, if any within the window. */
  lookup(key: string, now: number): Remembered | null {
    this.prepare();
    const since = now - IDEMPOTENCY_WINDOW_MS;
    const row = this.sql.exec<RecordRow>("SELECT * FROM idempotency WHERE key = ? AND created_at > ?", key, since).toArray()[0];
    if (row) {
      const seq = row.seq_from === null || row.seq_to === null ? null : { from: row.seq_from, to: row.seq_to };
      const refusedSeries = row.refused_series === null ? null : new Uint8Array(row.refused_series);
      const refusedPoints = row.refused_points === null ? null : new Uint32Array(row.refused_points);
      const record = { accepted: row.accepted, seq, total: row.total, rejectedDigest: row.rejected_digest, refusedSeries, replaced: row.replaced, refusedPoints };
      return { bodyHash: row.body_hash, record };
    }
    if (!this.legacy) return null;
    const legacy = this.sql
      .exec<{ body_hash: string; answer: string }>(`SELECT body_hash, answer FROM ${LEGACY_TABLE} WHERE key = ? AND created_at > ?`, key, since)
      .toArray()[0];
    return legacy ? { bodyHash: legacy.body_hash, answer: JSON.parse(legacy.answer) as IngestAnswer } : null;
  }

  remember(key: string, bodyHash: string, record: IngestRecord, now: number): void {
    this.prepare();
    this.sql.exec(
      "INSERT OR REPLACE INTO idempotency (key, body_hash, accepted, seq_from, seq_to, total, rejected_digest, refused_series, created_at, replaced, refused_points) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      key,
      bodyHash,
      record.accepted,
      record.seq?.from ?? null,
      record.seq?.to ?? null,
      record.total,
      record.rejectedDigest,
      record.refusedSeries,
      now,
      record.replaced,
      record.refusedPoints && (record.refusedPoints.buffer as ArrayBuffer),
    );
  }

  /**
   * Forgets at most `limit` keys older than the window, oldest first, so one pass holds the
   * object for a bounded time; returns how many. The older version's table goes once empty.
   */
  prune(now: number, limit: number): number {
    this.prepare();
    const cutoff = now - IDEMPOTENCY_WINDOW_MS;
    // RETURNING counts rows; the cursor's rowsWritten would count index entries too.
    let pruned = this.sql
      .exec("DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE created_at <= ? ORDER BY created_at LIMIT ?) RETURNING key", cutoff, limit)
      .toArray().length;
    if (this.legacy && pruned < limit) {
      pruned += this.sql
        .exec(`DELETE FROM ${LEGACY_TABLE} WHERE key IN (SELECT key FROM ${LEGACY_TABLE} WHERE created_at <= ? LIMIT ?) RETURNING key`, cutoff, limit - pruned)
        .toArray().length;
      if (this.sql.exec(`SELECT 1 FROM ${LEGACY_TABLE} LIMIT 1`).toArray().length === 0) {
        this.sql.exec(`DROP TABLE ${LEGACY_TABLE}`);
        this.legacy = false;
      }
    }
    return pruned;
  }

  /** When the oldest remembered key expires, or null when none is kept. */
  nextExpiry(): number | null {
    this.prepare();
    let oldest = this.sql.exec<{ at: number | null }>("SELECT min(created_at) AS at FROM idempotency").one().at;
    if (this.legacy) {
      const legacy = this.sql.exec<{ at: number | null }>(`SELECT min(created_at) AS at FROM ${LEGACY_TABLE}`).one().at;
      if (legacy !== null && (oldest === null || legacy < oldest)) oldest = legacy;
    }
    return oldest === null ? null : oldest + IDEMPOTENCY_WINDOW_MS;
  }

  /**
   * Brings an existing dashboard's table up to date, once per instance (callers have checked
   * the dashboard exists): an older version's table of whole answers is renamed aside and
   * read until its rows expire, and the compact table is made beside it.
   */
  private prepare(): void {
    if (this.ready) return;
    const table = this.sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'idempotency'").toArray()[0];
    if (table && /\banswer\b/.test(table.sql) && !tableExists(this.sql, LEGACY_TABLE)) this.sql.exec(`ALTER TABLE idempotency RENAME TO ${LEGACY_TABLE}`);
    else if (table && !/\brefused_points\b/.test(table.sql)) {
      // A table from before point identity: what a replay needs of the store's answer.
      this.sql.exec("ALTER TABLE idempotency ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0");
      this.sql.exec("ALTER TABLE idempotency ADD COLUMN refused_points BLOB");
    }
    this.sql.exec(SCHEMA);
    this.legacy = tableExists(this.sql, LEGACY_TABLE);
    this.ready = true;
  }
}
