import { env, runInDurableObject } from "cloudflare:test";

/** A raw point as stored, read straight from the dashboard's `chunks` table. */
export interface StoredPoint {
  seq: number;
  key: string;
  name: string;
  tags: string;
  ts: number;
  value: number;
}

/** Every raw point a dashboard keeps, in sequence order, unpacked here independently of the store. */
export function readStoredPoints(state: DurableObjectState): StoredPoint[] {
  const rows = state.storage.sql
    .exec<{ first_seq: number; ts: ArrayBuffer; vals: ArrayBuffer; seqs: ArrayBuffer | null; key: string; name: string; tags: string }>(
      "SELECT c.first_seq, c.ts, c.vals, c.seqs, s.key, s.name, s.tags FROM chunks c JOIN series s ON s.id = c.series_id",
    )
    .toArray();
  const points: StoredPoint[] = [];
  for (const row of rows) {
    const ts = new Float64Array(row.ts);
    const values = new Float64Array(row.vals);
    // A merged chunk lists its points' sequence numbers; any other numbers them on from its first.
    const seqs = row.seqs === null ? null : new Float64Array(row.seqs);
    ts.forEach((t, i) => points.push({ seq: seqs ? seqs[i]! : row.first_seq + i, key: row.key, name: row.name, tags: row.tags, ts: t, value: values[i]! }));
  }
  return points.sort((a, b) => a.seq - b.seq);
}

/** {@link readStoredPoints} of the dashboard `id`. */
export function storedPoints(id: string): Promise<StoredPoint[]> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (_instance, state) => readStoredPoints(state));
}
