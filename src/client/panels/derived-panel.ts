/**
 * A saved panel with a `transform` or an `aggregate`: the view its type gives (line, stat,
 * gauge, table) is handed the series worked out from the matched ones (derived-series.ts)
 * instead of those. The work is done here, on the page, rather than in the dashboard's Durable
 * Object: the object is one thread fanning every frame out to all viewers, so anything it adds
 * per frame delays every viewer, while each page already holds every series of its view and
 * works out only the panels it shows (README, "Panels", has the measurement).
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { parseSeriesKey } from "../../common/series-key.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import { DerivedSeries } from "../derived/derived-series.ts";
import type { Column } from "../dashboard/time-window.ts";
import type { PanelSource, SavedPanelView, SeriesRef } from "./saved-panel.ts";

const none: Column = { ts: [], values: [] };

export class DerivedPanelView implements SavedPanelView {
  readonly #inner: SavedPanelView;
  readonly #derived: DerivedSeries;
  #results: ReadonlyMap<string, Column> = new Map();
  /** What the inner view reads: the outputs as last worked out (their times are already where they belong). */
  readonly #source: PanelSource = {
    column: (key) => this.#results.get(key) ?? none,
    centredColumn: (key) => this.#results.get(key) ?? none,
    recent: (key) => this.#results.get(key),
    latest: (key) => this.#results.get(key)?.values.at(-1),
  };

  /** `inner` is the view of the panel's type; it is given the output series. */
  constructor(panel: Panel, inner: SavedPanelView) {
    this.#inner = inner;
    this.#derived = new DerivedSeries(panel);
  }

  get element(): HTMLElement {
    return this.#inner.element;
  }

  get timeChart() {
    return this.#inner.timeChart;
  }

  setSeries(series: readonly SeriesRef[]): void {
    const outputs = this.#derived.setInputs(series.map((s) => ({ key: s.key, name: s.name, tags: parseSeriesKey(s.key)?.tags ?? {} })));
    this.#results = new Map();
    this.#inner.setSeries(outputs.map((output) => ({ key: output.key, name: output.name })));
  }

  draw(source: PanelSource): void {
    this.#results = this.#derived.update((key) => source.centredColumn(key));
    this.#inner.draw(this.#source);
  }

  computed(): { key: string; ts: number[]; values: number[] }[] {
    return this.#derived.outputs.map(({ key }) => {
      const column = this.#results.get(key) ?? none;
      return { key, ts: [...column.ts], values: [...column.values] };
    });
  }

  recompute(): void {
    this.#derived.reset();
  }

  restyle(theme: ChartTheme): void {
    this.#inner.restyle(theme);
  }

  destroy(): void {
    this.#inner.destroy();
  }
}
