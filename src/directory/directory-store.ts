import type { DirectoryEntry } from "./directory-contract";

const SCHEMA = `
-- One row per dashboard whose id hashes to this shard.
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY,                         -- dashboard id
  title TEXT NOT NULL,
  folded TEXT NOT NULL,                        -- the title lower-cased, for case-insensitive search
  private INTEGER NOT NULL,                    -- 1: private
  created INTEGER NOT NULL                     -- creation time of the dashboard, ms since the epoch
) WITHOUT ROWID;
`;

type EntryRow = { id: string; title: string; private: number; created: number };

/** The entries of one directory shard, in its SQLite storage. Synchronous, as the storage API is. */
export class DirectoryStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  /** Adds or replaces the entry of `entry.id`. */
  put(entry: DirectoryEntry): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO entries (id, title, folded, private, created) VALUES (?, ?, ?, ?, ?)",
      entry.id,
      entry.title,
      entry.title.toLowerCase(),
      entry.private ? 1 : 0,
      entry.created,
    );
  }

  /**
   * Removes the entry of `id`; with `created`, only the entry of the dashboard created then,
   * so a repair for a deleted dashboard never removes the entry of one created again since.
   */
  remove(id: string, created?: number): void {
    if (created === undefined) this.sql.exec("DELETE FROM entries WHERE id = ?", id);
    else this.sql.exec("DELETE FROM entries WHERE id = ? AND created = ?", id, created);
  }

  /**
   * Up to `limit` entries with ids after `after`, in id order, whose id or title holds
   * `search` (lower-cased; null: every entry). Reads entries in id order until it has them.
   */
  list(after: string, search: string | null, limit: number): DirectoryEntry[] {
    const rows =
      search === null
        ? this.sql.exec<EntryRow>("SELECT id, title, private, created FROM entries WHERE id > ? ORDER BY id LIMIT ?", after, limit)
        : this.sql.exec<EntryRow>(
            "SELECT id, title, private, created FROM entries WHERE id > ? AND (instr(id, ?) > 0 OR instr(folded, ?) > 0) ORDER BY id LIMIT ?",
            after,
            search,
            search,
            limit,
          );
    return rows.toArray().map((row) => ({ id: row.id, title: row.title, private: row.private === 1, created: row.created }));
  }
}
