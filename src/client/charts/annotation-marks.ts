/**
 * Annotations drawn on a time chart: a dashed vertical line at each annotation's time within
 * the chart's x range, with a small flag at the top, and the annotations under the cursor for
 * a tooltip to name. Drawn in uPlot's `draw` hook, over the series.
 */
import type uPlot from "uplot";
import type { Annotation } from "../../common/protocol.ts";

/** Where a chart finds the annotations to draw (the page's `AnnotationFeed`). */
export interface AnnotationSource {
  within(from: number, to: number): Annotation[];
}

/** Flag size and how near the cursor (css px) an annotation counts as under it. */
const FLAG_PX = 6;
const NEAR_PX = 6;

/**
 * Draws the annotations of `source` inside `chart`'s x range, in `color`; the chart's root
 * element says how many it drew (`data-annotations`), for tests and people in devtools.
 */
export function drawAnnotations(chart: uPlot, source: AnnotationSource, color: string): void {
  const { min, max } = chart.scales.x ?? {};
  const marks = min === undefined || max === undefined ? [] : source.within(min, max);
  chart.root.dataset.annotations = String(marks.length);
  if (marks.length === 0) return;
  const { ctx, bbox } = chart;
  const ratio = devicePixelRatio || 1;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = Math.max(1, ratio);
  ctx.setLineDash([4 * ratio, 3 * ratio]);
  for (const mark of marks) {
    const x = Math.round(chart.valToPos(mark.ts, "x", true));
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x - FLAG_PX * ratio, bbox.top);
    ctx.lineTo(x + FLAG_PX * ratio, bbox.top);
    ctx.lineTo(x, bbox.top + FLAG_PX * ratio);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/** The annotations within a few px of the cursor's x position `left` (css px in the plot), nearest first. */
export function annotationsNear(chart: uPlot, source: AnnotationSource, left: number): Annotation[] {
  if (!(left >= 0)) return [];
  const from = chart.posToVal(left - NEAR_PX, "x");
  const to = chart.posToVal(left + NEAR_PX, "x");
  const at = chart.posToVal(left, "x");
  return source.within(Math.min(from, to), Math.max(from, to)).sort((a, b) => Math.abs(a.ts - at) - Math.abs(b.ts - at));
}

/** uPlot hooks that draw `source`'s annotations on every redraw, in `color` (a chart is rebuilt when the theme changes). */
export function annotationHooks(source: AnnotationSource, color: string): uPlot.Hooks.Arrays {
  return { draw: [(chart) => drawAnnotations(chart, source, color)] };
}
