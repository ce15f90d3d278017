// What pruning in slices costs a dashboard, timed inside workerd: one series of 20,000 chunks
// of 64 points (1.28 million points, all rolled up) over a per-series cap of 6,400 points,
// pruned once in slices of at most 2,000 rows, as maintenance passes do (timed one at a time),
// and once, on an identical dashboard, by a single unbounded prune.
// Command: npx vitest run --config bench/in-runtime/vitest.config.ts bench/in-runtime/prune-slices.measure.ts
import { env, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { dashboardSettings } from "../../src/dashboard/dashboard-settings";
import { SMALL_CHUNK_POINTS } from "../../src/dashboard/chunk-merging";
import { prune, PRUNE_SLICE_ROWS, rollUp } from "../../src/dashboard/maintenance";
import { uniqueId } from "../../test/worker/api";
import { point, store } from "../../test/worker/direct-ingest";
import { storeOf } from "../../test/worker/object-store";

const CHUNKS = 20_000;
const KEPT_CHUNKS = 100;
const config = { ...dashboardSettings({}), rawPointsPerSeries: KEPT_CHUNKS * SMALL_CHUNK_POINTS };

/** A dashboard holding the chunks, all rolled up. */
async function filled(): Promise<DurableObjectStub<Dashboard>> {
  const id = uniqueId("prune");
  const stub = env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>;
  const start = Date.now() - 3_600_000;
  await runInDurableObject(stub, (instance: Dashboard, state) => {
    // Made in place: this measurement needs no admin token, and no HTTP.
    instance.create({ id, title: id, tokenHash: "-", viewKeyHash: null, now: Date.now() });
    for (let c = 0; c < CHUNKS; c++) store(instance, Array.from({ length: SMALL_CHUNK_POINTS }, (_, i) => point("busy", start + c * SMALL_CHUNK_POINTS + i, i)));
    while (rollUp(storeOf(instance), 100_000) > 0);
  });
  return stub;
}

const chunkRows = (stub: DurableObjectStub<Dashboard>) =>
  runInDurableObject(stub, (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chunks").one().n);

it("times pruning 19,900 chunks in slices of 2,000 rows, and in one transaction", async () => {
  const sliced = await filled();
  const passes: number[] = [];
  for (let more = true; more; ) {
    // performance.now advances across I/O only: each slice is timed from outside the object.
    // (Called directly rather than through alarms, which the runtime would also fire itself.)
    const began = performance.now();
    more = await runInDurableObject(sliced, (instance) => prune(storeOf(instance), Date.now(), config, PRUNE_SLICE_ROWS).more);
    passes.push(performance.now() - began);
  }
  expect(await chunkRows(sliced)).toBe(KEPT_CHUNKS);

  const whole = await filled();
  const began = performance.now();
  const report = await runInDurableObject(whole, (instance) => prune(storeOf(instance), Date.now(), config, Infinity));
  const once = performance.now() - began;
  expect(report.prunedPoints).toBe((CHUNKS - KEPT_CHUNKS) * SMALL_CHUNK_POINTS);
  expect(await chunkRows(whole)).toBe(KEPT_CHUNKS);

  const sorted = [...passes].sort((a, b) => a - b);
  console.log(`pruning ${CHUNKS - KEPT_CHUNKS} chunks of ${SMALL_CHUNK_POINTS} points inside workerd`);
  console.log(`slices of ${PRUNE_SLICE_ROWS} rows: ${passes.length} slices, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, longest ${sorted.at(-1)!.toFixed(1)} ms (${passes.map((ms) => ms.toFixed(1)).join(", ")})`);
  console.log(`one unbounded prune: ${once.toFixed(1)} ms`);
});
