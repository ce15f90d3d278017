/**
 * What span of time the line charts show. By default ("Recent points") a chart spans the
 * points the page holds, as it always did. With a range picked (5 min … 7 d) the x axis is
 * pinned to [now − range, now], and each series is drawn as the history route's buckets for
 * the part older than the live points, followed by the live points themselves, so the live
 * tail keeps appending on top of the loaded history.
 */
import type uPlot from "uplot";
import type { HistoryResult } from "../shared/protocol.ts";
import { centreLoneTime } from "./lone-time-range.ts";

/** A series as a chart draws it: ascending times and their values. */
export interface Column {
  /** Times in ms since the epoch, ascending. */
  ts: number[];
  /** `values[i]` belongs to `ts[i]`. */
  values: number[];
}

/** The ranges the picker offers, in ms; the key is the `<option>` value. */
export const RANGES: readonly { value: string; label: string; ms: number }[] = [
  { value: "5m", label: "Last 5 minutes", ms: 5 * 60_000 },
  { value: "1h", label: "Last hour", ms: 60 * 60_000 },
  { value: "6h", label: "Last 6 hours", ms: 6 * 60 * 60_000 },
  { value: "24h", label: "Last 24 hours", ms: 24 * 60 * 60_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 24 * 60 * 60_000 },
];

/** Round bucket widths, so bucket edges fall on readable times. */
const STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600].map((s) => s * 1000);

/**
 * The bucket width for a range: the finest round step that gives at most 600 buckets. Every
 * range on offer then lands between 300 and 600 buckets, enough detail for a chart a few
 * hundred pixels wide without shipping more than it can draw.
 */
export function stepFor(rangeMs: number): number {
  return STEPS_MS.find((step) => rangeMs / step <= 600) ?? STEPS_MS[STEPS_MS.length - 1]!;
}

export class TimeWindow {
  /** The pinned span in ms; `undefined` means "the points held". */
  #span: number | undefined;
  /** Per series key, the history buckets' times and averages for the current span. */
  #history = new Map<string, Column>();

  get span(): number | undefined {
    return this.#span;
  }

  /** Back to spanning the points held; loaded history is dropped. */
  showRecent(): void {
    this.#span = undefined;
    this.#history.clear();
  }

  /** Pins the span and keeps `result`'s buckets (their averages) as the older part of each series. */
  showRange(span: number, result: HistoryResult): void {
    this.#span = span;
    this.#history.clear();
    for (const series of result.series) this.#history.set(series.key, { ts: series.ts, values: series.avg });
  }

  /** What to draw for `key`: history older than the first live point, then the live points. */
  column(key: string, live: Column | undefined): Column {
    const history = this.#history.get(key);
    if (!history) return live ?? { ts: [], values: [] };
    const firstLive = live?.ts[0] ?? Infinity;
    let end = 0;
    while (end < history.ts.length && history.ts[end]! < firstLive) end++;
    return {
      ts: [...history.ts.slice(0, end), ...(live?.ts ?? [])],
      values: [...history.values.slice(0, end), ...(live?.values ?? [])],
    };
  }

  /** The x scale's range function for uPlot: the pinned span up to now, else the data's own. */
  readonly xRange = (chart: uPlot, min: number, max: number): uPlot.Range.MinMax => {
    if (this.#span === undefined) return centreLoneTime(chart, min, max);
    const now = Date.now();
    return [now - this.#span, now];
  };
}
