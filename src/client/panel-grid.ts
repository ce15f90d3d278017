/**
 * The grid of series panels: adds a panel the first time a series is seen, removes panels
 * a snapshot no longer lists, and redraws changed panels once per animation frame.
 */
import { ChartPanel } from "./chart-panel.ts";
import { onChartThemeChange, readChartTheme } from "./chart-theme.ts";
import { FrameScheduler } from "./frame-scheduler.ts";
import type { SeriesStore, StoreChange } from "./series-store.ts";

export class PanelGrid {
  #host: HTMLElement;
  #store: SeriesStore;
  #panels = new Map<string, ChartPanel>();
  #dirty = new Set<string>();
  #theme = readChartTheme();
  #scheduler = new FrameScheduler(() => this.#flush());
  #onCountChange: (count: number) => void;

  /** `onCountChange` hears the number of panels, e.g. to show the empty state at zero. */
  constructor(host: HTMLElement, store: SeriesStore, onCountChange: (count: number) => void) {
    this.#host = host;
    this.#store = store;
    this.#onCountChange = onCountChange;
    onChartThemeChange((theme) => {
      this.#theme = theme;
      for (const panel of this.#panels.values()) panel.restyle(theme);
    });
  }

  /** Creates empty panels for series known before any data, so the layout is set up front. */
  reserve(series: { key: string; name: string }[]): void {
    for (const s of series) this.#ensure(s);
    this.#onCountChange(this.#panels.size);
  }

  /** Applies a store change: panels are added and removed now, charts redrawn on the next frame. */
  apply(change: StoreChange): void {
    for (const key of change.removed) {
      this.#panels.get(key)?.destroy();
      this.#panels.delete(key);
      this.#dirty.delete(key);
    }
    for (const key of change.changed) {
      const series = this.#store.get(key);
      if (!series) continue;
      this.#ensure(series);
      this.#dirty.add(key);
    }
    if (change.removed.length > 0 || change.changed.length > 0) this.#onCountChange(this.#panels.size);
    if (this.#dirty.size > 0) this.#scheduler.request();
  }

  #ensure(series: { key: string; name: string }): void {
    if (this.#panels.has(series.key)) return;
    const panel = new ChartPanel(series, this.#theme);
    this.#panels.set(series.key, panel);
    // Panels stay in key order so a series keeps its place across reloads.
    const after = [...this.#panels.keys()].filter((key) => key > series.key).sort()[0];
    const before = after === undefined ? null : this.#panels.get(after)!.element;
    this.#host.insertBefore(panel.element, before);
  }

  #flush(): void {
    for (const key of this.#dirty) {
      const series = this.#store.get(key);
      if (series) this.#panels.get(key)?.update(series);
    }
    this.#dirty.clear();
  }
}
