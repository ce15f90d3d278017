/**
 * Dashboards this browser has created or opened, kept in localStorage so the landing page
 * can list them. Only ids and titles are kept: never an ingest token or a view key, since
 * anything in localStorage is readable by every script on the origin.
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
}

const storageKey = "pulseboard.known-dashboards";
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
    .map((entry) => ({ ...entry, private: entry.private === true }))
    .sort((a, b) => b.seenAt - a.seenAt);
}

/**
 * Remembers dashboard `id` (or refreshes its title and time). `isPrivate` keeps what was
 * known before when not given, since a page that opens a dashboard may not know it.
 */
export function rememberDashboard(id: string, title: string, isPrivate?: boolean): void {
  const previous = knownDashboards();
  const before = previous.find((entry) => entry.id === id);
  const entry: KnownDashboard = {
    id,
    title: title || id,
    private: isPrivate ?? before?.private ?? false,
    seenAt: Date.now(),
  };
  const next = [entry, ...previous.filter((known) => known.id !== id)].slice(0, maxKnown);
  try {
    storage()?.setItem(storageKey, JSON.stringify(next));
  } catch {
    // Quota exceeded or storage disabled: the list is a convenience, not worth an error.
  }
}
