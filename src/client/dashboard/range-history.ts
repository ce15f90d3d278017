/**
 * Ties the range picker to the charts: a fixed range loads the history route's buckets for
 * every series held and pins the charts to it; "Recent points" drops them again. The picker's
 * `data-loaded` names the choice once it is drawn, `data-source` where the buckets came from.
 * Zooming into a stretch of a fixed range loads that stretch again at a finer step (an hour's
 * buckets are 10 s wide; a few minutes' are 1 s), so a zoom shows detail, not wider lines;
 * the charts show the range's buckets until it arrives. "Recent points" needs none: the page
 * holds every point it draws. An absolute range loads its own stretch the same way, held; going
 * back to now from it picks the relative range shown before it.
 */
import { fetchHistory } from "./history-api.ts";
import type { PanelGrid } from "../panels/panel-grid.ts";
import { absoluteStep } from "./absolute-range.ts";
import { ABSOLUTE, RECENT, setUpRangePicker } from "./range-picker.ts";
import type { SeriesStore } from "./series-store.ts";
import { stepFor, type TimeWindow, type Zoom } from "./time-window.ts";

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

/** Picks ranges as a person would, e.g. the one a link names. */
export interface RangeChooser {
  /** Picks `value`, a picker value (`recent`, `5m`, ...), as choosing it in the select does. */
  pick(value: string): void;
  /** Shows the absolute range `range`, held, with its history. */
  pickAbsolute(range: Zoom): void;
}

/** Follows the picker; returns what picks ranges for the page. */
export function followRangePicker(select: HTMLSelectElement, context: RangeHistoryContext): RangeChooser {
  const { dashboardId, viewKey, store, timeWindow, panels } = context;
  const seriesNames = () => [...new Set(store.keys().map((key) => store.get(key)!.name))];
  // Each choice supersedes any history still loading for an earlier one.
  let choice = 0;
  // The relative range to go back to when now is asked for while an absolute range shows.
  let relative = RECENT;
  timeWindow.onZoomChange(() => {
    const zoom = timeWindow.zoom;
    if (zoom === undefined || (timeWindow.span === undefined && timeWindow.absolute === undefined)) return;
    // An absolute range's own stretch has its history already.
    if (zoom === timeWindow.absolute) return;
    const range = { from: Math.floor(zoom.min), to: Math.ceil(zoom.max), step: absoluteStep(zoom.max - zoom.min) };
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
    relative = value;
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
  const pick = (value: string) => {
    if (select.value === value) return;
    select.value = value;
    select.dispatchEvent(new Event("change"));
  };
  // Back to now from an absolute range (the time window has left it): the range shown before.
  timeWindow.onNowAsked(() => {
    if (select.value === ABSOLUTE) pick(relative);
  });
  const pickAbsolute = (range: Zoom) => {
    const mine = ++choice;
    select.value = ABSOLUTE;
    delete select.dataset.loaded;
    const asked = { from: Math.floor(range.min), to: Math.ceil(range.max), step: absoluteStep(range.max - range.min) };
    fetchHistory(dashboardId, seriesNames(), asked, viewKey).then(
      (result) => {
        if (mine !== choice) return;
        timeWindow.showAbsolute(range, result);
        panels.redrawAll();
        select.dataset.source = result.source;
        markDrawn(mine, ABSOLUTE);
      },
      (error: unknown) => {
        if (mine !== choice) return;
        // The live points inside the range still show; only its history is missing.
        console.warn(`pulseboard: could not load history: ${error instanceof Error ? error.message : String(error)}`);
        timeWindow.showAbsolute(range, { ...asked, source: "raw", series: [] });
        panels.redrawAll();
      },
    );
  };
  return { pick, pickAbsolute };
}
