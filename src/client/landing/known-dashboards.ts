/**
 * Dashboards this browser has created or opened, kept in localStorage so the landing page
 * can list them: ids, titles, and for a private dashboard the view key it was opened with, so
 * its link reopens it. Never an ingest token or any token that writes: a view key only reads
 * a dashboard this browser has already been shown, and the origin's pages run only their own
 * scripts (`script-src 'self'`). "Forget" removes the entry with its key; a key the server
 * refuses is dropped.
 *
 * Storage can be missing or full (private windows, quotas, disabled by policy); remembering
 * then does nothing and the list reads as empty, so neither page ever fails because of it.
 */

/** One remembered dashboard. */
export interface KnownDashboard {
  /** Dashboard id, as in `/d/<id>`. */
  id: string;
  /** Its title when last seen (the id when it had none). */
  title: string;
  /** Whether it was created private, so the list can say its page needs the view key. */
  private: boolean;
  /** When this browser last created or opened it, in ms since the epoch. */
  seenAt: number;
  /** Private only: the view key it was created or opened with, so the link can reopen it. */
  viewKey?: string;
}

const storageKey = "pulseboard.known-dashboards";
/** How view keys and `read` tokens begin (src/dashboard/secrets.ts); tokens that write begin `pb_`. */
const viewKeyPrefix = "pbv_";
/** Enough to find one's own dashboards; older entries drop off so the list stays readable. */
const maxKnown = 50;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    // Reading `localStorage` itself throws where storage is disabled.
    return undefined;
  }
}

function isKnownDashboard(value: unknown): value is KnownDashboard {
  const entry = value as Partial<KnownDashboard> | null;
  return (
    typeof entry === "object" &&
    entry !== null &&
    typeof entry.id === "string" &&
    typeof entry.title === "string" &&
    typeof entry.seenAt === "number"
  );
}

/** The remembered dashboards, most recently seen first; empty when storage is unreadable. */
export function knownDashboards(): KnownDashboard[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage()?.getItem(storageKey) ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(isKnownDashboard)
    .map((entry) => ({ ...entry, private: entry.private === true, viewKey: typeof entry.viewKey === "string" && entry.viewKey !== "" ? entry.viewKey : undefined }))
    .sort((a, b) => b.seenAt - a.seenAt);
}

function save(entries: KnownDashboard[]): void {
  try {
    storage()?.setItem(storageKey, JSON.stringify(entries));
  } catch {
    // Quota exceeded or storage disabled: the list is a convenience, not worth an error.
  }
}

/**
 * Remembers dashboard `id` (or refreshes its title and time). `isPrivate` keeps what was
 * known before when not given, since a page that opens a dashboard may not know it; so does
 * `viewKey` (a reload of the page has it no more in its link). A public dashboard keeps no key.
 */
export function rememberDashboard(id: string, title: string, isPrivate?: boolean, viewKey?: string): void {
  const previous = knownDashboards();
  const before = previous.find((entry) => entry.id === id);
  const isPrivateNow = isPrivate ?? before?.private ?? false;
  // Only a read-only key is kept: any token of the dashboard opens it, but one that writes
  // (`pb_…`) has no place in storage that outlives the tab.
  const readOnly = viewKey !== undefined && viewKey.startsWith(viewKeyPrefix) ? viewKey : undefined;
  const key = isPrivateNow ? (readOnly ?? before?.viewKey) : undefined;
  const entry: KnownDashboard = {
    id,
    title: title || id,
    private: isPrivateNow,
    seenAt: Date.now(),
    ...(key !== undefined && { viewKey: key }),
  };
  save([entry, ...previous.filter((known) => known.id !== id)].slice(0, maxKnown));
}

/** Forgets dashboard `id` and its key (the list's "Forget", or the dashboard deleted). */
export function forgetDashboard(id: string): void {
  const previous = knownDashboards();
  if (previous.some((entry) => entry.id === id)) save(previous.filter((entry) => entry.id !== id));
}

/** Drops the kept key of `id`, which the server refused (revoked, or the dashboard made again): the entry stays. */
export function forgetKnownViewKey(id: string): void {
  const previous = knownDashboards();
  if (!previous.some((entry) => entry.id === id && entry.viewKey !== undefined)) return;
  save(previous.map((entry) => (entry.id === id ? { ...entry, viewKey: undefined } : entry)));
}
