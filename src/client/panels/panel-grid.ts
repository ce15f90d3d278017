/**
 * The grid of panels: the dashboard's saved panels first, placed by their layouts on a grid
 * of their own (saved-panel-layout.ts), then one automatic chart per metric name (in name
 * order) holding every series of that name that no saved panel matches, so every series shows
 * somewhere and a metric's series show together; a series a saved panel would show for
 * another choice of a template variable is left to that choice rather than put on an
 * automatic chart. Panels are views on the series store: a new panel list (`setPanels`)
 * remakes the views of the panels it changed and keeps the data. Changed panels are redrawn once per animation frame,
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
import type { PanelSource, SavedPanelView, SeriesRef } from "./saved-panel.ts";
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
  /** The panel as laid out, without its place (`JSON.stringify`): an equal one keeps this drawing. */
  content: string;
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
  /** Series some saved panel stands for (shown or not); a known series missing here goes on its name's automatic panel. */
  #claimed = new Set<string>();
  /** Automatic panels by metric name, and the keys each should show. */
  #automatic = new Map<string, ChartPanel>();
  #grouped = new Map<string, Set<string>>();
  /** Names whose automatic panel's series changed since it was last given its list. */
  #regroup = new Set<string>();
  /** Names of automatic panels to redraw. */
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
  /** What the views read: the store's series, with the time window's history before them. */
  #source: PanelSource;

  /**
   * `onCountChange` hears the number of series, e.g. to show the empty state at zero;
   * `window` sets the span of time the line charts show.
   */
  constructor(host: HTMLElement, store: SeriesStore, window: TimeWindow, onCountChange: (count: number) => void) {
    this.#host = host;
    this.savedLayout = new SavedPanelLayout(host);
    this.#window = window;
    this.#store = store;
    this.#source = panelSource(store, window);
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

  /**
   * Lays out `panels` (the whole saved list, in order) in place of the previous ones. A panel
   * shown as it was (the same fields and claims, wherever it now sits) keeps its drawing, and
   * with it what a person did to it (series hidden from its legend): a template variable's
   * choice or a save remakes only the panels it changed.
   */
  setPanels(panels: readonly GridPanel[]): void {
    const layout = JSON.stringify(panels);
    if (layout === this.#layout) return;
    this.#layout = layout;
    const contents = panels.map(({ layout: _place, ...rest }) => JSON.stringify(rest));
    const content = `[${contents.join(",")}]`;
    const moved = content === this.#content;
    this.#content = content;
    if (moved) return this.savedLayout.show(panels, this.#saved.map((placed) => placed.view.element));
    const reusable = new Map<string, PlacedPanel[]>();
    for (const placed of this.#saved) reusable.set(placed.content, [...(reusable.get(placed.content) ?? []), placed]);
    const before = new Map<PlacedPanel, string>();
    this.#saved = panels.map(({ claims, ...panel }, i) => {
      const kept = reusable.get(contents[i]!)?.shift();
      if (kept) {
        before.set(kept, seriesKeys(kept.series));
        kept.series = [];
        return kept;
      }
      return {
        matches: seriesMatcher(panel.series),
        claims: seriesMatcher(claims ?? panel.series),
        series: [],
        view: createSavedPanelView(panel, this.#theme, this.#window),
        content: contents[i]!,
      };
    });
    for (const placed of [...reusable.values()].flat()) {
      this.#visibility.unobserve(placed.view.element);
      this.#dirtySaved.delete(placed);
      placed.view.destroy();
    }
    this.#routes.clear();
    this.#claimed.clear();
    for (const series of [...this.#known.values()].sort(byKey)) this.#route(series);
    // Saved panels come before every automatic one.
    this.savedLayout.show(panels, this.#saved.map((placed) => placed.view.element));
    for (const placed of this.#saved) {
      const shown = before.get(placed);
      if (shown === seriesKeys(placed.series)) continue;
      if (shown === undefined) this.#visibility.observe(placed.view.element);
      placed.view.setSeries(placed.series);
      // Drawn at once from the data already held, so a relayout never shows empty panels.
      placed.view.draw(this.#source);
    }
    for (const series of this.#known.values()) {
      if (this.#claimed.has(series.key)) this.#dropAutomatic(series);
      else this.#ensureAutomatic(series);
    }
    this.#applyGroups();
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
    for (const name of this.#automatic.keys()) this.#dirtyAutomatic.add(name);
    for (const placed of this.#saved) {
      // New history, or a new stretch: what a panel worked out from the old columns no longer holds.
      placed.view.recompute?.();
      this.#dirtySaved.add(placed);
    }
    this.#scheduler.request();
  }

  /** What the automatic panel showing series `key` draws of it and its x range; `undefined` without one. */
  drawn(key: string): ReturnType<ChartPanel["drawn"]> | undefined {
    const series = this.#known.get(key);
    const panel = series && this.#automatic.get(series.name);
    return panel?.keys.includes(key) ? panel.drawn(key) : undefined;
  }

  /** The series saved panel `id` worked out last (with a transform or aggregate); `undefined` otherwise. */
  computed(id: string): { key: string; ts: number[]; values: number[] }[] | undefined {
    return this.#saved.find((placed) => placed.view.element.dataset.panelId === id)?.view.computed?.();
  }

  /**
   * Every time chart's x axis span and size, keyed `metric:<name>` for automatic panels and
   * `saved:<id>` for saved line panels, in page order.
   */
  timeCharts(): { chart: string; shown: ShownRange }[] {
    const saved = this.#saved.flatMap((placed) => {
      const chart = placed.view.timeChart;
      return chart ? [{ chart: `saved:${placed.view.element.dataset.panelId}`, shown: chart.shown() }] : [];
    });
    const automatic = [...this.#automatic.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((panel) => ({ chart: `metric:${panel.name}`, shown: panel.shown() }));
    return [...saved, ...automatic];
  }

  /** Places series known before any data, so the layout is set up front. */
  reserve(series: SeriesRef[]): void {
    const relisted = new Set<PlacedPanel>();
    for (const s of series) this.#learn(s, relisted);
    this.#relist(relisted);
    this.#applyGroups();
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
      else if (!this.#claimed.has(key)) this.#dirtyAutomatic.add(series.name);
    }
    this.#relist(relisted);
    this.#applyGroups();
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
    const series = this.#known.get(key);
    this.#known.delete(key);
    if (series) this.#dropAutomatic(series);
    for (const placed of this.#routes.get(key) ?? []) {
      placed.series = placed.series.filter((s) => s.key !== key);
      relisted.add(placed);
    }
    this.#routes.delete(key);
    this.#claimed.delete(key);
  }

  /** Puts `series` on its name's automatic panel (made in `#applyGroups`). */
  #ensureAutomatic(series: SeriesRef): void {
    let keys = this.#grouped.get(series.name);
    if (!keys) this.#grouped.set(series.name, (keys = new Set()));
    if (keys.has(series.key)) return;
    keys.add(series.key);
    this.#regroup.add(series.name);
  }

  /** Takes `series` off its name's automatic panel (dropped in `#applyGroups` once empty). */
  #dropAutomatic(series: SeriesRef): void {
    if (this.#grouped.get(series.name)?.delete(series.key)) this.#regroup.add(series.name);
  }

  /**
   * Gives each automatic panel whose series changed its new list (once per batch: a new list
   * rebuilds its chart), making panels for new names and dropping those left empty.
   */
  #applyGroups(): void {
    for (const name of this.#regroup) {
      const keys = [...(this.#grouped.get(name) ?? [])].sort();
      let panel = this.#automatic.get(name);
      if (keys.length === 0) {
        this.#grouped.delete(name);
        if (panel) {
          this.#visibility.unobserve(panel.element);
          panel.destroy();
        }
        this.#automatic.delete(name);
        this.#dirtyAutomatic.delete(name);
        continue;
      }
      if (!panel) {
        panel = new ChartPanel(name, this.#theme, this.#window);
        this.#automatic.set(name, panel);
        // Automatic panels stay in name order so a metric keeps its place across reloads.
        const after = [...this.#automatic.keys()].filter((other) => other > name).sort()[0];
        const before = after === undefined ? null : this.#automatic.get(after)!.element;
        this.#host.insertBefore(panel.element, before);
        this.#visibility.observe(panel.element);
      }
      panel.setSeries(keys);
      this.#dirtyAutomatic.add(name);
    }
    if (this.#regroup.size > 0) this.#scheduler.request();
    this.#regroup.clear();
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
      for (const name of this.#automatic.keys()) this.#dirtyAutomatic.add(name);
      for (const placed of this.#saved) {
        // A zoom changes the history a column holds: worked-out series start again from it.
        placed.view.recompute?.();
        this.#dirtySaved.add(placed);
      }
      this.#rescale = false;
    }
    // Panels far out of view keep their marks until they come near it (#onVisibility).
    for (const name of this.#dirtyAutomatic) {
      const panel = this.#automatic.get(name);
      if (panel && this.#offscreen.has(panel.element)) continue;
      panel?.update(this.#source);
      this.#dirtyAutomatic.delete(name);
    }
    for (const placed of this.#dirtySaved) {
      if (this.#offscreen.has(placed.view.element)) continue;
      placed.view.draw(this.#source);
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

/** What saved panels draw from: the store's series, their time charts through `window` (history older than the live points, then those). */
export function panelSource(store: SeriesStore, window: TimeWindow): PanelSource {
  return {
    column: (key) => window.column(key, store.get(key)),
    centredColumn: (key) => window.centredColumn(key, store.get(key)),
    recent: (key) => store.get(key),
    latest: (key) => store.latest(key),
  };
}

/** A panel's series list, to tell whether it changed. */
function seriesKeys(series: readonly SeriesRef[]): string {
  return JSON.stringify(series.map((s) => s.key));
}

function byKey(a: SeriesRef, b: SeriesRef): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
