import type { Dashboard } from "../dashboard/dashboard-object";
import type { ListedDashboard } from "../common/directory-listing";
import { DIRECTORY_SHARDS, directoryShard, shardFor, type DirectoryEntry, type StatsOutcome } from "./directory-contract";

/** What a page of the listing asks for. */
export interface PageQuery {
  /** Only ids after this one ("" from the start). */
  after: string;
  /** Only dashboards whose id or title holds this, in any case; null: all. */
  search: string | null;
  /** Most dashboards on the page. */
  limit: number;
}

/** A page of the listing, and the id the next page starts after (null: this is the last). */
export interface DirectoryPage {
  /** The page's dashboards, in id order. */
  dashboards: ListedDashboard[];
  /** The id of the page's last entry when more follow, else null. */
  next: string | null;
}

/**
 * One page of the directory, in id order: every shard is asked for its first `limit + 1`
 * matching entries after `after` (one call per shard), the first `limit` of them all are the
 * page, and each of those dashboards is asked for its live facts (one call per dashboard), all
 * in parallel. An entry whose dashboard answers that it does not exist (deleted while its
 * entry's removal failed) is removed from its shard and left out, so a page may hold fewer
 * than `limit`; `next` still says where the following page starts.
 */
export async function directoryPage(env: Env, query: PageQuery): Promise<DirectoryPage> {
  const search = query.search === null ? null : query.search.toLowerCase();
  const shards = await Promise.all(Array.from({ length: DIRECTORY_SHARDS }, (_, index) => directoryShard(env, index).list(query.after, search, query.limit + 1)));
  const entries = shards.flat().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = entries.slice(0, query.limit);
  const listed = await Promise.all(page.map((entry) => listedDashboard(env, entry)));
  return {
    dashboards: listed.filter((dashboard): dashboard is ListedDashboard => dashboard !== null),
    next: entries.length > query.limit ? page.at(-1)!.id : null,
  };
}

/** An entry as listed, with its dashboard's live facts; null when the dashboard no longer exists (its entry is removed). */
async function listedDashboard(env: Env, entry: DirectoryEntry): Promise<ListedDashboard | null> {
  let outcome: StatsOutcome;
  try {
    outcome = await (env.DASHBOARD.getByName(entry.id) as DurableObjectStub<Dashboard>).stats();
  } catch (err) {
    console.warn(`asking dashboard "${entry.id}" for its listing failed`, err);
    return { id: entry.id, title: entry.title, private: entry.private, createdAt: entry.created, stats: null };
  }
  if (outcome.status === "not_found") {
    // Only this dashboard's entry: one created again under the id since keeps its own.
    await shardFor(env, entry.id)
      .remove(entry.id, entry.created)
      .catch((err: unknown) => console.warn(`removing the stale entry of "${entry.id}" failed`, err));
    return null;
  }
  const { entry: current, ...stats } = outcome.stats;
  return { id: current.id, title: current.title, private: current.private, createdAt: current.created, stats };
}
