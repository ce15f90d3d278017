/**
 * Ties the range picker to the charts: a fixed range loads the history route's buckets for
 * every series held and pins the charts to it; "Recent points" drops them again. The picker's
 * `data-loaded` names the choice once it is drawn, `data-source` where the buckets came from.
 * Zooming into a stretch of a fixed range loads that stretch again at a finer step (an hour's
 * buckets are 10 s wide; a few minutes' are 1 s), so a zoom shows detail, not wider lines;
 * the charts show the range's buckets until it arrives. "Recent points" needs none: the page
 * holds every point it draws.
 */
import { fetchHistory } from "./history-api.ts";
import type { PanelGrid } from "../panels/panel-grid.ts";
import { RECENT, setUpRangePicker } from "./range-picker.ts";
import type { SeriesStore } from "./series-store.ts";
import { stepFor, type TimeWindow } from "./time-window.ts";

/** What loading history needs from the page. */
export interface RangeHistoryContext {
  /** Dashboard id. */
  dashboardId: string;
  /** The private dashboard's view key, if any. */
  viewKey: string | undefined;
  /** Whose series get history (those held when the range is picked). */
  store: SeriesStore;
  /** Where the loaded buckets go. */
  timeWindow: TimeWindow;
  /** Redrawn once the buckets are in. */
  panels: PanelGrid;
  /** Hears each choice once it is drawn (its value). */
  onLoaded?(value: string): void;
}

/**
 * Follows the picker; returns a function that picks `value` (a picker value) as a person
 * would, e.g. the range a link names.
 */
export function followRangePicker(select: HTMLSelectElement, context: RangeHistoryContext): (value: string) => void {
  const { dashboardId, viewKey, store, timeWindow, panels } = context;
  const seriesNames = () => [...new Set(store.keys().map((key) => store.get(key)!.name))];
  // Each choice supersedes any history still loading for an earlier one.
  let choice = 0;
  timeWindow.onZoomChange(() => {
    const zoom = timeWindow.zoom;
    if (zoom === undefined || timeWindow.span === undefined) return;
    const range = { from: Math.floor(zoom.min), to: Math.ceil(zoom.max), step: stepFor(zoom.max - zoom.min) };
    fetchHistory(dashboardId, seriesNames(), range, viewKey).then(
      (result) => {
        // Kept only if this is still the zoom in force.
        if (timeWindow.showZoomHistory(zoom, result)) panels.redrawAll();
      },
      (error: unknown) => {
        // The range's coarser buckets still show across the stretch.
        console.warn(`pulseboard: could not load history for the zoom: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
  select.dataset.loaded = RECENT;
  // Named once drawn: the grid redraws on the next animation frame, and a frame callback
  // asked for after its own runs after it.
  const markDrawn = (mine: number, value: string) =>
    requestAnimationFrame(() => {
      if (mine !== choice) return;
      select.dataset.loaded = value;
      context.onLoaded?.(value);
    });
  setUpRangePicker(select, (span, value) => {
    const mine = ++choice;
    delete select.dataset.loaded;
    if (span === undefined) {
      timeWindow.showRecent();
      panels.redrawAll();
      markDrawn(mine, value);
      return;
    }
    const to = Date.now();
    const range = { from: to - span, to, step: stepFor(span) };
    fetchHistory(dashboardId, seriesNames(), range, viewKey).then(
      (result) => {
        if (mine !== choice) return;
        timeWindow.showRange(span, result);
        panels.redrawAll();
        select.dataset.source = result.source;
        markDrawn(mine, value);
      },
      (error: unknown) => {
        if (mine !== choice) return;
        // The live points still show across the chosen span; only the older part is missing.
        console.warn(`pulseboard: could not load history: ${error instanceof Error ? error.message : String(error)}`);
        timeWindow.showRange(span, { ...range, source: "raw", series: [] });
        panels.redrawAll();
      },
    );
  });
  return (value: string) => {
    if (select.value === value) return;
    select.value = value;
    select.dispatchEvent(new Event("change"));
  };
}
