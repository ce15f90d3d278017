/**
 * The grid of panels: the dashboard's saved panels first, placed by their layouts on a grid
 * of their own (saved-panel-layout.ts), then one
 * automatic chart per series that no saved panel matches (in key order), so every series
 * shows somewhere; a series a saved panel would show for another choice of a template
 * variable is left to that choice rather than given a panel of its own. Panels are views on the series store: a new panel list (`setPanels`)
 * rebuilds the views and keeps the data. Changed panels are redrawn once per animation frame,
 * except while paused: then changes are only noted, and drawn together on resume. A zoom (or
 * a return to now) reaches every time chart on the next frame, paused or not.
 *
 * Panels scrolled far out of view are not drawn: their changes stay noted until they come
 * within half a screen of the viewport, and are drawn on the frame after that, before they
 * show. A long dashboard then costs about what its visible part does.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { seriesMatcher, type SeriesMatcher } from "../../common/series-pattern.ts";
import { ChartPanel } from "./chart-panel.ts";
import { onChartThemeChange, readChartTheme } from "../charts/chart-theme.ts";
import { FrameScheduler } from "./frame-scheduler.ts";
import type { SavedPanelView, SeriesRef } from "./saved-panel.ts";
import { createSavedPanelView } from "./saved-panel-views.ts";
import { SavedPanelLayout } from "./saved-panel-layout.ts";
import type { SeriesStore, StoreChange } from "../dashboard/series-store.ts";
import type { ShownRange } from "../charts/time-chart-options.ts";
import type { TimeWindow } from "../dashboard/time-window.ts";

/**
 * A saved panel as the grid lays it out: `claims`, when given, are patterns of series the
 * panel stands for without showing them now (a template variable's other values): those get
 * no automatic panel either.
 */
export type GridPanel = Panel & { claims?: readonly string[] };

/** A saved panel on the page with the series it currently shows. */
interface PlacedPanel {
  /** Whether a series belongs on this panel (from its patterns). */
  matches: SeriesMatcher;
  /** Whether the panel stands for a series, shown or not (its claims, else its patterns). */
  claims: SeriesMatcher;
  /** Series shown, in key order. */
  series: SeriesRef[];
  /** The drawing. */
  view: SavedPanelView;
}

export class PanelGrid {
  #host: HTMLElement;
  #store: SeriesStore;
  /** Every series the page knows of, listed up front or seen in the data. */
  #known = new Map<string, SeriesRef>();
  #saved: PlacedPanel[] = [];
  /** The saved panel list as laid out, to skip relayouts that change nothing (e.g. on reconnect). */
  #layout = "[]";
  /** The same without the panels' places, to move panels without redrawing them when only those change. */
  #content = "[]";
  /** Where the saved panels sit (their own 12-column grid at the head of the host). */
  readonly savedLayout: SavedPanelLayout;
  /** Saved panels showing each series. */
  #routes = new Map<string, PlacedPanel[]>();
  /** Series some saved panel stands for (shown or not); a known series missing here gets an automatic panel. */
  #claimed = new Set<string>();
  #automatic = new Map<string, ChartPanel>();
  #dirtyAutomatic = new Set<string>();
  #dirtySaved = new Set<PlacedPanel>();
  #theme = readChartTheme();
  #scheduler = new FrameScheduler(() => this.#flush());
  #onCountChange: (count: number) => void;
  #paused = false;
  /** The time window zoomed or went back to now since the last frame. */
  #rescale = false;
  #window: TimeWindow;
  /** Panel elements more than half a screen out of view; their changes wait. */
  #offscreen = new WeakSet<Element>();
  #visibility = new IntersectionObserver((entries) => this.#onVisibility(entries), { rootMargin: "50% 0px" });

  /**
   * `onCountChange` hears the number of series, e.g. to show the empty state at zero;
   * `window` sets the span of time the line charts show.
   */
  constructor(host: HTMLElement, store: SeriesStore, window: TimeWindow, onCountChange: (count: number) => void) {
    this.#host = host;
    this.savedLayout = new SavedPanelLayout(host);
    this.#window = window;
    this.#store = store;
    this.#onCountChange = onCountChange;
    window.onZoomChange(() => {
      this.#rescale = true;
      this.#scheduler.request();
    });
    onChartThemeChange((theme) => {
      this.#theme = theme;
      for (const panel of this.#automatic.values()) panel.restyle(theme);
      for (const placed of this.#saved) placed.view.restyle(theme);
    });
  }

  /** Lays out `panels` (the whole saved list, in order) in place of the previous ones. */
  setPanels(panels: readonly GridPanel[]): void {
    const layout = JSON.stringify(panels);
    if (layout === this.#layout) return;
    this.#layout = layout;
    const content = JSON.stringify(panels.map(({ layout: _place, ...rest }) => rest));
    const moved = content === this.#content;
    this.#content = content;
    if (moved) return this.savedLayout.show(panels, this.#saved.map((placed) => placed.view.element));
    for (const placed of this.#saved) {
      this.#visibility.unobserve(placed.view.element);
      placed.view.destroy();
    }
    this.#dirtySaved.clear();
    this.#saved = panels.map(({ claims, ...panel }) => ({
      matches: seriesMatcher(panel.series),
      claims: seriesMatcher(claims ?? panel.series),
      series: [],
      view: createSavedPanelView(panel, this.#theme, this.#window),
    }));
    this.#routes.clear();
    this.#claimed.clear();
    for (const series of [...this.#known.values()].sort(byKey)) this.#route(series);
    // Saved panels come before every automatic one.
    this.savedLayout.show(panels, this.#saved.map((placed) => placed.view.element));
    for (const placed of this.#saved) {
      this.#visibility.observe(placed.view.element);
      placed.view.setSeries(placed.series);
      // Drawn at once from the data already held, so a relayout never shows empty panels.
      placed.view.draw(this.#store);
    }
    for (const key of [...this.#automatic.keys()]) {
      if (this.#claimed.has(key)) this.#dropAutomatic(key);
    }
    for (const series of this.#known.values()) {
      if (!this.#claimed.has(series.key) && !this.#automatic.has(series.key)) {
        this.#ensureAutomatic(series);
        this.#dirtyAutomatic.add(series.key);
      }
    }
    if (this.#dirtyAutomatic.size > 0) this.#scheduler.request();
  }

  /**
   * Freezes (or unfreezes) what the panels draw. The store keeps taking frames meanwhile;
   * the panels they touched stay marked and are redrawn together when unpaused.
   */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    if (!paused && (this.#dirtyAutomatic.size > 0 || this.#dirtySaved.size > 0)) this.#scheduler.request();
  }

  /** Redraws every panel on the next frame (unless paused), e.g. after the time window changed. */
  redrawAll(): void {
    for (const key of this.#automatic.keys()) this.#dirtyAutomatic.add(key);
    for (const placed of this.#saved) this.#dirtySaved.add(placed);
    this.#scheduler.request();
  }

  /** What the automatic panel of `key` draws and its x range; `undefined` without one. */
  drawn(key: string): ReturnType<ChartPanel["drawn"]> | undefined {
    return this.#automatic.get(key)?.drawn();
  }

  /**
   * Every time chart's x axis span and size, keyed `series:<key>` for automatic panels and
   * `saved:<id>` for saved line panels, in page order.
   */
  timeCharts(): { chart: string; shown: ShownRange }[] {
    const saved = this.#saved.flatMap((placed) => {
      const chart = placed.view.timeChart;
      return chart ? [{ chart: `saved:${placed.view.element.dataset.panelId}`, shown: chart.shown() }] : [];
    });
    const automatic = [...this.#automatic.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((panel) => ({ chart: `series:${panel.key}`, shown: panel.shown() }));
    return [...saved, ...automatic];
  }

  /** Places series known before any data, so the layout is set up front. */
  reserve(series: SeriesRef[]): void {
    const relisted = new Set<PlacedPanel>();
    for (const s of series) this.#learn(s, relisted);
    this.#relist(relisted);
    this.#onCountChange(this.#known.size);
  }

  /** Applies a store change: panels are added and removed now, redrawn on the next frame. */
  apply(change: StoreChange): void {
    // Saved panels whose series list changed, relisted once after the whole change.
    const relisted = new Set<PlacedPanel>();
    for (const key of change.removed) this.#forget(key, relisted);
    for (const key of change.changed) {
      const series = this.#store.get(key);
      if (!series) continue;
      this.#learn(series, relisted);
      const routes = this.#routes.get(key);
      if (routes) for (const placed of routes) this.#dirtySaved.add(placed);
      else if (!this.#claimed.has(key)) this.#dirtyAutomatic.add(key);
    }
    this.#relist(relisted);
    if (change.removed.length > 0 || change.changed.length > 0) this.#onCountChange(this.#known.size);
    if (this.#dirtyAutomatic.size > 0 || this.#dirtySaved.size > 0) this.#scheduler.request();
  }

  /**
   * Records a series the first time it is seen: an automatic panel if no saved panel takes
   * it, else it joins the saved panels, noted in `relisted` (relisted once per batch, since a line
   * chart is rebuilt for each new series list).
   */
  #learn(series: SeriesRef, relisted: Set<PlacedPanel>): void {
    if (this.#known.has(series.key)) return;
    const ref = { key: series.key, name: series.name };
    this.#known.set(ref.key, ref);
    const routes = this.#route(ref);
    if (!this.#claimed.has(ref.key)) this.#ensureAutomatic(ref);
    for (const placed of routes) relisted.add(placed);
  }

  #relist(relisted: Set<PlacedPanel>): void {
    for (const placed of relisted) {
      placed.series.sort(byKey);
      placed.view.setSeries(placed.series);
      this.#dirtySaved.add(placed);
    }
    if (relisted.size > 0) this.#scheduler.request();
  }

  /** Adds `series` to every saved panel matching it, and notes whether one stands for it; returns those panels. */
  #route(series: SeriesRef): PlacedPanel[] {
    const routes = this.#saved.filter((placed) => placed.matches(series));
    for (const placed of routes) placed.series.push(series);
    if (routes.length > 0) this.#routes.set(series.key, routes);
    if (routes.length > 0 || this.#saved.some((placed) => placed.claims(series))) this.#claimed.add(series.key);
    return routes;
  }

  #forget(key: string, relisted: Set<PlacedPanel>): void {
    this.#known.delete(key);
    this.#dropAutomatic(key);
    for (const placed of this.#routes.get(key) ?? []) {
      placed.series = placed.series.filter((s) => s.key !== key);
      relisted.add(placed);
    }
    this.#routes.delete(key);
    this.#claimed.delete(key);
  }

  #ensureAutomatic(series: SeriesRef): void {
    if (this.#automatic.has(series.key)) return;
    const panel = new ChartPanel(series, this.#theme, this.#window);
    this.#automatic.set(series.key, panel);
    // Automatic panels stay in key order so a series keeps its place across reloads.
    const after = [...this.#automatic.keys()].filter((key) => key > series.key).sort()[0];
    const before = after === undefined ? null : this.#automatic.get(after)!.element;
    this.#host.insertBefore(panel.element, before);
    this.#visibility.observe(panel.element);
  }

  #dropAutomatic(key: string): void {
    const panel = this.#automatic.get(key);
    if (panel) this.#visibility.unobserve(panel.element);
    panel?.destroy();
    this.#automatic.delete(key);
    this.#dirtyAutomatic.delete(key);
  }

  #flush(): void {
    if (this.#paused) {
      // Frozen data, but the x range follows a zoom: each chart re-ranges what it drew.
      if (this.#rescale) {
        for (const panel of this.#automatic.values()) panel.rescale();
        for (const placed of this.#saved) placed.view.timeChart?.rescale();
      }
      this.#rescale = false;
      return;
    }
    if (this.#rescale) {
      // Drawing from the store resets every chart's scales through the time window.
      for (const key of this.#automatic.keys()) this.#dirtyAutomatic.add(key);
      for (const placed of this.#saved) if (placed.view.timeChart) this.#dirtySaved.add(placed);
      this.#rescale = false;
    }
    // Panels far out of view keep their marks until they come near it (#onVisibility).
    for (const key of this.#dirtyAutomatic) {
      const panel = this.#automatic.get(key);
      if (panel && this.#offscreen.has(panel.element)) continue;
      const series = this.#store.get(key);
      if (panel && series) panel.update(series);
      this.#dirtyAutomatic.delete(key);
    }
    for (const placed of this.#dirtySaved) {
      if (this.#offscreen.has(placed.view.element)) continue;
      placed.view.draw(this.#store);
      this.#dirtySaved.delete(placed);
    }
  }

  /** Notes panels leaving the viewport's neighbourhood, and draws those coming back to it. */
  #onVisibility(entries: IntersectionObserverEntry[]): void {
    let back = false;
    for (const entry of entries) {
      if (!entry.isIntersecting) this.#offscreen.add(entry.target);
      else if (this.#offscreen.delete(entry.target)) back = true;
    }
    if (back) this.#scheduler.request();
  }
}

function byKey(a: SeriesRef, b: SeriesRef): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
