/**
 * A `line` panel: one uPlot chart with a line per matching series on a shared time axis, and
 * a legend under it. Off the chart the legend shows each series' latest value in the panel's
 * unit and decimals; with the cursor on the chart, the values of the points nearest it (in the
 * same unit and decimals, as the tooltip at the cursor shows them), and the header the exact
 * time. The chart is rebuilt only when the set of series changes (or the colour scheme does);
 * points go through `setData`, once per frame at most, which also refreshes the legend. The legend takes the height its rows need (styles.css caps it and scrolls beyond)
 * and the plot the rest of the panel's fixed body, so neither is ever clipped and nothing
 * moves when values change. The panel lists its series in `data-series-keys` (comma-separated).
 */
import uPlot from "uplot";
import type { Panel } from "../../common/dashboard-config.ts";
import { alignColumns } from "../charts/aligned-data.ts";
import { chartKeys } from "../charts/chart-keys.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import { legendButtons } from "../charts/legend-buttons.ts";
import { clockMoment } from "../charts/clock-format.ts";
import { formatCursorValue, formatPanelValue } from "./panel-value.ts";
import { savedPanelFrame, type PanelSource, type SavedPanelView, type SeriesRef } from "./saved-panel.ts";
import { seriesColor } from "../charts/series-colors.ts";
import { HostedChart } from "../charts/hosted-chart.ts";
import { timeChartOptions, type ShownRange, type TimeChart } from "../charts/time-chart-options.ts";
import type { TimeWindow } from "../dashboard/time-window.ts";

/** Size used until the ResizeObserver reports the plot's real one (before first layout). */
const FALLBACK_WIDTH = 320;
const FALLBACK_HEIGHT = 150;

/** The newest value of series `index` in aligned data (series rarely share times, so it may end in gaps). */
function latestValue(data: uPlot.AlignedData, index: number): number | null {
  const values = data[index];
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

export class LinePanel implements SavedPanelView, TimeChart {
  readonly element: HTMLElement;
  #panel: Panel;
  /** Holds the plot (and takes the focus for the keyboard zoom); the legend follows it. */
  #plot: HTMLElement;
  #body: HTMLElement;
  /**
   * The header's readout of the time under the cursor, empty off the chart. A plain span, not
   * a live region: announcing every cursor move would drown out everything else.
   */
  #cursorTime: HTMLElement;
  #keys: string[] = [];
  #theme: ChartTheme;
  #chart: HostedChart;
  #window: TimeWindow;

  constructor(panel: Panel, theme: ChartTheme, window: TimeWindow) {
    this.#panel = panel;
    this.#theme = theme;
    this.#window = window;
    const { element, head, body } = savedPanelFrame(panel);
    this.element = element;
    this.element.dataset.seriesKeys = "";
    this.#body = body;
    this.#cursorTime = document.createElement("span");
    this.#cursorTime.className = "panel-cursor-time";
    this.#cursorTime.dataset.testid = "cursor-time";
    head.append(this.#cursorTime);
    this.#plot = document.createElement("div");
    this.#plot.className = "line-plot";
    chartKeys(this.#plot, () => this.shown(), window);
    body.append(this.#plot);
    // The plot's box is the body less the legend's rows: it changes with the panel's width or
    // the number of series, never with values (legend rows have a fixed height).
    this.#chart = new HostedChart(this.#plot, (data) => this.#build(data), [[]], (box) => ({ width: Math.floor(box.width), height: Math.floor(box.height) }));
  }

  setSeries(series: readonly SeriesRef[]): void {
    const keys = series.map((s) => s.key);
    if (keys.join("\n") === this.#keys.join("\n")) return;
    this.#keys = keys;
    this.element.dataset.seriesKeys = keys.join(",");
    // uPlot's series list is fixed at build; a new set means a new chart (rare: layout changes).
    this.#chart.rebuild([[], ...keys.map(() => [])]);
  }

  draw(source: PanelSource): void {
    const columns = this.#keys.map((key) => source.column(key));
    this.#chart.setData(alignColumns(columns));
  }

  /** The panel is itself the time chart the grid rescales. */
  get timeChart(): TimeChart {
    return this;
  }

  rescale(): void {
    this.#chart.rescale();
  }

  shown(): ShownRange {
    return this.#chart.shown();
  }

  restyle(theme: ChartTheme): void {
    this.#theme = theme;
    this.#chart.rebuild();
  }

  destroy(): void {
    this.#chart.destroy();
    this.element.remove();
  }

  #build(data: uPlot.AlignedData): uPlot {
    const panel = this.#panel;
    let legend: HTMLElement | undefined;
    const label = `${panel.title}: ${this.#keys.length === 1 ? "1 series" : `${this.#keys.length} series`} over time`;
    this.#plot.setAttribute("aria-label", label);
    const options = timeChartOptions({
      theme: this.#theme,
      width: this.#plot.clientWidth || FALLBACK_WIDTH,
      height: this.#plot.clientHeight || FALLBACK_HEIGHT,
      xRange: this.#window.xRange,
      zoom: this.#window,
      annotations: this.#window,
      label,
      tickSpace: 90, // an `hh:mm:ss.sss` label (sub-second spans) is about 80 px wide
      legend: {
        show: true,
        live: true,
        // Below the plot's box rather than inside it, so the plot's height leaves room for it.
        mount: (_chart, table) => {
          legend = table;
          this.#body.append(table);
        },
      },
      series: [
        // The time goes to the header (see #showCursorTime); its legend row is hidden.
        { label: "Time", value: () => "" },
        ...this.#keys.map((key, i) => ({
          label: key,
          stroke: seriesColor(i),
          width: 1.5,
          // Series rarely share times exactly, so the aligned data has gaps; draw across them.
          spanGaps: true,
          // Off the chart (no index) the latest value; on it, the value of its point nearest the cursor.
          value: (chart: uPlot, value: number | null, series: number, index: number | null) =>
            index === null ? formatPanelValue(latestValue(chart.data, series), panel) : formatCursorValue(value, panel),
        })),
      ],
      values: panel,
    });
    (options.hooks!.setLegend ??= []).push((chart) => this.#showCursorTime(chart));
    const chart = new uPlot(options, data, this.#plot);
    if (legend) legendButtons(chart, legend);
    return chart;
  }

  /** Runs with every legend update (a data frame or a cursor move); touches the DOM only on change. */
  #showCursorTime(chart: uPlot): void {
    const index = chart.legend.idx;
    const ms = index === null || index === undefined ? undefined : chart.data[0][index];
    // To the millisecond: points are ms apart at best.
    const text = ms === undefined ? "" : clockMoment(ms, "milliseconds");
    if (this.#cursorTime.textContent !== text) this.#cursorTime.textContent = text;
  }
}
