import type { IngestAnswer } from "./ingest-answer";

/** How long an `Idempotency-Key` is remembered: a retry within this window gets the first answer. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60_000;

/**
 * Answers remembered by `Idempotency-Key`, in the dashboard's SQLite storage so they
 * survive eviction. A key is bound to the SHA-256 of the body it first came with.
 */
export class IdempotencyStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      key TEXT PRIMARY KEY,
      body_hash TEXT NOT NULL,
      answer TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  }

  /** The remembered answer for `key`, if any within the window. */
  lookup(key: string, now: number): { bodyHash: string; answer: IngestAnswer } | null {
    const row = this.sql
      .exec<{ body_hash: string; answer: string }>("SELECT body_hash, answer FROM idempotency WHERE key = ? AND created_at > ?", key, now - IDEMPOTENCY_WINDOW_MS)
      .toArray()[0];
    return row ? { bodyHash: row.body_hash, answer: JSON.parse(row.answer) as IngestAnswer } : null;
  }

  remember(key: string, bodyHash: string, answer: IngestAnswer, now: number): void {
    this.sql.exec("INSERT OR REPLACE INTO idempotency (key, body_hash, answer, created_at) VALUES (?, ?, ?, ?)", key, bodyHash, JSON.stringify(answer), now);
  }

  /** Forgets keys older than the window; returns how many. */
  prune(now: number): number {
    const cutoff = now - IDEMPOTENCY_WINDOW_MS;
    const n = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM idempotency WHERE created_at <= ?", cutoff).one().n;
    if (n > 0) this.sql.exec("DELETE FROM idempotency WHERE created_at <= ?", cutoff);
    return n;
  }

  /** When the oldest remembered key expires, or null when none is kept. */
  nextExpiry(): number | null {
    const oldest = this.sql.exec<{ at: number | null }>("SELECT min(created_at) AS at FROM idempotency").one().at;
    return oldest === null ? null : oldest + IDEMPOTENCY_WINDOW_MS;
  }
}
