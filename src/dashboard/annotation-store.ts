import type { Annotation, Tags } from "../common/protocol";
import { limits } from "../common/limits";
import { tableExists } from "./dashboard-store";

/** An annotation as written: its time, text and tags. */
export type AnnotationInput = Omit<Annotation, "id">;

const SCHEMA = `
-- Points in time with a text, drawn on the dashboard's time charts.
CREATE TABLE IF NOT EXISTS annotations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,        -- never reused, so a removal names one annotation for good
  ts INTEGER NOT NULL,                         -- when, ms since the epoch
  text TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '{}'              -- JSON object of the tags
);
CREATE INDEX IF NOT EXISTS annotations_by_time ON annotations (ts);
`;

type AnnotationRow = { id: number; ts: number; text: string; tags: string };

/**
 * A dashboard's annotations, in a table of their own in the object's SQLite storage, made by
 * the first write (a dashboard that never had one keeps no table, and reading one makes
 * none). The caller has checked that the dashboard exists.
 */
export class AnnotationStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Stores `inputs` (within the dashboard's limit; the caller checks `room` first); returns them with their ids, in time order. */
  add(inputs: readonly AnnotationInput[]): Annotation[] {
    if (!this.exists()) this.sql.exec(SCHEMA);
    const added = inputs.map((input) => {
      const { id } = this.sql
        .exec<{ id: number }>("INSERT INTO annotations (ts, text, tags) VALUES (?, ?, ?) RETURNING id", input.ts, input.text, JSON.stringify(input.tags))
        .one();
      return { id, ts: input.ts, text: input.text, tags: input.tags };
    });
    return added.sort((a, b) => a.ts - b.ts || a.id - b.id);
  }

  /** How many more annotations the dashboard may keep. */
  room(): number {
    if (!this.exists()) return limits.maxAnnotationsPerDashboard;
    return limits.maxAnnotationsPerDashboard - this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM annotations").one().n;
  }

  /** Annotations with times in [`from`, `to`), in time order, at most `limit` (the earliest). */
  list(from: number, to: number, limit: number): Annotation[] {
    if (!this.exists()) return [];
    return this.sql
      .exec<AnnotationRow>("SELECT id, ts, text, tags FROM annotations WHERE ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?", from, to, limit)
      .toArray()
      .map((row) => ({ id: row.id, ts: row.ts, text: row.text, tags: JSON.parse(row.tags) as Tags }));
  }

  /** Removes annotation `id`; false when there is none. */
  remove(id: number): boolean {
    if (!this.exists()) return false;
    return this.sql.exec("DELETE FROM annotations WHERE id = ? RETURNING id", id).toArray().length > 0;
  }

  /** Removes at most `limit` annotations older than `cutoff` (maintenance); returns how many. */
  prune(cutoff: number, limit: number): number {
    if (!this.exists()) return 0;
    return this.sql.exec("DELETE FROM annotations WHERE id IN (SELECT id FROM annotations WHERE ts < ? ORDER BY ts LIMIT ?) RETURNING id", cutoff, limit).toArray().length;
  }

  /** Asked each time (reading sqlite_master creates nothing): a write rolled back may have taken the table with it. */
  private exists(): boolean {
    return tableExists(this.sql, "annotations");
  }
}
