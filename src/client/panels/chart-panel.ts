/**
 * The automatic chart of one metric: every series of one name that no saved panel shows, on
 * one uPlot line chart, as a Grafana user expects ("all hosts' cpu together"). A lone series
 * reads as it always has: its name and tags in the title and its latest value in the header.
 * Several series share a chart with a line each (`seriesColor`) and a legend under the plot,
 * one row per series in key order, whose label is a toggle (legend-buttons.ts) and whose value
 * is the series' latest while the cursor is off the chart (the value under it otherwise).
 *
 * The chart is built once per set of series and only ever given new data through `setData`;
 * the panel has a fixed height in styles.css (plot and legend share it) so nothing moves when
 * data arrives.
 */
import uPlot from "uplot";
import { alignColumns } from "../charts/aligned-data.ts";
import { chartKeys } from "../charts/chart-keys.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import { legendButtons } from "../charts/legend-buttons.ts";
import { seriesColor } from "../charts/series-colors.ts";
import { formatValue } from "./format-value.ts";
import { HostedChart } from "../charts/hosted-chart.ts";
import { keyNameEnd } from "../../common/series-key.ts";
import type { PanelSource } from "./saved-panel.ts";
import { timeChartOptions, type ShownRange, type TimeChart } from "../charts/time-chart-options.ts";
import type { Column, TimeWindow } from "../dashboard/time-window.ts";

/** Canvas height in CSS pixels of a lone series' chart; `.panel-chart` in styles.css reserves exactly this. */
const CHART_HEIGHT = 200;
/** Size used until the ResizeObserver reports the real one (before first layout). */
const FALLBACK_WIDTH = 320;
const FALLBACK_HEIGHT = 150;

export class ChartPanel implements TimeChart {
  /** The metric name every series of the panel has. */
  readonly name: string;
  readonly element: HTMLElement;
  #title: HTMLElement;
  #headLatest: HTMLElement;
  #chartHost: HTMLElement;
  #plot: HTMLElement;
  #chart: HostedChart;
  #theme: ChartTheme;
  #window: TimeWindow;
  #keys: string[] = [];
  /** Each series' latest-value element: the header's for a lone series, its legend row's cell otherwise. */
  #latest = new Map<string, HTMLElement>();
  /** The columns last handed to the chart, by key, for `drawn()`. */
  #drawn = new Map<string, Column>();

  /** `window` sets the span of time the chart shows. */
  constructor(name: string, theme: ChartTheme, window: TimeWindow) {
    this.name = name;
    this.#theme = theme;
    this.#window = window;

    this.element = document.createElement("article");
    this.element.className = "panel";
    this.element.dataset.testid = "panel";
    this.element.dataset.metric = name;
    this.element.dataset.seriesKeys = "";

    const head = document.createElement("header");
    head.className = "panel-head";
    this.#title = document.createElement("h2");
    this.#title.className = "panel-title";
    this.#headLatest = document.createElement("output");
    this.#headLatest.className = "panel-latest";
    this.#headLatest.textContent = "–";
    head.append(this.#title, this.#headLatest);

    this.#chartHost = document.createElement("div");
    this.#chartHost.className = "panel-chart";
    this.#plot = document.createElement("div");
    this.#plot.className = "panel-plot";
    this.#chartHost.append(this.#plot);
    chartKeys(this.#plot, () => this.shown(), window);
    this.element.append(head, this.#chartHost);

    this.#chart = new HostedChart(this.#plot, (data) => this.#build(data), [[]], (box) => ({ width: Math.floor(box.width), height: Math.floor(box.height) }));
  }

  /** The keys of the series shown, in key order. */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** Sets the series shown (all of this panel's name), in key order; the chart is rebuilt for a new set. */
  setSeries(keys: readonly string[]): void {
    if (keys.join("\n") === this.#keys.join("\n")) return;
    this.#keys = [...keys];
    this.element.dataset.seriesKeys = keys.join(",");
    const lone = keys.length === 1;
    this.element.classList.toggle("panel-group", !lone);
    this.#showTitle();
    this.#headLatest.hidden = !lone;
    this.#latest.clear();
    if (lone) {
      this.#headLatest.dataset.testid = "latest";
      this.#headLatest.dataset.series = keys[0]!;
      this.#latest.set(keys[0]!, this.#headLatest);
    } else {
      delete this.#headLatest.dataset.testid;
      delete this.#headLatest.dataset.series;
    }
    for (const key of [...this.#drawn.keys()]) if (!keys.includes(key)) this.#drawn.delete(key);
    // uPlot's series list is fixed at build: a new set means a new chart (rare: a new series of the name).
    this.#chart.rebuild([[], ...keys.map(() => [])]);
  }

  /** Shows the series' current points; called from the frame scheduler only. */
  update(source: PanelSource): void {
    // The store appends to its arrays in place; the chart keeps copies, so that what it drew
    // stays as drawn (a paused chart can be re-ranged over exactly the data it froze).
    const columns = this.#keys.map((key) => {
      const column = source.column(key);
      const copy = { ts: column.ts.slice(), values: column.values.slice() };
      this.#drawn.set(key, copy);
      return copy;
    });
    this.#chart.setData(columns.length === 1 ? [columns[0]!.ts, columns[0]!.values] : alignColumns(columns));
    for (const [key, output] of this.#latest) {
      const last = source.latest(key);
      if (last === undefined) delete output.dataset.value;
      else output.dataset.value = String(last);
      // A legend's cell is written by uPlot (the latest off the chart, see #build).
      if (output === this.#headLatest) output.textContent = last === undefined ? "–" : formatValue(last);
    }
  }

  /** What the chart draws for series `key` now and its x range, for the debug hook. */
  drawn(key: string): Column & { xMin: number | undefined; xMax: number | undefined } {
    const { xMin, xMax } = this.shown();
    const column = this.#drawn.get(key) ?? { ts: [], values: [] };
    return { ts: [...column.ts], values: [...column.values], xMin, xMax };
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

  /** A lone series' title is its key: the name as sent, then its tags; a group's, the name and how many. */
  #showTitle(): void {
    const name = document.createElement("span");
    name.className = "panel-name";
    name.textContent = this.name;
    const parts: HTMLElement[] = [name];
    const lone = this.#keys.length === 1 ? this.#keys[0]! : undefined;
    // The key is the name (escaped where it holds `\ { ,`) followed by its tags, e.g. `cpu{host=a}`.
    const tagPart = lone === undefined ? ` (${this.#keys.length} series)` : lone.slice(keyNameEnd(lone));
    if (tagPart !== "") {
      const tags = document.createElement("span");
      tags.className = "panel-tags";
      tags.textContent = tagPart;
      parts.push(tags);
    }
    this.#title.replaceChildren(...parts);
    this.#title.title = lone ?? this.#keys.join("\n");
  }

  #build(data: uPlot.AlignedData): uPlot {
    const theme = this.#theme;
    const lone = this.#keys.length <= 1;
    const label = lone ? `${this.#keys[0] ?? this.name} over time` : `${this.name}: ${this.#keys.length} series over time`;
    this.#plot.setAttribute("aria-label", label);
    let legend: HTMLElement | undefined;
    const options = timeChartOptions({
      theme,
      width: this.#plot.clientWidth || FALLBACK_WIDTH,
      height: this.#plot.clientHeight || (lone ? CHART_HEIGHT : FALLBACK_HEIGHT),
      xRange: this.#window.xRange,
      zoom: this.#window,
      annotations: this.#window,
      label,
      tickSpace: 72, // an `hh:mm:ss` label is about 60 px wide
      legend: lone
        ? { show: false }
        : {
            show: true,
            live: true,
            // Below the plot rather than inside it, so the plot's height leaves room for it.
            mount: (_chart, table) => {
              legend = table;
              this.#chartHost.append(table);
            },
          },
      series: [
        // The time row of the legend is hidden (styles.css).
        { label: "Time", value: () => "" },
        ...this.#keys.map((key, i) =>
          lone
            ? { label: key, stroke: theme.line, fill: theme.fill, width: 1.5 }
            : {
                label: key,
                stroke: seriesColor(i),
                width: 1.5,
                // Series rarely share times exactly, so the aligned data has gaps; draw across them.
                spanGaps: true,
                // Off the chart (no index) the latest value; on it, the value nearest the cursor.
                value: (chart: uPlot, value: number | null, series: number, index: number | null) => {
                  const shown = index === null ? latestOf(chart.data[series]) : value;
                  return shown === null || shown === undefined ? "–" : formatValue(shown);
                },
              },
        ),
      ],
      // An automatic chart has no unit: values read as they always have, exactly at the cursor.
      values: {},
    });
    const chart = new uPlot(options, data, this.#plot);
    if (legend) {
      legendButtons(chart, legend);
      // Each row names its series, and its value cell is that series' latest value.
      legend.querySelectorAll<HTMLTableRowElement>("tr.u-series").forEach((row, index) => {
        const key = this.#keys[index - 1];
        if (key === undefined) return;
        row.dataset.series = key;
        const cell = row.querySelector<HTMLElement>(".u-value");
        if (!cell) return;
        cell.dataset.testid = "latest";
        cell.dataset.series = key;
        const last = this.#latest.get(key)?.dataset.value;
        if (last !== undefined) cell.dataset.value = last;
        this.#latest.set(key, cell);
      });
    }
    return chart;
  }
}

/** The newest value of an aligned column (it may end in gaps where other series have points). */
function latestOf(values: uPlot.AlignedData[number] | undefined): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}
