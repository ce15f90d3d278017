import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DashboardStore } from "../../src/dashboard/dashboard-store";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";
import { createDashboard } from "./api";
import { readStoredPoints } from "./stored-points";

/** One point for each of `names`, in that order. */
function batches(names: string[], ts: number) {
  const builder = new SeriesBatchBuilder();
  names.forEach((name, i) => builder.add(name, name, {}, ts + i, i, i));
  return builder.build();
}

describe("appending points", () => {
  it("leaves no trace of a failed append, not even a new series it had begun", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
      const store = new DashboardStore(state.storage);
      const now = Date.now();
      store.append(batches(["known"], now));
      // A trigger refusing the second sequence number the next append will give: its second
      // insert fails, after the first has made the series "fresh".
      state.storage.sql.exec("CREATE TRIGGER obstacle BEFORE INSERT ON chunks WHEN NEW.first_seq = 3 BEGIN SELECT RAISE(ABORT, 'obstacle'); END");
      expect(() => store.append(batches(["fresh", "other"], now))).toThrow();
      expect(store.listSeries().map((s) => s.key)).toEqual(["known"]);
      expect(store.meta()!.seq).toBe(1);

      // Once the obstacle is gone, the same append stores both series, each with its own row.
      state.storage.sql.exec("DROP TRIGGER obstacle");
      expect(store.append(batches(["fresh", "other"], now)).run).toMatchObject({ from: 2, to: 3 });
      expect(readStoredPoints(state).map((p) => [p.seq, p.key])).toEqual([
        [1, "known"],
        [2, "fresh"],
        [3, "other"],
      ]);
    });
  });
});
