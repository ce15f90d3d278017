// A 6-hour history query over one-point requests, before and after maintenance merges their
// chunks, timed inside workerd: 10 series × 21,600 points one second apart, each request one
// point per series, stored straight through the object's ingest.
// Command: npx vitest run --config bench/in-runtime/vitest.config.ts
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { createDashboard } from "../../test/worker/api";
import { point, store } from "../../test/worker/direct-ingest";
import type { HistoryResult } from "../../src/common/protocol";

const SERIES = 10;
const REQUESTS = 21_600;
const QUERIES = 5;

it("times a 6-hour history query over one-point chunks, then over merged ones", async () => {
  const { id } = await createDashboard();
  const stub = env.DASHBOARD.getByName(id);
  const now = Date.now();
  const start = now - REQUESTS * 1000;
  await runInDurableObject(stub, (instance: Dashboard) => {
    for (let i = 0; i < REQUESTS; i++) {
      const answer = store(instance, Array.from({ length: SERIES }, (_, s) => point(`sensor.s${s}`, start + i * 1000, Math.sin(i / 60 + s))));
      expect(answer.status).toBe("stored");
    }
  });
  const rows = () => runInDurableObject(stub, (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chunks").one().n);
  const time = async () => {
    const ms: number[] = [];
    let body = "";
    for (let q = 0; q < QUERIES; q++) {
      const began = performance.now();
      const response = await SELF.fetch(`http://localhost/api/dashboards/${id}/series?from=${start}&to=${now}`);
      body = await response.text();
      ms.push(performance.now() - began);
    }
    const result = JSON.parse(body) as HistoryResult;
    expect(result.source).toBe("raw");
    expect(result.series.reduce((sum, s) => sum + s.count.reduce((a, b) => a + b, 0), 0)).toBe(SERIES * REQUESTS);
    return { ms: ms.sort((a, b) => a - b), body };
  };
  const unmergedRows = await rows();
  const unmerged = await time();
  // As the alarm does, pass after pass until every point is rolled up and merged.
  await runInDurableObject(stub, (instance: Dashboard) => {
    while (instance.maintain(Date.now()).pending > 0);
  });
  const mergedRows = await rows();
  const merged = await time();
  expect(merged.body).toBe(unmerged.body);
  const line = (label: string, rowCount: number, ms: number[]) =>
    `${label}: ${rowCount} chunk rows, query median ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms (${ms.map((m) => m.toFixed(1)).join(", ")})`;
  console.log(`6-hour history query, ${SERIES} series × ${REQUESTS} one-point requests, inside workerd (performance.now advances across I/O only)`);
  console.log(line("one-point chunks", unmergedRows, unmerged.ms));
  console.log(line("after maintenance", mergedRows, merged.ms));
});
