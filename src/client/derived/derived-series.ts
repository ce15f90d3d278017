/**
 * The series a saved panel shows when it has a `transform` or an `aggregate`: worked out on the
 * page, from the columns the panel would otherwise draw (loaded history, then live points), so
 * live frames and history ranges go through the same code.
 *
 * Output series and their keys, built like series keys (series-key.ts) so they read as one:
 * - `transform: "rate"` alone: one per input, `rate(<name>)` with the input's tags, e.g.
 *   `rate(requests){region=eu}`.
 * - `aggregate` (after the rate, if any): one per distinct combination of the `groupBy` tags'
 *   values among the inputs, named after the functions, e.g. `sum{region=eu}`,
 *   `sum(rate){region=eu}`, or `avg` with no `groupBy`. A series lacking a `groupBy` tag joins
 *   the group without it.
 *
 * Work per frame is incremental: for each input the last point seen is remembered, and when a
 * frame only appended points (or dropped the oldest, at capacity), only the rates of the new
 * points and the aggregation steps from the first new point on are worked out again. Anything
 * else (a late point inside the window, also in a frame that dropped the oldest points, told
 * apart by counting: the first times seen are kept to count those dropped; new history)
 * recomputes that input's group whole; `reset()` forces that for every group, e.g. when the
 * time window changes.
 */
import { seriesKey } from "../../common/series-key.ts";
import type { Tags } from "../../common/protocol.ts";
import type { Column } from "../dashboard/time-window.ts";
import { appendRates } from "./counter-rate.ts";
import { appendAggregates, stepStart, type AggregateName } from "./step-aggregation.ts";
import { firstAtOrAfter } from "../sorted-times.ts";

/** What a panel asks to be worked out (the panel fields of the same names). */
export interface DerivedSpec {
  /** `rate`: each input's per-second increase. */
  transform?: "rate" | undefined;
  /** How each group's inputs are combined. */
  aggregate?: AggregateName | undefined;
  /** Tag names that split the inputs into groups. */
  groupBy?: readonly string[] | undefined;
}

/** An input series as the panel lists it. */
export interface DerivedInput {
  /** Series key. */
  key: string;
  /** Metric name. */
  name: string;
  /** Its tags. */
  tags: Tags;
}

/** One output series and the inputs it is made of. */
export interface DerivedOutput {
  /** Its key (see the module comment). */
  key: string;
  /** Its name part, e.g. `sum(rate)`. */
  name: string;
  /** Keys of its inputs, in key order. */
  inputs: string[];
}

/** The output series for `inputs`, in key order. */
export function derivedOutputs(spec: DerivedSpec, inputs: readonly DerivedInput[]): DerivedOutput[] {
  const sorted = [...inputs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (!spec.aggregate) {
    return sorted.map((input) => {
      const name = spec.transform ? `${spec.transform}(${input.name})` : input.name;
      return { key: seriesKey(name, input.tags), name, inputs: [input.key] };
    });
  }
  const name = spec.transform ? `${spec.aggregate}(${spec.transform})` : spec.aggregate;
  const groups = new Map<string, DerivedOutput>();
  for (const input of sorted) {
    const tags: Tags = {};
    for (const tag of spec.groupBy ?? []) if (Object.hasOwn(input.tags, tag)) tags[tag] = input.tags[tag]!;
    const key = seriesKey(name, tags);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, name, inputs: [] }));
    group.inputs.push(input.key);
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** What is remembered of an input between frames. */
interface InputState {
  /** Time and value of its first and last points when last seen (NaN: it had none). */
  firstT: number;
  lastT: number;
  lastV: number;
  /** How many points it had. */
  count: number;
  /** The times of its first points (at most HEAD_KEPT), to count those a trimmed window dropped. */
  head: number[];
  /** Its rates, when the spec has a transform. */
  rated: Column;
}

/** How many of an input's first times are kept: a window dropping more in one frame is worked out whole. */
const HEAD_KEPT = 64;

/** How an input changed since the last frame. */
type InputChange = { kind: "none" } | { kind: "appended"; from: number; at: number; trimmed: boolean } | { kind: "whole" };

export class DerivedSeries {
  #spec: DerivedSpec;
  #outputs: DerivedOutput[] = [];
  #inputs = new Map<string, InputState>();
  #results = new Map<string, Column>();

  constructor(spec: DerivedSpec) {
    this.#spec = spec;
  }

  /** Sets the inputs (when the panel's series list changes); everything is recomputed next. */
  setInputs(inputs: readonly DerivedInput[]): DerivedOutput[] {
    this.#outputs = derivedOutputs(this.#spec, inputs);
    this.reset();
    return this.#outputs;
  }

  get outputs(): readonly DerivedOutput[] {
    return this.#outputs;
  }

  /** Forgets what was worked out: the next `update` recomputes every output whole. */
  reset(): void {
    this.#inputs.clear();
    this.#results.clear();
  }

  /** Brings every output up to date with the inputs' columns; returns them by output key. */
  update(column: (key: string) => Column): ReadonlyMap<string, Column> {
    for (const output of this.#outputs) {
      // The earliest time whose output may change; Infinity: nothing changed.
      let from = Infinity;
      let trimmedTo = -Infinity;
      const columns: Column[] = [];
      for (const key of output.inputs) {
        const input = column(key);
        const { source, changedFrom, trimmed } = this.#follow(key, input);
        columns.push(source);
        from = Math.min(from, changedFrom);
        if (trimmed) trimmedTo = Math.max(trimmedTo, source.ts[0] ?? -Infinity);
      }
      const previous = this.#results.get(output.key);
      if (!this.#spec.aggregate) {
        this.#results.set(output.key, columns[0] ?? { ts: [], values: [] });
        continue;
      }
      if (previous && from === Infinity && trimmedTo === -Infinity) continue;
      const result = previous && from !== -Infinity ? previous : { ts: [], values: [] };
      if (result === previous) {
        const start = stepStart(from);
        const keep = firstAtOrAfter(result.ts, start);
        result.ts.length = keep;
        result.values.length = keep;
        // Steps older than every input's oldest point held go, as the inputs' points went.
        const oldest = Math.min(...columns.map((c) => c.ts[0] ?? Infinity));
        const drop = firstAtOrAfter(result.ts, stepStart(oldest));
        if (drop > 0) {
          result.ts.splice(0, drop);
          result.values.splice(0, drop);
        }
        if (from !== Infinity) appendAggregates(columns, this.#spec.aggregate, start, result);
      } else {
        appendAggregates(columns, this.#spec.aggregate, -Infinity, result);
      }
      this.#results.set(output.key, result);
    }
    return this.#results;
  }

  /**
   * Compares `input` with what was seen of it last frame. Returns what the aggregation reads
   * for it (its rates, or the column itself) and the earliest time there that changed.
   */
  #follow(key: string, input: Column): { source: Column; changedFrom: number; trimmed: boolean } {
    const state = this.#inputs.get(key);
    const change = state ? changeOf(state, input) : ({ kind: "whole" } as const);
    const rate = this.#spec.transform === "rate";
    const count = input.ts.length;
    const next: InputState = {
      firstT: count > 0 ? input.ts[0]! : Number.NaN,
      lastT: count > 0 ? input.ts[count - 1]! : Number.NaN,
      lastV: count > 0 ? input.values[count - 1]! : Number.NaN,
      count,
      // The first times stay what they were while no point was dropped or put among them.
      head: state && change.kind !== "whole" && state.head.length === HEAD_KEPT && input.ts[0] === state.firstT ? state.head : input.ts.slice(0, HEAD_KEPT),
      rated: state?.rated ?? { ts: [], values: [] },
    };
    this.#inputs.set(key, next);
    if (change.kind === "whole" || !state) {
      if (rate) next.rated = appendRates(input, 0, { ts: [], values: [] });
      return { source: rate ? next.rated : input, changedFrom: -Infinity, trimmed: false };
    }
    if (rate) {
      if (change.kind === "appended") {
        // A rate needs the point before it: the first one held has none once older ones went.
        if (change.trimmed) {
          const drop = firstAtOrAfter(next.rated.ts, input.ts[0]! + 1);
          next.rated.ts.splice(0, drop);
          next.rated.values.splice(0, drop);
        }
        appendRates(input, change.at, next.rated);
      }
    }
    const trimmed = change.kind === "appended" && change.trimmed;
    return { source: rate ? next.rated : input, changedFrom: change.kind === "appended" ? change.from : Infinity, trimmed };
  }
}

/** How `input` differs from `state`: nothing, points appended (maybe the oldest dropped), or anything else. */
function changeOf(state: InputState, input: Column): InputChange {
  const count = input.ts.length;
  if (count === 0 || Number.isNaN(state.lastT)) return { kind: "whole" };
  const trimmed = input.ts[0] !== state.firstT;
  if (trimmed && input.ts[0]! < state.firstT) return { kind: "whole" };
  // Where the last point seen sits now.
  const at = firstAtOrAfter(input.ts, state.lastT);
  if (input.ts[at] !== state.lastT || input.values[at] !== state.lastV) return { kind: "whole" };
  // Every point seen and not dropped must still be there, so a late point shows as one too many.
  // The points dropped are the first ones seen before the new first time, which must itself be one of those seen.
  const dropped = trimmed ? firstAtOrAfter(state.head, input.ts[0]!) : 0;
  if (trimmed && (dropped === state.head.length || state.head[dropped] !== input.ts[0])) return { kind: "whole" };
  if (at !== state.count - dropped - 1) return { kind: "whole" };
  if (at === count - 1) return trimmed ? { kind: "appended", from: Infinity, at: count, trimmed } : { kind: "none" };
  return { kind: "appended", from: input.ts[at + 1]!, at: at + 1, trimmed };
}

