// What one slice of a sliced history read costs, timed inside workerd: each slice runs in a
// call of its own into the object and is timed from outside it (performance.now advances
// across I/O only), less the median of empty calls. Three reads: 30,000 one-point chunks of
// one series half a second apart (a 1-point-per-request sensor before maintenance merges its chunks), the same
// after merging, and 60,000 per-minute rollup rows of 3 series (a 15-day range, 14 of them filled).
// Command: npx vitest run --config bench/in-runtime/vitest.config.ts bench/in-runtime/history-slices.measure.ts
import { env, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DashboardStore } from "../../src/dashboard/dashboard-store";
import { HISTORY_SLICE_POINTS, HISTORY_SLICE_ROWS, readHistory, type HistoryRead } from "../../src/dashboard/history-query";
import { rollUp } from "../../src/dashboard/maintenance";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";
import { seriesMatcher } from "../../src/common/series-pattern";
import { uniqueId } from "../../test/worker/api";
import { storeOf } from "../../test/worker/object-store";

const MINUTE = 60_000;

/** A dashboard of `count` points per series for `series` series, `gap` ms apart, ending now, each point stored as its own chunk. */
async function filled(series: number, count: number, gap: number): Promise<DurableObjectStub<Dashboard>> {
  const id = uniqueId("slices");
  const stub = env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>;
  const end = Date.now();
  await runInDurableObject(stub, (instance: Dashboard, state) => {
    // Made in place: this measurement needs no admin token, and no HTTP.
    instance.create({ id, title: id, tokenHash: "-", viewKeyHash: null, now: Date.now() });
    const store = storeOf(instance);
    for (let i = 0; i < count; i++) {
      const builder = new SeriesBatchBuilder();
      for (let s = 0; s < series; s++) builder.add(`s${s}`, `s${s}`, {}, end - (count - i) * gap, Math.sin(i / 60 + s), s);
      store.append(builder.build());
    }
  });
  return stub;
}

/** Times each slice of a read of every series over [from, to) at `step`; returns the slice times in ms and the points counted. */
async function slices(stub: DurableObjectStub<Dashboard>, from: number, to: number, step: number): Promise<{ ms: number[]; counted: number; source: string }> {
  const held = globalThis as unknown as { read?: HistoryRead };
  await runInDurableObject(stub, (_instance: Dashboard, state) => {
    const store = new DashboardStore(state.storage);
    held.read = readHistory(store, { series: store.matchingSeries(seriesMatcher(["*"])), from, to, step }, from);
  });
  const empty: number[] = [];
  for (let i = 0; i < 20; i++) {
    const began = performance.now();
    await runInDurableObject(stub, () => undefined);
    empty.push(performance.now() - began);
  }
  const overhead = empty.sort((a, b) => a - b)[10]!;
  const ms: number[] = [];
  for (;;) {
    const began = performance.now();
    const step = await runInDurableObject(stub, () => {
      const next = held.read!.next();
      return next.done ? { done: true as const, value: JSON.stringify(next.value) } : { done: false as const };
    });
    ms.push(Math.max(0, performance.now() - began - overhead));
    if (step.done) {
      const answer = JSON.parse(step.value) as { source: string; series: { count: number[] }[] };
      const counted = answer.series.reduce((sum, s) => sum + s.count.reduce((a, b) => a + b, 0), 0);
      return { ms, counted, source: answer.source };
    }
  }
}

const summary = (label: string, ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `${label}: ${ms.length} slices, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, longest ${sorted.at(-1)!.toFixed(1)} ms, in all ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms (${ms.map((m) => m.toFixed(0)).join(", ")})`;
};

it("times the slices of three history reads", async () => {
  const unmerged = await filled(1, 30_000, 500);
  const now = Date.now() + 1;
  const raw = await slices(unmerged, now - 6 * 3_600_000, now, 60_000);
  expect(raw).toMatchObject({ counted: 30_000, source: "raw" });
  await runInDurableObject(unmerged, (instance: Dashboard) => {
    while (instance.maintain(Date.now()).pending > 0);
  });
  const merged = await slices(unmerged, now - 6 * 3_600_000, now, 60_000);
  expect(merged).toMatchObject({ counted: 30_000, source: "raw" });

  const old = await filled(3, 20_000, MINUTE);
  await runInDurableObject(old, (instance: Dashboard) => {
    while (rollUp(storeOf(instance), 100_000) > 0);
  });
  const rollups = await slices(old, now - 15 * 86_400_000, Date.now() + 1, 3_600_000);
  expect(rollups).toMatchObject({ counted: 60_000, source: "rollup" });

  console.log(`history reads in slices of ${HISTORY_SLICE_ROWS} rows or ${HISTORY_SLICE_POINTS} points, each slice timed from outside the object, inside workerd`);
  console.log(summary("30,000 one-point chunks of one series (raw)", raw.ms));
  console.log(summary("the same after maintenance merged them (raw)", merged.ms));
  console.log(summary(`60,000 per-minute rollups of 3 series (${rollups.counted} points)`, rollups.ms));
});
