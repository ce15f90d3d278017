/**
 * Zooming a time chart with the mouse: dragging across it selects a stretch of time and a
 * double-click goes back to now. uPlot's own drag-zoom would rescale only the chart dragged
 * on, and its double-click would rescale to the data; here both only report to the page's
 * one time window, whose x range every chart then takes (see ../dashboard/time-window.ts).
 */
import type uPlot from "uplot";

/** Where a chart reports what the mouse asked for. */
export interface ZoomTarget {
  /** A stretch of time was selected, in ms. */
  zoomTo(min: number, max: number): void;
  /** Back to following now. */
  followNow(): void;
}

/** A selection narrower than this many CSS pixels is a click, not a zoom. */
const MIN_DRAG_PX = 5;

/** uPlot's cursor and hooks that turn a drag into `target.zoomTo` and a double-click into `followNow`. */
export function chartZoom(target: ZoomTarget): Pick<uPlot.Options, "cursor" | "hooks"> {
  return {
    cursor: {
      // uPlot draws the selection; the scale is set by the time window, for every chart.
      drag: { x: true, y: false, setScale: false, dist: MIN_DRAG_PX },
      bind: {
        dblclick: () => () => {
          target.followNow();
          return null;
        },
      },
    },
    hooks: {
      setSelect: [
        (chart) => {
          const { left, width } = chart.select;
          if (width < MIN_DRAG_PX) return;
          const min = chart.posToVal(left, "x");
          const max = chart.posToVal(left + width, "x");
          // Hide the selection box without firing this hook again.
          chart.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          target.zoomTo(min, max);
        },
      ],
    },
  };
}
