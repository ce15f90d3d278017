/**
 * The editor's preview: one panel at a time, drawn as it would be saved, by the same views as
 * the page's saved panels (saved-panel-views.ts), from the page's series store. Each panel's
 * "Preview" button shows it under that panel's fields (pressing another moves it, pressing
 * it again hides it). It follows the fields (any input or change in the panel, redrawn once
 * they have been still for {@link FIELD_DEBOUNCE_MS}) and the data (each frame that touches
 * its series, drawn at most once per animation frame, paused page or not); a draft Save would
 * refuse shows the reason instead of a drawing. Nothing of it exists or listens until a
 * Preview is pressed, and closing the editor destroys it.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { readChartTheme } from "../charts/chart-theme.ts";
import type { SeriesStore, StoreChange } from "../dashboard/series-store.ts";
import type { TimeWindow } from "../dashboard/time-window.ts";
import { FrameScheduler } from "../panels/frame-scheduler.ts";
import { panelSource } from "../panels/panel-grid.ts";
import type { PanelSource, SavedPanelView } from "../panels/saved-panel.ts";
import { createSavedPanelView } from "../panels/saved-panel-views.ts";
import { draftPreview, seriesShown, type SeriesName } from "./draft-preview.ts";
import type { PanelDraft } from "./panel-draft.ts";

/** How long the fields must be still before the preview is redrawn from them. */
export const FIELD_DEBOUNCE_MS = 250;

/** What the page lends the preview: its data, its time window, and word of each change. */
export interface PreviewSource {
  /** The page's series. */
  store: SeriesStore;
  /** The span the page's line charts show (the preview's line chart shows the same). */
  window: TimeWindow;
  /** Calls `listener` with each change to the store; returns how to stop. */
  onStoreChange(listener: (change: StoreChange) => void): () => void;
  /** The panel as the page shows it now: its template variables replaced by their choices. */
  shown?(panel: Panel): Panel;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]>, testid?: string): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  if (testid) element.setAttribute("data-testid", testid);
  return element;
}

const darkScheme = "(prefers-color-scheme: dark)";

export class PanelPreview {
  readonly #source: PreviewSource;
  /** What the preview's view draws from, as the page's saved panels do. */
  readonly #drawFrom: PanelSource;
  /** The draft shown, while one is. */
  #draft: PanelDraft | undefined;
  #section: HTMLElement | undefined;
  #message: HTMLElement | undefined;
  #view: SavedPanelView | undefined;
  /** The panel the view draws, as JSON, to skip rebuilding for an edit that changes nothing. */
  #drawn = "";
  #panel: Panel | undefined;
  #series: SeriesName[] = [];
  /** Keys the series list was last made from, to tell a new series from a new point. */
  #known = new Set<string>();
  #shownKeys = new Set<string>();
  #stopListening: (() => void) | undefined;
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #scheduler = new FrameScheduler(() => this.#draw());
  readonly #onScheme = () => this.#view?.restyle(readChartTheme());

  constructor(source: PreviewSource) {
    this.#source = source;
    this.#drawFrom = panelSource(source.store, source.window);
    // Once per editor: a zoom or a return to now re-ranges the preview's chart with the page's.
    source.window.onZoomChange(() => this.#view && this.#scheduler.request());
  }

  /** Whether `draft`'s preview is the one shown. */
  shows(draft: PanelDraft): boolean {
    return this.#draft === draft;
  }

  /**
   * The "Preview" toggle of the panel `draft`, the `index`th, whose list item is `item`: the
   * editor puts it among the panel's buttons. The item's fields feed the preview while shown.
   */
  toggle(draft: PanelDraft, index: number, item: HTMLElement): HTMLButtonElement {
    const button = make("button", { type: "button", textContent: "Preview", className: "preview-toggle" }, "preview-panel");
    button.setAttribute("aria-label", `Preview: panel ${index + 1}`);
    button.setAttribute("aria-pressed", String(this.shows(draft)));
    button.addEventListener("click", () => (this.shows(draft) ? this.close() : this.#open(draft, item)));
    for (const type of ["input", "change", "click"]) {
      item.addEventListener(type, (event) => {
        if (this.shows(draft) && !this.#section?.contains(event.target as Node)) this.#fieldsChanged();
      });
    }
    return button;
  }

  /** After the editor rebuilt its list: the preview goes under its panel's new item, or away with the panel. */
  placed(itemOf: (draft: PanelDraft) => HTMLElement | undefined): void {
    if (!this.#draft || !this.#section) return;
    const item = itemOf(this.#draft);
    if (!item) return this.close();
    item.append(this.#section);
    this.#label(item);
    this.#fieldsChanged();
  }

  /** Hides the preview and lets go of everything it held. */
  close(): void {
    clearTimeout(this.#debounce);
    this.#stopListening?.();
    this.#stopListening = undefined;
    matchMedia(darkScheme).removeEventListener("change", this.#onScheme);
    this.#view?.destroy();
    this.#view = undefined;
    this.#section?.parentElement?.querySelector('[data-testid="preview-panel"]')?.setAttribute("aria-pressed", "false");
    this.#section?.remove();
    this.#section = undefined;
    this.#message = undefined;
    this.#panel = undefined;
    this.#drawn = "";
    this.#series = [];
    this.#known.clear();
    this.#shownKeys.clear();
    this.#draft = undefined;
  }

  #open(draft: PanelDraft, item: HTMLElement): void {
    this.close();
    this.#draft = draft;
    const section = make("section", { className: "editor-preview" }, "panel-preview");
    section.dataset.panelId = draft.id;
    const heading = make("h3", { className: "editor-preview-heading", id: `preview-${draft.id}-heading`, textContent: "Preview, with live data (not saved)" });
    section.setAttribute("aria-labelledby", heading.id);
    this.#message = make("p", { className: "field-error" }, "preview-error");
    this.#message.setAttribute("role", "status");
    section.append(heading, this.#message);
    this.#section = section;
    item.append(section);
    this.#label(item);
    this.#stopListening = this.#source.onStoreChange((change) => this.#dataChanged(change));
    matchMedia(darkScheme).addEventListener("change", this.#onScheme);
    this.#refresh();
  }

  /** Marks the item's toggle pressed (the list may have been rebuilt since it was pressed). */
  #label(item: HTMLElement): void {
    item.querySelector('[data-testid="preview-panel"]')?.setAttribute("aria-pressed", "true");
  }

  #fieldsChanged(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.#refresh(), FIELD_DEBOUNCE_MS);
  }

  /** Draws the draft as it is now: a new view when the panel changed, its reason when invalid. */
  #refresh(): void {
    const draft = this.#draft;
    const section = this.#section;
    if (!draft || !section || !this.#message) return;
    const preview = draftPreview(draft);
    if (preview.kind === "invalid") {
      this.#view?.destroy();
      this.#view = undefined;
      this.#panel = undefined;
      this.#drawn = "";
      section.dataset.state = "invalid";
      this.#message.dataset.field = preview.field ?? "";
      this.#message.textContent = `Not drawn: ${preview.message}`;
      return;
    }
    this.#message.textContent = "";
    section.dataset.state = "drawn";
    const panel = this.#source.shown?.(preview.panel) ?? preview.panel;
    const json = JSON.stringify(panel);
    if (json === this.#drawn && this.#view) return;
    this.#view?.destroy();
    this.#drawn = json;
    this.#panel = panel;
    const view = createSavedPanelView(panel, readChartTheme(), this.#source.window);
    // Not one of the page's saved panels: those are counted and found by this test id.
    view.element.dataset.testid = "preview-view";
    this.#view = view;
    this.#series = [];
    section.append(view.element);
    this.#relist();
    view.draw(this.#drawFrom);
  }

  /** Lists the series the panel matches now; tells the view only when the list changed. */
  #relist(): void {
    if (!this.#view || !this.#panel) return;
    const { store } = this.#source;
    const keys = store.keys();
    this.#known = new Set(keys);
    const series = seriesShown(this.#panel, keys.map((key) => ({ key, name: store.get(key)!.name })));
    if (series.map((s) => s.key).join("\n") === this.#series.map((s) => s.key).join("\n")) return;
    this.#series = series;
    this.#shownKeys = new Set(series.map((s) => s.key));
    this.#view.setSeries(series);
  }

  #dataChanged(change: StoreChange): void {
    if (!this.#view) return;
    const before = this.#series;
    if (change.removed.length > 0 || change.changed.some((key) => !this.#known.has(key))) this.#relist();
    if (this.#series !== before || change.changed.some((key) => this.#shownKeys.has(key))) this.#scheduler.request();
  }

  #draw(): void {
    this.#view?.draw(this.#drawFrom);
  }
}
