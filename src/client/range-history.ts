/**
 * Ties the range picker to the charts: a fixed range loads the history route's buckets for
 * every series held and pins the charts to it; "Recent points" drops them again. The picker's
 * `data-loaded` names the choice once it is drawn, `data-source` where the buckets came from.
 */
import { fetchHistory } from "./history-api.ts";
import type { PanelGrid } from "./panel-grid.ts";
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
}

export function followRangePicker(select: HTMLSelectElement, context: RangeHistoryContext): void {
  const { dashboardId, viewKey, store, timeWindow, panels } = context;
  // Each choice supersedes any history still loading for an earlier one.
  let choice = 0;
  select.dataset.loaded = RECENT;
  setUpRangePicker(select, (span, value) => {
    const mine = ++choice;
    delete select.dataset.loaded;
    if (span === undefined) {
      timeWindow.showRecent();
      panels.redrawAll();
      select.dataset.loaded = value;
      return;
    }
    const to = Date.now();
    const range = { from: to - span, to, step: stepFor(span) };
    const names = [...new Set(store.keys().map((key) => store.get(key)!.name))];
    fetchHistory(dashboardId, names, range, viewKey).then(
      (result) => {
        if (mine !== choice) return;
        timeWindow.showRange(span, result);
        panels.redrawAll();
        select.dataset.loaded = value;
        select.dataset.source = result.source;
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
}
