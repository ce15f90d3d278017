/**
 * The saved panels' part of the grid: a 12-column CSS grid (styles.css, "Saved panels' grid")
 * in which each panel's `<article>` sits in a cell placed by panel-placement.ts, at the head of
 * the page's grid, before the automatic panels. The cells follow in reading order (top to
 * bottom, then left to right), so Tab and a screen reader go through the panels as they show,
 * and a phone, which stacks them in one column, shows them in that order.
 *
 * Viewing needs nothing more than CSS; arranging (arrange/panel-arranger.ts, loaded on
 * demand) turns the same cells into gridstack items and back, and hears every new placement
 * through `onShow` so that a layout saved elsewhere moves the panels it is arranging.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { byPosition, placePanels, type Cell } from "./panel-placement.ts";

/** A saved panel as placed: the panel, its article and the cell around it. */
export interface LaidOutPanel {
  panel: Panel;
  /** The panel's `<article>` (`[data-testid="saved-panel"]`). */
  article: HTMLElement;
  /** The grid cell holding it. */
  cell: HTMLElement;
  /** Where it is. */
  at: Cell;
}

export class SavedPanelLayout {
  /** `.saved-panels`: the grid of cells. */
  readonly element = document.createElement("div");
  #cells = new WeakMap<HTMLElement, HTMLElement>();
  #placed: LaidOutPanel[] = [];
  #listener: ((placed: readonly LaidOutPanel[]) => void) | undefined;

  /** Puts the saved panels' grid at the head of `host` (the page's `#grid`). */
  constructor(host: HTMLElement) {
    this.element.className = "saved-panels";
    this.element.dataset.testid = "saved-panels";
    host.prepend(this.element);
  }

  /** Places `articles`, one per panel of `panels`, index for index, in place of the previous ones. */
  show(panels: readonly Panel[], articles: readonly HTMLElement[]): void {
    const cells = placePanels(panels);
    this.#placed = panels
      .map((panel, index) => ({ panel, article: articles[index]!, cell: this.#cellOf(articles[index]!), at: cells[index]! }))
      .sort((a, b) => byPosition(a.at, b.at));
    if (this.#listener) this.#listener(this.#placed);
    else this.#apply();
  }

  /** Places every cell on the CSS grid, in reading order. */
  #apply(): void {
    for (const { cell, article, at } of this.#placed) {
      placeCell(cell, at);
      article.dataset.layout = `${at.x},${at.y},${at.w},${at.h}`;
    }
    // Moved only when the order changed: moving an element drops its focus.
    const order = this.#placed.map((placed) => placed.cell);
    const children = [...this.element.children];
    if (order.length !== children.length || order.some((cell, index) => children[index] !== cell)) this.element.replaceChildren(...order);
  }

  /** The panels as last placed, in reading order. */
  get placed(): readonly LaidOutPanel[] {
    return this.#placed;
  }

  /**
   * Hands every placement from now on to `listener` instead of the CSS grid (one listener: the
   * arranger, while it runs, which lays the cells out itself); `undefined` gives the cells
   * back to the CSS grid, placed as last shown.
   */
  onShow(listener: ((placed: readonly LaidOutPanel[]) => void) | undefined): void {
    this.#listener = listener;
    if (!listener) this.#apply();
  }

  #cellOf(article: HTMLElement): HTMLElement {
    let cell = this.#cells.get(article);
    if (!cell) {
      cell = document.createElement("div");
      cell.append(article);
      this.#cells.set(article, cell);
    }
    return cell;
  }
}

/**
 * Sets a cell's class and place for the CSS grid, dropping whatever arranging left on it
 * (gridstack's classes, attributes and inline positions).
 */
export function placeCell(cell: HTMLElement, at: Cell): void {
  cell.className = "panel-cell";
  for (const name of [...cell.getAttributeNames()]) if (name.startsWith("gs-")) cell.removeAttribute(name);
  cell.removeAttribute("style");
  // CSS grid lines count from 1; styles.css spans the cell from them.
  cell.style.setProperty("--x", String(at.x + 1));
  cell.style.setProperty("--y", String(at.y + 1));
  cell.style.setProperty("--w", String(at.w));
  cell.style.setProperty("--h", String(at.h));
}
