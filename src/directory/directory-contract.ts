import type { DashboardFacts } from "../common/directory-listing";
import type { WriteRefusal } from "../dashboard/write-refusal";
import type { Directory } from "./directory-object";

/**
 * What the Worker, the dashboards and the directory's shards say to each other. Durable
 * Objects cannot be enumerated, so the directory keeps its own list of dashboards, one entry
 * per dashboard, spread over {@link DIRECTORY_SHARDS} shard objects by a hash of the id.
 */

/**
 * How many shards the directory has. Fixed: an entry is found in the shard its id hashes to,
 * so changing the number would lose every entry. 16 spreads creations, deletions and title
 * changes over 16 objects (each serves about 1,000 requests a second, a soft limit), while a
 * page of the listing still asks only 16 objects.
 */
export const DIRECTORY_SHARDS = 16;

/** One dashboard as the directory lists it. */
export interface DirectoryEntry {
  /** Dashboard id. */
  id: string;
  /** Its title, as last registered. */
  title: string;
  /** Whether it is private (readable only with its view key). */
  private: boolean;
  /** When it was created, ms since the epoch: tells one dashboard from a later one of the same id. */
  created: number;
}

/** What a dashboard says of itself when listed: its entry as it stands, and live facts. */
export interface DashboardStats extends DashboardFacts {
  /** Its entry, from the dashboard's own row (the directory's copy may lag a title change). */
  entry: DirectoryEntry;
}

/** A dashboard's answer to being listed. */
export type StatsOutcome = { status: "ok"; stats: DashboardStats } | { status: "not_found" };

/**
 * A dashboard's answer to being deleted: `incomplete` when a relay could not be reached
 * (nothing of the dashboard's own was removed), or why the credential may not delete it.
 */
export type DestroyOutcome = { status: "ok" } | { status: "incomplete" } | WriteRefusal;

/** The shard of `id`: FNV-1a (32 bits) of its characters, modulo the shard count. */
export function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DIRECTORY_SHARDS;
}

/** Shard `index` of the directory. */
export function directoryShard(env: Env, index: number): DurableObjectStub<Directory> {
  return env.DIRECTORY.getByName(`shard-${index}`) as DurableObjectStub<Directory>;
}

/** The shard that holds (or would hold) dashboard `id`'s entry. */
export function shardFor(env: Env, id: string): DurableObjectStub<Directory> {
  return directoryShard(env, shardOf(id));
}
