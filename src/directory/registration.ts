import type { DirectoryEntry } from "./directory-contract";
import { shardFor } from "./directory-contract";

/** Storage key of the entry the directory last confirmed for this dashboard. */
const MARK_KEY = "directory";
/** After a failed registration, requests wait this long before trying again, in ms; doubled on each failure in a row. */
export const RETRY_FIRST_MS = 1_000;
/** The longest wait between tries: a directory down for hours is asked once a minute per dashboard that has requests. */
export const RETRY_MOST_MS = 60_000;

/** How long requests wait before trying again after `failures` failed registrations in a row (at least 1). */
function retryDelay(failures: number): number {
  return Math.min(RETRY_MOST_MS, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 30));
}

/**
 * A dashboard's entry in the directory, seen from the dashboard. The dashboard is created
 * first and registered after; it notes in its own storage the entry the directory confirmed,
 * so a dashboard whose noted entry is missing or differs from what it is now (never
 * registered, a registration that failed, a title changed since, a dashboard from before the
 * directory existed) registers again on its next request. A failed attempt is logged and
 * tried again by a request at least {@link RETRY_FIRST_MS} later (twice as long after each
 * failure in a row, at most a minute), so a directory that keeps failing is not asked on
 * every ingest request; `ensure` tries at once. It never gives up: a dashboard keeps trying
 * as long as it has requests, and each failure is logged with its count and the wait.
 */
export class Registration {
  /** The entry the directory confirmed, as noted in storage; undefined until read. */
  private confirmed: DirectoryEntry | null | undefined;
  private pending: Promise<boolean> | null = null;
  private retryAt = 0;
  private failures = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Registers `entry` (the dashboard as it stands) unless the directory has it, or an attempt failed a moment ago. */
  check(entry: DirectoryEntry): void {
    if (this.pending || this.listed(entry) || this.now() < this.retryAt) return;
    void this.register(entry);
  }

  /** Registers `entry` unless the directory has it; whether it has it now. */
  async ensure(entry: DirectoryEntry): Promise<boolean> {
    if (this.pending) await this.pending;
    return this.listed(entry) || this.register(entry);
  }

  /** Waits for an attempt under way, so that nothing is noted in storage after it is deleted. */
  async settled(): Promise<void> {
    if (this.pending) await this.pending;
  }

  /** The dashboard's storage was deleted: nothing is registered any more. */
  forget(): void {
    this.confirmed = null;
    this.retryAt = 0;
    this.failures = 0;
  }

  private listed(entry: DirectoryEntry): boolean {
    if (this.confirmed === undefined) this.confirmed = this.ctx.storage.kv.get<DirectoryEntry>(MARK_KEY) ?? null;
    const noted = this.confirmed;
    return noted !== null && noted.id === entry.id && noted.title === entry.title && noted.private === entry.private && noted.created === entry.created;
  }

  private register(entry: DirectoryEntry): Promise<boolean> {
    // Started on the next turn, so that whatever fails (a missing binding too) fails the attempt, never the request.
    const attempt = Promise.resolve()
      .then(() => shardFor(this.env, entry.id).put(entry))
      .then(
        () => {
          this.ctx.storage.kv.put(MARK_KEY, entry);
          this.confirmed = entry;
          this.failures = 0;
          return true;
        },
        (err: unknown) => {
          this.failures++;
          const wait = retryDelay(this.failures);
          this.retryAt = this.now() + wait;
          console.warn(`registering dashboard "${entry.id}" in the directory failed (${this.failures} in a row); a request from ${wait / 1000} s on tries again`, err);
          return false;
        },
      )
      .finally(() => {
        if (this.pending === attempt) this.pending = null;
      });
    this.pending = attempt;
    return attempt;
  }
}
