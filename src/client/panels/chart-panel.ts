/**
 * One series' panel: a title, its latest value and a uPlot line chart. The chart is built
 * once and only ever given new data through `setData`; the panel has a fixed height in
 * styles.css so nothing moves when data arrives.
 */
import uPlot from "uplot";
import { chartKeys } from "../charts/chart-keys.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import { formatValue } from "./format-value.ts";
import type { StoredSeries } from "../dashboard/series-store.ts";
import { HostedChart } from "../charts/hosted-chart.ts";
import { keyNameEnd } from "../../common/series-key.ts";
import { timeChartOptions, type ShownRange, type TimeChart } from "../charts/time-chart-options.ts";
import type { Column, TimeWindow } from "../dashboard/time-window.ts";

/** Canvas height in CSS pixels; `.panel-chart` in styles.css reserves exactly this. */
const CHART_HEIGHT = 200;
/** Width used until the ResizeObserver reports the real one (before first layout). */
const FALLBACK_WIDTH = 320;

export class ChartPanel implements TimeChart {
  readonly key: string;
  readonly element: HTMLElement;
  #latest: HTMLElement;
  #chartHost: HTMLElement;
  #chart: HostedChart;
  #theme: ChartTheme;
  #window: TimeWindow;
  /** The column last handed to the chart, for `drawn()`. */
  #drawn: Column = { ts: [], values: [] };

  /** `window` sets the span of time the chart shows. */
  constructor(series: Pick<StoredSeries, "key" | "name">, theme: ChartTheme, window: TimeWindow) {
    this.key = series.key;
    this.#theme = theme;
    this.#window = window;

    this.element = document.createElement("article");
    this.element.className = "panel";
    this.element.dataset.testid = "panel";
    this.element.dataset.series = series.key;

    const head = document.createElement("header");
    head.className = "panel-head";
    const title = document.createElement("h2");
    title.className = "panel-title";
    title.title = series.key;
    const name = document.createElement("span");
    name.className = "panel-name";
    name.textContent = series.name;
    title.append(name);
    // The key is the name (escaped where it holds `\ { ,`) followed by its tags, e.g. `cpu{host=a}`:
    // the heading shows the name as sent and the key's tags.
    const tagPart = series.key.slice(keyNameEnd(series.key));
    if (tagPart !== "") {
      const tags = document.createElement("span");
      tags.className = "panel-tags";
      tags.textContent = tagPart;
      title.append(tags);
    }
    this.#latest = document.createElement("output");
    this.#latest.className = "panel-latest";
    this.#latest.dataset.testid = "latest";
    this.#latest.textContent = "–";
    head.append(title, this.#latest);

    this.#chartHost = document.createElement("div");
    this.#chartHost.className = "panel-chart";
    this.#chartHost.setAttribute("aria-label", `${series.key} over time`);
    chartKeys(this.#chartHost, () => this.shown(), window);
    this.element.append(head, this.#chartHost);

    this.#chart = new HostedChart(this.#chartHost, (data) => this.#build(data), [[], []], (box) => ({ width: Math.floor(box.width), height: CHART_HEIGHT }));
  }

  /** Shows the series' current points; called from the frame scheduler only. */
  update(series: StoredSeries): void {
    const column = this.#window.column(series.key, series);
    // The store appends to its arrays in place; the chart keeps copies, so that what it drew
    // stays as drawn (a paused chart can be re-ranged over exactly the data it froze).
    this.#drawn = { ts: column.ts.slice(), values: column.values.slice() };
    this.#chart.setData([this.#drawn.ts, this.#drawn.values]);
    const last = series.values[series.values.length - 1];
    if (last === undefined) {
      this.#latest.textContent = "–";
      delete this.#latest.dataset.value;
    } else {
      this.#latest.textContent = formatValue(last);
      this.#latest.dataset.value = String(last);
    }
  }

  /** What the chart draws now and its x range, for the debug hook. */
  drawn(): Column & { xMin: number | undefined; xMax: number | undefined } {
    const { xMin, xMax } = this.shown();
    return { ts: [...this.#drawn.ts], values: [...this.#drawn.values], xMin, xMax };
  }

  rescale(): void {
    this.#chart.rescale();
  }

  shown(): ShownRange {
    return this.#chart.shown();
  }

  /** Redraws with new colours (the chart is rebuilt with its data). */
  restyle(theme: ChartTheme): void {
    this.#theme = theme;
    this.#chart.rebuild();
  }

  destroy(): void {
    this.#chart.destroy();
    this.element.remove();
  }

  #build(data: uPlot.AlignedData): uPlot {
    const theme = this.#theme;
    const options = timeChartOptions({
      theme,
      width: this.#chartHost.clientWidth || FALLBACK_WIDTH,
      height: CHART_HEIGHT,
      xRange: this.#window.xRange,
      zoom: this.#window,
      annotations: this.#window,
      label: `${this.key} over time`,
      tickSpace: 72, // an `hh:mm:ss` label is about 60 px wide
      legend: { show: false },
      series: [{}, { label: this.key, stroke: theme.line, fill: theme.fill, width: 1.5 }],
      // An automatic chart has no unit: values read as they always have, exactly at the cursor.
      values: {},
    });
    return new uPlot(options, data, this.#chartHost);
  }
}
