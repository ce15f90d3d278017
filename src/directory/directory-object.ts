import { DurableObject } from "cloudflare:workers";
import type { DirectoryEntry } from "./directory-contract";
import { DirectoryStore } from "./directory-store";

/**
 * One shard of the directory of dashboards (see `directory-contract.ts`): the entries of the
 * dashboards whose ids hash to it. Entry points only; the SQL is `DirectoryStore`'s. Only
 * dashboards write here (each its own entry, see `registration.ts`), and the Worker's listing
 * reads and repairs it.
 */
export class Directory extends DurableObject<Env> {
  private readonly store: DirectoryStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DirectoryStore(ctx.storage.sql);
  }

  /** Adds or replaces a dashboard's entry. */
  put(entry: DirectoryEntry): void {
    this.store.put(entry);
  }

  /** Removes a dashboard's entry (with `created`: only that dashboard's, not a later one's of the same id). */
  remove(id: string, created?: number): void {
    this.store.remove(id, created);
  }

  /** Up to `limit` entries after `after` in id order, whose id or title holds `search` (lower-cased), if given. */
  list(after: string, search: string | null, limit: number): DirectoryEntry[] {
    return this.store.list(after, search, limit);
  }
}
