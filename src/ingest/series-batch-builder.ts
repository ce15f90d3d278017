import type { SeriesBatch } from "../dashboard/ingest-contract";
import type { Tags } from "../common/protocol";

/** Gathers validated points by series, in request order, into columnar batches. */
export class SeriesBatchBuilder {
  private readonly series = new Map<string, { key: string; name: string; tags: Tags; ts: number[]; values: number[]; items: number[] }>();
  /** Points added so far. */
  count = 0;

  add(key: string, name: string, tags: Tags, ts: number, value: number, item: number): void {
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { key, name, tags, ts: [], values: [], items: [] }));
    entry.ts.push(ts);
    entry.values.push(value);
    entry.items.push(item);
    this.count++;
  }

  build(): SeriesBatch[] {
    return [...this.series.values()].map((entry) => ({
      key: entry.key,
      name: entry.name,
      tags: entry.tags,
      ts: Float64Array.from(entry.ts),
      values: Float64Array.from(entry.values),
      items: Uint32Array.from(entry.items),
    }));
  }
}
