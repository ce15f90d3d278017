/**
 * What every saved panel view offers the grid, and the frame they share: an `<article>` with
 * the panel's title, its `data-panel-id` / `data-panel-type`, an `aria-label`, and a body of
 * fixed height (styles.css) so nothing moves when data arrives.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import type { ChartTheme } from "../charts/chart-theme.ts";
import type { Column } from "../dashboard/time-window.ts";
import type { TimeChart } from "../charts/time-chart-options.ts";

/** A series as a panel lists it before any data is drawn. */
export interface SeriesRef {
  /** Canonical series key. */
  key: string;
  /** Metric name. */
  name: string;
}

/**
 * Where a view reads the points of the series it was given: the store's series (with the time
 * window's history), or the series a panel works out from them (derived-panel.ts).
 */
export interface PanelSource {
  /** What a time chart draws for `key`: loaded history older than the live points, then those. */
  column(key: string): Column;
  /** What series worked out from `key` read: the same, each history bucket at its middle (`TimeWindow.centredColumn`). */
  centredColumn(key: string): Column;
  /** The recent points of `key` (a sparkline's), if any. */
  recent(key: string): Column | undefined;
  /** The newest value of `key`, if any. */
  latest(key: string): number | undefined;
}

/** One saved panel on the page: a view of the series store, drawn once per frame at most. */
export interface SavedPanelView {
  readonly element: HTMLElement;
  /** Sets the series shown, in key order; called when the layout changes, not per point. */
  setSeries(series: readonly SeriesRef[]): void;
  /** Redraws from `source`; called from the frame scheduler only. */
  draw(source: PanelSource): void;
  /** Follows a light/dark switch (canvas charts need it; SVG and HTML use CSS colours). */
  restyle(theme: ChartTheme): void;
  destroy(): void;
  /** Line panels only: the time chart, which follows the page's time window. */
  readonly timeChart?: TimeChart;
  /** Panels with a transform or aggregate only: what they worked out last, per output series. */
  computed?(): { key: string; ts: number[]; values: number[] }[];
  /** Panels with a transform or aggregate only: work everything out again on the next draw. */
  recompute?(): void;
}

/** Readable names of the panel types, for `aria-label`s. */
const typeNames: Record<Panel["type"], string> = {
  line: "line chart",
  stat: "stat",
  gauge: "gauge",
  table: "table",
};

/** Builds the article and its header; returns it with the body the view draws into. */
export function savedPanelFrame(panel: Panel): { element: HTMLElement; head: HTMLElement; body: HTMLElement } {
  const element = document.createElement("article");
  element.className = `panel saved-panel saved-panel-${panel.type}`;
  element.dataset.testid = "saved-panel";
  element.dataset.panelId = panel.id;
  element.dataset.panelType = panel.type;
  element.setAttribute("aria-label", `${panel.title} (${typeNames[panel.type]})`);

  const head = document.createElement("header");
  head.className = "panel-head";
  const title = document.createElement("h2");
  title.className = "panel-title";
  title.textContent = panel.title;
  title.title = panel.series.join(", ");
  head.append(title);

  const body = document.createElement("div");
  body.className = "panel-body";
  element.append(head, body);
  return { element, head, body };
}
