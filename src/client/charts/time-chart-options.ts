/**
 * The uPlot options every time chart on the page shares: millisecond time on x (set by the
 * page's time window), themed axes with readable ticks, fixed height, drag to zoom every
 * chart and double-click to go back to now. Each panel adds its own legend and series.
 */
import type uPlot from "uplot";
import type { ChartTheme } from "./chart-theme.ts";
import { chartZoom, type ZoomTarget } from "./chart-zoom.ts";
import { formatValue } from "../panels/format-value.ts";
import { formatTimeTicks } from "./time-ticks.ts";

/** What differs between the page's time charts. */
export interface TimeChartParts {
  /** Colours of the light or dark theme in force. */
  theme: ChartTheme;
  /** Chart width in px. */
  width: number;
  /** Chart height in px (fixed, so data never shifts the layout). */
  height: number;
  /** The x range in force (the time window's). */
  xRange: uPlot.Range.Function;
  /** Hears drags (zoom) and double-clicks (back to now): the time window. */
  zoom: ZoomTarget;
  /** What the chart shows, for screen readers (the canvas is otherwise silent). */
  label: string;
  /** Px between x ticks: wide enough for the longest time label the chart shows. */
  tickSpace: number;
  /** uPlot's legend settings. */
  legend: uPlot.Legend;
  /** uPlot's series, the time series first. */
  series: uPlot.Series[];
}

export function timeChartOptions(parts: TimeChartParts): uPlot.Options {
  const { theme } = parts;
  const axis = { stroke: theme.axis, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 } };
  const zoom = chartZoom(parts.zoom);
  return {
    width: parts.width,
    height: parts.height,
    ms: 1, // the protocol's times are milliseconds
    legend: parts.legend,
    cursor: zoom.cursor,
    hooks: {
      ...zoom.hooks,
      init: [
        (chart) => {
          chart.ctx.canvas.setAttribute("role", "img");
          chart.ctx.canvas.setAttribute("aria-label", parts.label);
        },
      ],
    },
    scales: { x: { time: true, range: parts.xRange } },
    axes: [
      { ...axis, size: 28, space: parts.tickSpace, values: (_chart, ticks, _axis, _space, spacing) => formatTimeTicks(ticks, spacing) },
      { ...axis, size: 56, values: (_chart, ticks) => ticks.map(formatValue) },
    ],
    series: parts.series,
  };
}

/** What the page asks of every time chart beyond new data. */
export interface TimeChart {
  /** Re-runs the x range on the data already drawn, e.g. after a zoom while paused. */
  rescale(): void;
  /** The x axis' span now and how many times the chart holds, for the debug hook. */
  shown(): ShownRange;
}

/** A time chart's x axis span and how many times (x values) it holds. */
export interface ShownRange {
  /** Left edge of the x axis, ms. */
  xMin: number | undefined;
  /** Right edge of the x axis, ms. */
  xMax: number | undefined;
  /** Number of x values in the chart's data. */
  times: number;
}
