/**
 * A uPlot chart living in a host element: sized by a ResizeObserver, and rebuilt with the data
 * it holds when its colours or series change (uPlot cannot change either in place). What the
 * automatic per-series charts and the saved line panels share; each says how it is built and
 * how big it is for its host's box.
 */
import type uPlot from "uplot";
import { axisLabels, type ShownRange, type TimeChart } from "./time-chart-options.ts";

export class HostedChart implements TimeChart {
  #build: (data: uPlot.AlignedData) => uPlot;
  #chart: uPlot;
  #resize: ResizeObserver;

  /**
   * `build` makes the chart with the given data in `host`; `size` gives its size for the
   * host's content box (the chart is resized only when that changes).
   */
  constructor(
    host: HTMLElement,
    build: (data: uPlot.AlignedData) => uPlot,
    data: uPlot.AlignedData,
    size: (box: DOMRectReadOnly) => { width: number; height: number },
  ) {
    this.#build = build;
    this.#chart = build(data);
    this.#resize = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = size(entry.contentRect);
      if (width > 0 && height > 0 && (width !== this.#chart.width || height !== this.#chart.height)) this.#chart.setSize({ width, height });
    });
    this.#resize.observe(host);
  }

  setData(data: uPlot.AlignedData): void {
    this.#chart.setData(data);
  }

  /** Builds the chart anew (new colours, or new series with `data` to match them). */
  rebuild(data: uPlot.AlignedData = this.#chart.data as uPlot.AlignedData): void {
    this.#chart.destroy();
    this.#chart = this.#build(data);
  }

  rescale(): void {
    // Resetting the scales runs the time window's x range over the data already drawn.
    this.#chart.setData(this.#chart.data);
  }

  shown(): ShownRange {
    const x = this.#chart.scales.x;
    return { xMin: x?.min ?? undefined, xMax: x?.max ?? undefined, times: this.#chart.data[0]?.length ?? 0, labels: axisLabels(this.#chart) };
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#chart.destroy();
  }
}
