/**
 * The uPlot options every time chart on the page shares: millisecond time on x (pinned by
 * the time window), themed axes with readable ticks, fixed height, no drag-zoom. Each panel
 * adds its own legend and series.
 */
import type uPlot from "uplot";
import type { ChartTheme } from "./chart-theme.ts";
import { formatValue } from "./format-value.ts";
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
  return {
    width: parts.width,
    height: parts.height,
    ms: 1, // the protocol's times are milliseconds
    legend: parts.legend,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: parts.xRange } },
    axes: [
      { ...axis, size: 28, space: parts.tickSpace, values: (_chart, ticks, _axis, _space, spacing) => formatTimeTicks(ticks, spacing) },
      { ...axis, size: 56, values: (_chart, ticks) => ticks.map(formatValue) },
    ],
    series: parts.series,
  };
}
