// What ingest writes to a dashboard's SQLite storage, per point: Durable Objects bill SQLite
// storage by rows written, so this counts them, from every SQL cursor's `rowsWritten` (the
// runtime's own count, read once each request is answered) plus the synchronous KV API's puts
// and deletes (a row each, in the object's hidden KV table), for a sensor posting one point a
// request and for requests of 5,000 points, and then for the maintenance that follows them
// (roll-ups, merging chunks), run to the end. Alarms set are counted apart.
// Command: npx vitest run --config bench/in-runtime/vitest.config.ts bench/in-runtime/rows-written.measure.ts
import { env, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { createDashboard, postMetrics, uniqueId } from "../../test/worker/api";
import { watchSqlWrites, type SqlWrites } from "../../test/worker/sql-writes";

const MINUTE = 60_000;

/** Writes counted in one object since `countWrites`, by kind. */
interface Writes {
  sqlRows: number;
  kvRows: number;
  alarms: number;
  statements: number;
}

/** KV writes and alarms set in the counted object, kept here (the tests and the objects share one isolate). */
const tally = { kvRows: 0, alarms: 0 };

/** From now on, counts the SQL rows, KV writes and alarms of dashboard `id`'s storage. */
async function countWrites(id: string): Promise<SqlWrites> {
  const sql = await watchSqlWrites(id);
  await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
    const kv = state.storage.kv;
    const put = kv.put.bind(kv);
    const remove = kv.delete.bind(kv);
    kv.put = ((key: string, value: unknown) => {
      tally.kvRows++;
      return put(key, value);
    }) as typeof kv.put;
    kv.delete = ((key: string) => {
      tally.kvRows++;
      return remove(key);
    }) as typeof kv.delete;
    const setAlarm = state.storage.setAlarm.bind(state.storage);
    state.storage.setAlarm = ((at: number | Date) => {
      tally.alarms++;
      return setAlarm(at);
    }) as typeof state.storage.setAlarm;
  });
  return sql;
}

/** The writes counted so far, and a fresh count from here. */
function takeWrites(sql: SqlWrites): Writes {
  const { rows, statements } = sql.take();
  const writes = { sqlRows: rows, kvRows: tally.kvRows, alarms: tally.alarms, statements };
  tally.kvRows = 0;
  tally.alarms = 0;
  return writes;
}

/** Runs maintenance passes (as the alarm would) until none is left to do. */
async function maintainToTheEnd(id: string, now: number): Promise<number> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
    let passes = 0;
    for (;;) {
      passes++;
      if (instance.maintain(now).pending === 0 || passes > 10_000) return passes;
    }
  });
}

const perPoint = (rows: number, points: number) => (rows / points).toFixed(3);

/**
 * Counts the rows of `requests` requests after a first one that creates the series, then of
 * maintenance; with `retried`, each request is sent a second time at once (a client whose
 * answer was lost), counted apart: the second replaces the first's points.
 */
async function measure(label: string, requests: number, pointsPerRequest: (request: number) => { name: string; value: number; ts: number }[], retried = false): Promise<void> {
  const { id, token } = await createDashboard(uniqueId("rows"));
  // The first request creates the series; counted apart, as a one-off.
  expect((await postMetrics(id, token, pointsPerRequest(0))).status).toBe(200);
  const sql = await countWrites(id);
  takeWrites(sql);
  let points = 0;
  const retries = { sqlRows: 0, kvRows: 0, statements: 0 };
  const firsts: Writes[] = [];
  for (let request = 1; request <= requests; request++) {
    const body = pointsPerRequest(request);
    points += body.length;
    const response = await postMetrics(id, token, body);
    expect(response.status).toBe(200);
    if (!retried) continue;
    // The first sends' writes are counted as without retries; the retries' apart.
    firsts.push(takeWrites(sql));
    const again = await postMetrics(id, token, body);
    expect(await again.json()).toMatchObject({ replaced: body.length });
    const retry = takeWrites(sql);
    retries.sqlRows += retry.sqlRows;
    retries.kvRows += retry.kvRows;
    retries.statements += retry.statements;
  }
  const ingest = [...firsts, takeWrites(sql)].reduce((sum, w) => ({
    sqlRows: sum.sqlRows + w.sqlRows,
    kvRows: sum.kvRows + w.kvRows,
    alarms: sum.alarms + w.alarms,
    statements: sum.statements + w.statements,
  }));
  const passes = await maintainToTheEnd(id, Date.now() + 2 * MINUTE);
  const maintenance = takeWrites(sql);
  console.log(
    `${label}: ${requests} requests, ${points} points. ` +
      `Ingest: ${ingest.sqlRows} SQL rows (${perPoint(ingest.sqlRows, points)} a point, ${(ingest.sqlRows / requests).toFixed(2)} a request) in ${ingest.statements} statements, ${ingest.kvRows} KV rows, ${ingest.alarms} alarms set. ` +
      `Maintenance (${passes} passes): ${maintenance.sqlRows} SQL rows (${perPoint(maintenance.sqlRows, points)} a point), ${maintenance.kvRows} KV rows, ${maintenance.alarms} alarms set. ` +
      `Together: ${perPoint(ingest.sqlRows + ingest.kvRows + maintenance.sqlRows + maintenance.kvRows, points)} rows a point.` +
      (retried ? ` Retries (each request sent again, replacing its points): ${retries.sqlRows} SQL rows (${perPoint(retries.sqlRows, points)} a point replaced, ${(retries.sqlRows / requests).toFixed(2)} a request) in ${retries.statements} statements, ${retries.kvRows} KV rows.` : ""),
  );
  expect(ingest.sqlRows).toBeGreaterThan(0);
}

it("counts the rows one-point requests write (a sensor posting every second)", async () => {
  const start = Date.now() - 10 * MINUTE;
  await measure("1-point requests", 600, (request) => [{ name: "boiler.temp", value: 60 + (request % 7), ts: start + request * 1000 }]);
}, 300_000);

it("counts the rows 5,000-point requests write (50 series x 100 points each)", async () => {
  const start = Date.now() - 60 * MINUTE;
  await measure("5,000-point requests", 20, (request) =>
    Array.from({ length: 5_000 }, (_, i) => ({ name: `fleet.s${i % 50}`, value: i, ts: start + request * 100_000 + Math.floor(i / 50) * 1000 })),
  );
}, 300_000);

it("counts the rows one-point requests write when each is sent twice (the retry replaces its point)", async () => {
  const start = Date.now() - 10 * MINUTE;
  await measure("1-point requests, each retried", 600, (request) => [{ name: "boiler.temp", value: 60 + (request % 7), ts: start + request * 1000 }], true);
}, 300_000);

it("counts the rows 5,000-point requests write when each is sent twice (the retry replaces its points)", async () => {
  const start = Date.now() - 60 * MINUTE;
  await measure(
    "5,000-point requests, each retried",
    20,
    (request) => Array.from({ length: 5_000 }, (_, i) => ({ name: `fleet.s${i % 50}`, value: i, ts: start + request * 100_000 + Math.floor(i / 50) * 1000 })),
    true,
  );
}, 300_000);
