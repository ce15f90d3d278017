/**
 * A `line` panel: one uPlot chart with a line per matching series on a shared time axis, a
 * legend, and the cursor's exact time and values in it. The chart is rebuilt only when the
 * set of series changes (or the colour scheme does); points go through `setData`, once per
 * frame at most. The panel lists its series in `data-series-keys` (comma-separated).
 */
import uPlot from "uplot";
import type { Panel } from "../shared/dashboard-config.ts";
import { alignColumns } from "./aligned-data.ts";
import type { ChartTheme } from "./chart-theme.ts";
import { legendButtons } from "./legend-buttons.ts";
import { formatExactValue } from "./panel-value.ts";
import { savedPanelFrame, type SavedPanelView, type SeriesRef } from "./saved-panel.ts";
import { seriesColor } from "./series-colors.ts";
import type { SeriesStore } from "./series-store.ts";
import { shownRange, timeChartOptions, type ShownRange, type TimeChart } from "./time-chart-options.ts";
import type { TimeWindow } from "./time-window.ts";

/** Canvas height in CSS pixels; with the legend it fills `.panel-body` (styles.css). */
const CHART_HEIGHT = 108;
/** Width used until the ResizeObserver reports the real one (before first layout). */
const FALLBACK_WIDTH = 320;
/** The cursor's time to the millisecond, in the viewer's time zone: points are ms apart at best. */
const exactTime = uPlot.fmtDate("{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}.{fff}");

export class LinePanel implements SavedPanelView, TimeChart {
  readonly element: HTMLElement;
  #panel: Panel;
  #host: HTMLElement;
  #keys: string[] = [];
  #theme: ChartTheme;
  #chart: uPlot;
  #resize: ResizeObserver;
  #window: TimeWindow;

  constructor(panel: Panel, theme: ChartTheme, window: TimeWindow) {
    this.#panel = panel;
    this.#theme = theme;
    this.#window = window;
    const { element, body } = savedPanelFrame(panel);
    this.element = element;
    this.element.dataset.seriesKeys = "";
    this.#host = body;
    this.#chart = this.#build([[]]);
    this.#resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== this.#chart.width) this.#chart.setSize({ width, height: CHART_HEIGHT });
    });
    this.#resize.observe(this.#host);
  }

  setSeries(series: readonly SeriesRef[]): void {
    const keys = series.map((s) => s.key);
    if (keys.join("\n") === this.#keys.join("\n")) return;
    this.#keys = keys;
    this.element.dataset.seriesKeys = keys.join(",");
    // uPlot's series list is fixed at build; a new set means a new chart (rare: layout changes).
    this.#chart.destroy();
    this.#chart = this.#build([[], ...keys.map(() => [])]);
  }

  draw(store: SeriesStore): void {
    const columns = this.#keys.map((key) => this.#window.column(key, store.get(key)));
    this.#chart.setData(alignColumns(columns));
  }

  /** The panel is itself the time chart the grid rescales. */
  get timeChart(): TimeChart {
    return this;
  }

  rescale(): void {
    // Resetting the scales runs the time window's x range over the data already drawn.
    this.#chart.setData(this.#chart.data);
  }

  shown(): ShownRange {
    return shownRange(this.#chart);
  }

  restyle(theme: ChartTheme): void {
    this.#theme = theme;
    const data = this.#chart.data as uPlot.AlignedData;
    this.#chart.destroy();
    this.#chart = this.#build(data);
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#chart.destroy();
    this.element.remove();
  }

  #build(data: uPlot.AlignedData): uPlot {
    const panel = this.#panel;
    const options = timeChartOptions({
      theme: this.#theme,
      width: this.#host.clientWidth || FALLBACK_WIDTH,
      height: CHART_HEIGHT,
      xRange: this.#window.xRange,
      zoom: this.#window,
      label: `${panel.title}: ${this.#keys.length === 1 ? "1 series" : `${this.#keys.length} series`} over time. Drag across the chart to zoom every chart; double-click to return to now.`,
      tickSpace: 90, // an `hh:mm:ss.sss` label (sub-second spans) is about 80 px wide
      legend: { show: true, live: true },
      series: [
        { label: "Time", value: (_chart: uPlot, ms: number | null) => (ms === null ? "–" : exactTime(new Date(ms))) },
        ...this.#keys.map((key, i) => ({
          label: key,
          stroke: seriesColor(i),
          width: 1.5,
          // Series rarely share times exactly, so the aligned data has gaps; draw across them.
          spanGaps: true,
          value: (_chart: uPlot, value: number | null) => formatExactValue(value, panel),
        })),
      ],
    });
    const chart = new uPlot(options, data, this.#host);
    legendButtons(chart);
    return chart;
  }
}
