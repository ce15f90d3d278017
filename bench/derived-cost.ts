// What working out a panel's `sum(rate(...)) by (region)` costs per frame, in plain Node (the
// same code the page runs, src/client/derived/): 50 counters of 600 points each (a snapshot's
// worth), 10 frames a second each appending one point per series and dropping the oldest, as
// the page's store does at capacity. Incremental (what the page does) against recomputing the
// whole window every frame. The figure is what one panel costs one page per frame; done in the
// dashboard's object it would be paid on the one thread that fans every frame out, once per
// distinct (panel, range, zoom) its viewers have open.
// Usage: node bench/derived-cost.ts [--series 50] [--points 600] [--frames 3000]
import { parseArgs } from "node:util";
import { DerivedSeries } from "../src/client/derived/derived-series.ts";
import { machine } from "./machine.ts";

const { values: args } = parseArgs({
  options: {
    series: { type: "string", default: "50" },
    points: { type: "string", default: "600" },
    frames: { type: "string", default: "3000" },
  },
});
const seriesCount = Number(args.series);
const capacity = Number(args.points);
const frames = Number(args.frames);

type Column = { ts: number[]; values: number[] };
const inputs = Array.from({ length: seriesCount }, (_, s) => ({ key: `requests{host=h${s},region=r${s % 4}}`, name: "requests", tags: { host: `h${s}`, region: `r${s % 4}` } }));
const start = 1_800_000_000_000;

function fill(): Column[] {
  return inputs.map((_, s) => {
    const column: Column = { ts: [], values: [] };
    for (let i = 0; i < capacity; i++) {
      column.ts.push(start + i * 100 + s);
      column.values.push(i * (s + 1));
    }
    return column;
  });
}

function run(incremental: boolean): { perFrameUs: number; outputs: number } {
  const columns = fill();
  const derived = new DerivedSeries({ transform: "rate", aggregate: "sum", groupBy: ["region"] });
  derived.setInputs(inputs);
  derived.update((key) => columns[inputs.findIndex((i) => i.key === key)]!);
  const index = new Map(inputs.map((input, s) => [input.key, s]));
  let outputs = 0;
  const began = performance.now();
  for (let frame = 1; frame <= frames; frame++) {
    for (const [s, column] of columns.entries()) {
      column.ts.push(start + (capacity + frame) * 100 + s);
      column.values.push((capacity + frame) * (s + 1));
      column.ts.shift();
      column.values.shift();
    }
    if (!incremental) derived.reset();
    const results = derived.update((key) => columns[index.get(key)!]!);
    outputs = [...results.values()].reduce((sum, c) => sum + c.ts.length, 0);
  }
  return { perFrameUs: ((performance.now() - began) * 1000) / frames, outputs };
}

// Warm up both paths, then measure each.
run(true);
run(false);
const incremental = run(true);
const whole = run(false);
console.log(`sum(rate) by region over ${seriesCount} series x ${capacity} points, ${frames} frames each appending a point per series (${machine()})`);
console.log(`incremental: ${incremental.perFrameUs.toFixed(1)} us per frame (${incremental.outputs} output points held)`);
console.log(`whole window every frame: ${whole.perFrameUs.toFixed(1)} us per frame (${whole.outputs} output points held)`);
