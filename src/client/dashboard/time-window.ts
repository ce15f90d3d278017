/**
 * What span of time the line charts show, one view for the whole page. By default ("Recent
 * points") a chart spans the points the page holds. With a range picked (5 min … 7 d) the x
 * axis is pinned to [now − range, now], and each series is drawn as the history route's
 * buckets for the part older than the live points, followed by the live points themselves,
 * so the live tail keeps appending on top of the loaded history. Either way the view follows
 * now, until someone zooms into a stretch of time: then every chart holds that stretch while
 * live points keep arriving, until the view is sent back to now. Finer buckets loaded for the
 * stretch (range-history.ts) replace the range's coarser ones inside it while zoomed.
 * An absolute range (a from and a to picked in the custom range dialog) is a stretch held
 * from the start, its history loaded as a fixed range's; zooming inside it works the same,
 * and going back to now leaves it.
 */
import type uPlot from "uplot";
import type { Annotation, HistoryResult } from "../../common/protocol.ts";
import { centreLoneTime } from "../charts/lone-time-range.ts";
import type { AnnotationSource } from "../charts/annotation-marks.ts";

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

/** A stretch of time zoomed into, in ms since the epoch. */
export interface Zoom {
  /** Left edge of the x axis. */
  min: number;
  /** Right edge of the x axis. */
  max: number;
}

/** Loaded buckets: their start times and averages, and where each ends (its start plus the step, or the range's end). */
interface Buckets extends Column {
  ends: number[];
}

function bucketsOf(result: HistoryResult, series: HistoryResult["series"][number]): Buckets {
  return { ts: series.ts, values: series.avg, ends: series.ts.map((t) => Math.min(t + result.step, result.to)) };
}

export class TimeWindow {
  /** The pinned span in ms; `undefined` means "the points held". */
  #span: number | undefined;
  /** Per series key, the history buckets' times and averages for the current span. */
  #history = new Map<string, Buckets>();
  /** The stretch every chart holds instead of following now; `undefined` while following. */
  #zoom: Zoom | undefined;
  /** Per series key, finer buckets loaded for the zoomed stretch; dropped with the zoom. */
  #zoomHistory = new Map<string, Buckets>();
  /** The times [from, to) those finer buckets cover. */
  #zoomHistoryRange = { from: 0, to: 0 };
  #listeners: (() => void)[] = [];
  /** The annotations every chart draws (the page's feed, once it has one). */
  #annotations: AnnotationSource | undefined;
  #nowListeners: (() => void)[] = [];
  /** The absolute range picked, whose buckets `#history` holds; `undefined` for a relative one. */
  #absolute: Zoom | undefined;

  get span(): number | undefined {
    return this.#span;
  }

  /** The stretch zoomed into, or `undefined` while the charts follow now. */
  get zoom(): Zoom | undefined {
    return this.#zoom;
  }

  /** The absolute range in force (held from the start, see `showAbsolute`), or `undefined`. */
  get absolute(): Zoom | undefined {
    return this.#absolute;
  }

  /** Calls `listener` after every zoom or return to now. */
  onZoomChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Calls `listener` each time someone asks for now (a double-click or Escape on a chart,
   * "Jump to now"), zoomed or not: the page resumes a paused view then.
   */
  onNowAsked(listener: () => void): void {
    this.#nowListeners.push(listener);
  }

  /** Holds every chart at [min, max] (in either order); a stretch under 1 ms is ignored. */
  zoomTo(min: number, max: number): void {
    const [from, to] = min <= max ? [min, max] : [max, min];
    if (!(to - from >= 1)) return;
    this.#zoom = { min: from, max: to };
    this.#zoomHistory.clear();
    this.#notify();
  }

  /**
   * Keeps `result`'s buckets as the history inside `zoom`, if that is still the zoom in force
   * (a later zoom or a return to now makes an answer stale); returns whether it was kept.
   */
  showZoomHistory(zoom: Zoom, result: HistoryResult): boolean {
    if (this.#zoom !== zoom) return false;
    this.#zoomHistory.clear();
    this.#zoomHistoryRange = { from: result.from, to: result.to };
    for (const series of result.series) this.#zoomHistory.set(series.key, bucketsOf(result, series));
    return true;
  }

  /**
   * Someone asked for now: back to following now with the range in force (a no-op on the
   * charts while already following), and the listeners of `onNowAsked` hear it. An absolute
   * range never follows now: it is left, with its history, for the points held (the page
   * then picks the relative range it had before).
   */
  followNow(): void {
    if (this.#absolute) {
      this.#absolute = undefined;
      this.#history.clear();
    }
    this.#unzoom();
    for (const listener of this.#nowListeners) listener();
  }

  /** Back to following now with the range in force; a no-op while already following. */
  #unzoom(): void {
    if (this.#zoom === undefined) return;
    this.#zoom = undefined;
    this.#zoomHistory.clear();
    this.#notify();
  }

  /** Back to spanning the points held, following now; loaded history is dropped. */
  showRecent(): void {
    this.#span = undefined;
    this.#absolute = undefined;
    this.#history.clear();
    this.#unzoom();
  }

  /**
   * Pins the span, following now, and keeps `result`'s buckets (their averages) as the older
   * part of each series.
   */
  showRange(span: number, result: HistoryResult): void {
    this.#span = span;
    this.#absolute = undefined;
    this.#history.clear();
    for (const series of result.series) this.#history.set(series.key, bucketsOf(result, series));
    this.#unzoom();
  }

  /**
   * Holds every chart at the absolute range `range` (not following now) and keeps `result`'s
   * buckets (their averages) as its history, as `showRange` does for a relative range. The
   * range is the zoom in force until someone zooms inside it or goes back to now.
   */
  showAbsolute(range: Zoom, result: HistoryResult): void {
    this.#span = undefined;
    this.#absolute = range;
    this.#history.clear();
    for (const series of result.series) this.#history.set(series.key, bucketsOf(result, series));
    this.#zoom = range;
    this.#zoomHistory.clear();
    this.#notify();
  }

  /** What to draw for `key`: history older than the first live point, then the live points. */
  column(key: string, live: Column | undefined): Column {
    return this.#withHistory(key, live, false);
  }

  /**
   * What series worked out from `key` read (a rate, an aggregate): as `column`, except that a
   * bucket's average stands at the middle of its bucket, where it is the value of a steadily
   * moving series, and only buckets that end by the first live point are taken. Read at the
   * bucket's start, a counter's rate from its last bucket to the first live point would take
   * half a bucket's increase over a whole bucket's time (or over none of it, when the bucket
   * holds live points too): a dip where history meets the live points.
   */
  centredColumn(key: string, live: Column | undefined): Column {
    return this.#withHistory(key, live, true);
  }

  /** The history of `key` before the first live point (see `column`, `centredColumn`), then the live points. */
  #withHistory(key: string, live: Column | undefined, centred: boolean): Column {
    const history = this.#historyOf(key);
    if (!history) return live ?? { ts: [], values: [] };
    const firstLive = live?.ts[0] ?? Infinity;
    const before = (i: number) => (centred ? history.ends[i]! <= firstLive : history.ts[i]! < firstLive);
    let end = 0;
    while (end < history.ts.length && before(end)) end++;
    const times = history.ts.slice(0, end);
    return {
      ts: [...(centred ? times.map((t, i) => (t + history.ends[i]!) / 2) : times), ...(live?.ts ?? [])],
      values: [...history.values.slice(0, end), ...(live?.values ?? [])],
    };
  }

  /**
   * The x scale's range function for uPlot, run on every `setData` and `setScale`: the zoomed
   * stretch, else the pinned span up to now, else the data's own.
   */
  /** Draws `source`'s annotations on every chart from now on. */
  showAnnotations(source: AnnotationSource): void {
    this.#annotations = source;
  }

  /** The annotations in [`from`, `to`] the charts draw (see `showAnnotations`). */
  within(from: number, to: number): Annotation[] {
    return this.#annotations?.within(from, to) ?? [];
  }

  readonly xRange = (chart: uPlot, min: number, max: number): uPlot.Range.MinMax => {
    if (this.#zoom !== undefined) return [this.#zoom.min, this.#zoom.max];
    if (this.#span === undefined) return centreLoneTime(chart, min, max);
    const now = Date.now();
    return [now - this.#span, now];
  };

  /** The range's buckets for `key`, with the zoomed stretch's finer ones in their place. */
  #historyOf(key: string): Buckets | undefined {
    const coarse = this.#history.get(key);
    const fine = this.#zoomHistory.get(key);
    if (!coarse || !fine) return fine ?? coarse;
    const { from, to } = this.#zoomHistoryRange;
    // Coarse buckets are kept only outside the stretch the fine ones cover.
    const inside = coarse.ts.findIndex((t) => t >= from);
    const outside = coarse.ts.findIndex((t) => t >= to);
    const end = inside === -1 ? coarse.ts.length : inside;
    const start = outside === -1 ? coarse.ts.length : outside;
    const joined = (pick: (buckets: Buckets) => number[]) => [...pick(coarse).slice(0, end), ...pick(fine), ...pick(coarse).slice(start)];
    return { ts: joined((b) => b.ts), values: joined((b) => b.values), ends: joined((b) => b.ends) };
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
