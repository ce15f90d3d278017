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
