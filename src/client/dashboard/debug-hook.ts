/**
 * `window.__pulseboard`: a read-only window onto the page's data for tests and for people
 * poking at a live page in devtools. It hands out copies, so nothing outside can change
 * what the charts draw.
 */
import type { SeriesStore } from "./series-store.ts";
import type { ShownRange } from "../charts/time-chart-options.ts";

/** The hook's shape. */
export interface PulseboardDebug {
  /** A copy of the points the page holds for series `key` (empty arrays if unknown). */
  points(key: string): { ts: number[]; values: number[] };
  /** Keys of every series the page holds. */
  keys(): string[];
  /**
   * What the automatic panel showing series `key` (its metric's) draws of it (history buckets
   * then live points, see time-window.ts) and its x range; `undefined` when no automatic
   * panel shows the series.
   */
  drawn(key: string): { ts: number[]; values: number[]; xMin: number | undefined; xMax: number | undefined } | undefined;
  /**
   * Every time chart on the page (saved line panels, then automatic panels, each in page
   * order): `chart` is `saved:<panel id>` or `metric:<metric name>`, `shown` its x axis span
   * and how many times it holds.
   */
  timeCharts(): { chart: string; shown: ShownRange }[];
  /**
   * What saved panel `id` (one with a `transform` or `aggregate`) worked out when last drawn:
   * each output series' key and points (see derived/derived-series.ts); `undefined` for any
   * other panel.
   */
  computed(id: string): { key: string; ts: number[]; values: number[] }[] | undefined;
}

declare global {
  interface Window {
    __pulseboard?: PulseboardDebug;
  }
}

/** Installs the hook over `store` and what the grid reports of its charts. */
export function exposeDebugHook(store: SeriesStore, charts: Pick<PulseboardDebug, "drawn" | "timeCharts" | "computed">): void {
  window.__pulseboard = Object.freeze({
    points(key: string) {
      const series = store.get(key);
      return { ts: [...(series?.ts ?? [])], values: [...(series?.values ?? [])] };
    },
    keys: () => store.keys(),
    drawn: charts.drawn,
    timeCharts: charts.timeCharts,
    computed: charts.computed,
  });
}
