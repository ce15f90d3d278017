import { env, runInDurableObject } from "cloudflare:test";
import type { Dashboard } from "../../src/dashboard/dashboard-object";

/** SQL rows written, as the runtime counts them (index entries included), by statement (its text up to the first " ("). */
export interface SqlWrites {
  /** Rows written since the last `take`, by statement; the count starts afresh. */
  take(): { byStatement: Map<string, number>; rows: number; statements: number };
}

/**
 * From now on, keeps every SQL cursor of dashboard `id`'s storage (the tests and the objects
 * share one isolate), so that the rows each statement wrote can be read once it has run.
 */
export async function watchSqlWrites(id: string): Promise<SqlWrites> {
  let cursors: [string, SqlStorageCursor<Record<string, SqlStorageValue>>][] = [];
  await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
    const exec = state.storage.sql.exec.bind(state.storage.sql);
    state.storage.sql.exec = ((query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...bindings);
      cursors.push([query.split(" (")[0]!.trim(), cursor]);
      return cursor;
    }) as typeof exec;
  });
  return {
    take() {
      const byStatement = new Map<string, number>();
      let rows = 0;
      for (const [statement, cursor] of cursors) {
        rows += cursor.rowsWritten;
        if (cursor.rowsWritten > 0) byStatement.set(statement, (byStatement.get(statement) ?? 0) + cursor.rowsWritten);
      }
      const statements = cursors.length;
      cursors = [];
      return { byStatement, rows, statements };
    },
  };
}
