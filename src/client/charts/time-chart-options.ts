/**
 * The uPlot options every time chart on the page shares: millisecond time on x (set by the
 * page's time window), themed axes with readable ticks (values in the panel's unit), fixed
 * height, drag to zoom every chart, double-click to go back to now, and the values under the
 * cursor in a tooltip. Each panel adds its own legend and series.
 */
import type uPlot from "uplot";
import type { ChartTheme } from "./chart-theme.ts";
import { chartTooltip, nearestPoint } from "./chart-tooltip.ts";
import { chartZoom, type ZoomTarget } from "./chart-zoom.ts";
import { annotationHooks, type AnnotationSource } from "./annotation-marks.ts";
import { formatAxisValues, type ValueStyle } from "../panels/panel-value.ts";
import { formatTimeTicks } from "./time-ticks.ts";

/** uPlot's own axis font, named so that labels can be measured in it. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
/** The value axis' narrowest width, and what it needs beside its labels (tick 10 px, gap 5 px, margin), in px. */
const VALUE_AXIS_MIN = 56;
const VALUE_AXIS_EXTRA = 20;

/** Width of the value axis for `labels`: the longest one ("1,023.5 KiB") is never cut off. */
function valueAxisSize(chart: uPlot, labels: readonly string[] | undefined): number {
  if (!labels || labels.length === 0) return VALUE_AXIS_MIN;
  const { ctx } = chart;
  ctx.save();
  ctx.font = AXIS_FONT;
  const widest = Math.max(...labels.map((label) => ctx.measureText(label).width));
  ctx.restore();
  return Math.max(VALUE_AXIS_MIN, Math.ceil(widest) + VALUE_AXIS_EXTRA);
}

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
  /** The annotations drawn over the series (the time window's). */
  annotations?: AnnotationSource;
  /** What the chart shows, for screen readers (the canvas is otherwise silent). */
  label: string;
  /** Px between x ticks: wide enough for the longest time label the chart shows. */
  tickSpace: number;
  /** uPlot's legend settings. */
  legend: uPlot.Legend;
  /** uPlot's series, the time series first. */
  series: uPlot.Series[];
  /** How values read on the axis and in the tooltip: a saved panel's unit and decimals, or none. */
  values: ValueStyle;
}

/** The labels each chart's axes were last given, for `ShownRange.labels`. */
const drawnLabels = new WeakMap<uPlot, AxisLabels>();

/** The tick labels `chart`'s axes show now. */
export function axisLabels(chart: uPlot): AxisLabels {
  const labels = drawnLabels.get(chart);
  return { time: [...(labels?.time ?? [])], values: [...(labels?.values ?? [])] };
}

/** Keeps `labels` as what `chart`'s axis `axis` shows, and returns them. */
function remember(chart: uPlot, axis: keyof AxisLabels, labels: string[]): string[] {
  let kept = drawnLabels.get(chart);
  if (!kept) drawnLabels.set(chart, (kept = { time: [], values: [] }));
  kept[axis] = labels;
  return labels;
}

/** Concatenates uPlot hook lists, so several features can hook the same event. */
function mergeHooks(...all: uPlot.Hooks.Arrays[]): uPlot.Hooks.Arrays {
  const merged: Record<string, unknown[]> = {};
  for (const hooks of all) {
    for (const [name, list] of Object.entries(hooks)) (merged[name] ??= []).push(...(list as unknown[]));
  }
  return merged as uPlot.Hooks.Arrays;
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
    cursor: { ...zoom.cursor, hover: nearestPoint },
    hooks: mergeHooks(zoom.hooks ?? {}, chartTooltip(parts.values, parts.annotations), parts.annotations ? annotationHooks(parts.annotations, theme.annotation) : {}, {
      init: [
        (chart) => {
          chart.ctx.canvas.setAttribute("role", "img");
          chart.ctx.canvas.setAttribute("aria-label", parts.label);
        },
      ],
    }),
    // Little room above the plot: the top tick's label overhangs it by half its height at most.
    padding: [8, null, null, null],
    scales: { x: { time: true, range: parts.xRange } },
    axes: [
      { ...axis, font: AXIS_FONT, size: 28, space: parts.tickSpace, values: (chart, ticks, _axis, _space, spacing) => remember(chart, "time", formatTimeTicks(ticks, spacing)) },
      { ...axis, font: AXIS_FONT, size: valueAxisSize, values: (chart, ticks) => remember(chart, "values", formatAxisValues(ticks, parts.values)) },
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
  /** The axes' tick labels as drawn. */
  labels: AxisLabels;
}

/** A time chart's tick labels: the time axis', and the value axis' (in the panel's unit). */
export interface AxisLabels {
  /** Time axis, left to right. */
  time: string[];
  /** Value axis, bottom to top. */
  values: string[];
}
