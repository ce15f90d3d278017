import { constantTimeEqual } from "./secrets";
import type { TokenScope } from "./token-scope";
import { tableExists } from "./dashboard-store";

/**
 * A dashboard's tokens: each named, with a scope, kept only as the SHA-256 of its secret, and
 * when it was made and last used. One table in the dashboard's SQLite storage. A dashboard
 * made before tokens had names has its ingest token and view key as columns of its
 * `dashboard` row; the first time its tokens are needed they become its first two tokens
 * ("ingest token", scope `edit`, as it could change settings; "view key", scope `read`), so
 * its clients see no change. Those columns are then never read for access again.
 */

const SCHEMA = `
-- One row per token of the dashboard.
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,                         -- public id, tk_…, named in the API
  name TEXT NOT NULL,                          -- what its holder is, e.g. "boiler sensor"
  scope TEXT NOT NULL,                         -- write, edit or read (token-scope.ts)
  hash TEXT NOT NULL,                          -- SHA-256 hex of the secret
  created_at INTEGER NOT NULL,                 -- ms since the epoch
  last_used_at INTEGER                         -- ms since the epoch, to the minute (see LAST_USE_RESOLUTION_MS); NULL: never
);
`;

/**
 * Last use is written at most once per token per this many ms: a sensor writing every second
 * costs one row write a minute, not one per request.
 */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** A token as the dashboard keeps it. */
export interface TokenRecord {
  /** Public id (`tk_…`). */
  id: string;
  /** Name given at creation, 1-64 characters. */
  name: string;
  /** What it may do. */
  scope: TokenScope;
  /** SHA-256 hex of the secret. */
  hash: string;
  /** Creation time, ms since the epoch. */
  createdAt: number;
  /** Last time it was used (within {@link LAST_USE_RESOLUTION_MS}), or null when never. */
  lastUsedAt: number | null;
}

/** A token as the API lists it: never its secret or its hash. */
export type TokenInfo = Omit<TokenRecord, "hash">;

/** A dashboard made before named tokens: its row's ingest token hash, view key hash and creation time. */
export interface LegacySecrets {
  /** SHA-256 hex of its ingest token. */
  tokenHash: string;
  /** SHA-256 hex of its view key; null for a public dashboard. */
  viewKeyHash: string | null;
  /** When the dashboard was made: the two tokens' creation time. */
  createdAt: number;
}

type TokenRow = { id: string; name: string; scope: string; hash: string; created_at: number; last_used_at: number | null };

/** A new token id: `tk_` and 9 random bytes, base64url (12 characters). */
export function newTokenId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return "tk_" + btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

/** The API's view of a token. */
export function tokenInfo(record: TokenRecord): TokenInfo {
  return { id: record.id, name: record.name, scope: record.scope, createdAt: record.createdAt, lastUsedAt: record.lastUsedAt };
}

/**
 * The owner of the `tokens` table, over the object's SQLite storage, with every row cached
 * (a dashboard holds at most `limits.maxTokensPerDashboard`). Synchronous, as the storage
 * API is. Only ever used for a dashboard that exists: `legacy` gives its row.
 */
export class TokenStore {
  private cached: TokenRecord[] | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly legacy: () => LegacySecrets,
  ) {}

  /** Makes the table with a new dashboard's first tokens (in the caller's transaction). */
  create(first: { name: string; scope: TokenScope; hash: string }[], now: number): TokenRecord[] {
    this.sql.exec(SCHEMA);
    this.cached = [];
    return first.map((token) => this.add(token, now));
  }

  /** Every token, oldest first. */
  list(): TokenRecord[] {
    return [...this.loaded()];
  }

  /** How many tokens the dashboard holds. */
  count(): number {
    return this.loaded().length;
  }

  /** Adds a token. */
  add(token: { name: string; scope: TokenScope; hash: string }, now: number): TokenRecord {
    const record: TokenRecord = { id: newTokenId(), name: token.name, scope: token.scope, hash: token.hash, createdAt: now, lastUsedAt: null };
    this.sql.exec("INSERT INTO tokens (id, name, scope, hash, created_at) VALUES (?, ?, ?, ?, ?)", record.id, record.name, record.scope, record.hash, record.createdAt);
    this.loaded().push(record);
    return record;
  }

  /**
   * The token whose secret hashes to `hash`, or null. Every token is compared, each in
   * constant time, so how long it takes tells nothing of which one came close.
   */
  byHash(hash: string): TokenRecord | null {
    let found: TokenRecord | null = null;
    for (const record of this.loaded()) if (constantTimeEqual(record.hash, hash)) found = record;
    return found;
  }

  /** Removes token `id`; null when there is none. */
  remove(id: string): TokenRecord | null {
    const tokens = this.loaded();
    const index = tokens.findIndex((record) => record.id === id);
    if (index < 0) return null;
    this.sql.exec("DELETE FROM tokens WHERE id = ?", id);
    return tokens.splice(index, 1)[0]!;
  }

  /** Records that `record` was used at `now`: written only when the last record is a minute old. */
  used(record: TokenRecord, now: number): void {
    if (record.lastUsedAt !== null && now - record.lastUsedAt < LAST_USE_RESOLUTION_MS) return;
    record.lastUsedAt = now;
    this.sql.exec("UPDATE tokens SET last_used_at = ? WHERE id = ?", now, record.id);
  }

  /** Forgets the cached rows (after a transaction that touched them rolled back). */
  forget(): void {
    this.cached = null;
  }

  private loaded(): TokenRecord[] {
    if (this.cached === null) {
      if (!tableExists(this.sql, "tokens")) this.migrate();
      this.cached = this.sql.exec<TokenRow>("SELECT * FROM tokens ORDER BY created_at, rowid").toArray().map((row) => ({
        id: row.id,
        name: row.name,
        scope: row.scope as TokenScope,
        hash: row.hash,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
      }));
    }
    return this.cached;
  }

  /** A dashboard made before named tokens: its ingest token and view key become its first tokens. */
  private migrate(): void {
    const legacy = this.legacy();
    // Synchronous writes with no await between them are one implicit transaction (the output gate).
    this.sql.exec(SCHEMA);
    const insert = (name: string, scope: TokenScope, hash: string) =>
      this.sql.exec("INSERT INTO tokens (id, name, scope, hash, created_at) VALUES (?, ?, ?, ?, ?)", newTokenId(), name, scope, hash, legacy.createdAt);
    insert("ingest token", "edit", legacy.tokenHash);
    if (legacy.viewKeyHash !== null) insert("view key", "read", legacy.viewKeyHash);
  }
}
