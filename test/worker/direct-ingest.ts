import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";

/** A point of an untagged series named `name`. */
export type Point = { name: string; ts: number; value: number };

export function point(name: string, ts: number, value: number): Point {
  return { name, ts, value };
}

/** Stores points straight through the object's ingest, with times the Worker would refuse. */
export function store(instance: Dashboard, points: Point[]) {
  const builder = new SeriesBatchBuilder();
  points.forEach((p, i) => builder.add(p.name, p.name, {}, p.ts, p.value, i));
  return instance.ingest({ credential: { kind: "admin" }, series: builder.build(), rejected: [], unit: "index", total: points.length });
}

/**
 * Stores `seriesCount` series `system.cpu{host=h<n>}` of `perSeries` points each (one second
 * apart, ending now) in one request, as a fleet of hosts would have sent them.
 */
export function storeFleet(instance: Dashboard, seriesCount: number, perSeries = 1) {
  const builder = new SeriesBatchBuilder();
  const end = Date.now();
  let item = 0;
  for (let s = 0; s < seriesCount; s++) {
    for (let i = 0; i < perSeries; i++) builder.add(`system.cpu{host=h${s}}`, "system.cpu", { host: `h${s}` }, end - (perSeries - 1 - i) * 1000, s + i / perSeries, item++);
  }
  const answer = instance.ingest({ credential: { kind: "admin" }, series: builder.build(), rejected: [], unit: "index", total: item });
  if (answer.status !== "stored") throw new Error(`fleet not stored: ${JSON.stringify(answer)}`);
  return answer;
}
