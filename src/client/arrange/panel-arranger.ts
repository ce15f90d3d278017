/**
 * Arranging the saved panels with gridstack: while it runs, the saved panels' cells are
 * gridstack items (dragged by the panel's header, resized by its bottom-right corner, on the
 * same 12 columns and rows as the CSS grid, so nothing moves when arranging starts or ends),
 * and the panels' new places are read back from it. Loaded on demand with gridstack, and
 * its stylesheet with it (lazy-arrange.ts), so a viewer who never arranges downloads neither.
 *
 * A placement arriving meanwhile (a layout saved here or in another tab) moves the panels to
 * it; a changed panel list starts the grid again on the new panels.
 */
import { GridStack, type GridItemHTMLElement } from "gridstack";
import type { Panel, PanelLayout } from "../../common/dashboard-config.ts";
import { GRID_COLUMNS } from "../../common/grid-columns.ts";
import { MIN_ROWS } from "../panels/panel-placement.ts";
import type { LaidOutPanel, SavedPanelLayout } from "../panels/saved-panel-layout.ts";

/** Where the build puts gridstack's stylesheet (scripts/build-client.ts). */
const STYLESHEET = "/build/gridstack.min.css";
/** Below this width the panels stack in one column (styles.css): nothing is dragged there. */
const PHONE = matchMedia("(max-width: 767px)");
/** The tallest a panel may be made, in rows: the schema's bound for `layout.h`. */
const MAX_ROWS = 24;

/** A step of `PanelArranger.nudge`. */
export type Nudge = "left" | "right" | "up" | "down" | "narrower" | "wider" | "shorter" | "taller";

/** Adds gridstack's stylesheet to the page once; resolves when it applies. */
function loadStylesheet(): Promise<void> {
  const present = document.querySelector<HTMLLinkElement>(`link[href="${STYLESHEET}"]`);
  if (present) return Promise.resolve();
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = STYLESHEET;
  const loaded = new Promise<void>((resolve, reject) => {
    link.addEventListener("load", () => resolve(), { once: true });
    link.addEventListener("error", () => reject(new Error("gridstack's stylesheet did not load")), { once: true });
  });
  document.head.append(link);
  return loaded;
}

export class PanelArranger {
  readonly #layout: SavedPanelLayout;
  readonly #onChange: (changed: boolean) => void;
  #grid: GridStack | undefined;
  #placed: readonly LaidOutPanel[] = [];
  /** Set while placements from elsewhere are applied: their moves are not the person's. */
  #following = false;
  /**
   * A window narrowed to a phone's width while arranging: no drag there, back when it widens.
   * (Not an end to arranging: a passing change, such as a rotation, should not drop moves.)
   */
  readonly #onWidth = () => {
    this.#grid?.enableMove(!PHONE.matches);
    this.#grid?.enableResize(!PHONE.matches);
  };

  /** `onChange` hears, after every move, whether the panels now differ from the saved layout. */
  constructor(layout: SavedPanelLayout, onChange: (changed: boolean) => void) {
    this.#layout = layout;
    this.#onChange = onChange;
  }

  async start(): Promise<void> {
    await loadStylesheet();
    this.#layout.onShow((placed) => this.#follow(placed));
    this.#begin(this.#layout.placed);
    PHONE.addEventListener("change", this.#onWidth);
  }

  /** Ends arranging; the panels go back to the layout last saved (moves not saved are dropped). */
  stop(): void {
    PHONE.removeEventListener("change", this.#onWidth);
    this.#end();
    this.#layout.onShow(undefined);
  }

  /**
   * The saved list with every panel's place as arranged now, in the list's order, nothing
   * else changed: the body of the `PUT` that saves the layout.
   */
  panels(saved: readonly Panel[]): Panel[] {
    const places = new Map(this.#placed.map((placed) => [placed.panel.id, this.#place(placed)]));
    return saved.map((panel) => {
      const layout = places.get(panel.id);
      return layout ? { ...panel, layout } : panel;
    });
  }

  /**
   * Moves or resizes panel `id` one step without a pointer (the bar's buttons): a column left
   * or right, a column narrower or wider, a row shorter or taller, or past the panel above or
   * below it (panels rise as far as they can, so a single row up or down would change nothing).
   * gridstack places it, moving others out of its way as a drag would. Returns where it is then.
   */
  nudge(id: string, move: Nudge): PanelLayout | undefined {
    const placed = this.#placed.find((p) => p.panel.id === id);
    if (!placed || !this.#grid) return undefined;
    const now = this.#place(placed);
    const others = this.#placed.filter((p) => p !== placed).map((p) => this.#place(p));
    const sharesColumns = (other: PanelLayout) => other.x < now.x + now.w && now.x < other.x + other.w;
    const next = { ...now };
    switch (move) {
      case "left":
        next.x = Math.max(0, now.x - 1);
        break;
      case "right":
        next.x = Math.min(GRID_COLUMNS - now.w, now.x + 1);
        break;
      case "narrower":
        next.w = Math.max(1, now.w - 1);
        break;
      case "wider":
        next.w = Math.min(GRID_COLUMNS - now.x, now.w + 1);
        break;
      case "shorter":
        next.h = Math.max(Math.min(MIN_ROWS[placed.panel.type], now.h), now.h - 1);
        break;
      case "taller":
        next.h = Math.min(MAX_ROWS, now.h + 1);
        break;
      case "up": {
        const above = others.filter((o) => sharesColumns(o) && o.y + o.h <= now.y).sort((a, b) => b.y + b.h - (a.y + a.h))[0];
        if (above) next.y = above.y;
        break;
      }
      case "down": {
        const below = others.filter((o) => sharesColumns(o) && o.y >= now.y + now.h).sort((a, b) => a.y - b.y)[0];
        if (below) next.y = below.y + below.h;
        break;
      }
    }
    this.#grid.update(placed.cell, next);
    this.#moved();
    return this.#place(placed);
  }

  /** Whether any panel is somewhere else than the saved layout puts it. */
  get changed(): boolean {
    return this.#placed.some((placed) => {
      const now = this.#place(placed);
      return now.x !== placed.at.x || now.y !== placed.at.y || now.w !== placed.at.w || now.h !== placed.at.h;
    });
  }

  #begin(placed: readonly LaidOutPanel[]): void {
    this.#placed = placed;
    const host = this.#layout.element;
    // The CSS grid's own measures (styles.css), so the gridstack grid lies exactly over it:
    // a gridstack row is the CSS row and one gap, and the gap is split as a margin on each side.
    const style = getComputedStyle(host);
    const gap = parseFloat(style.rowGap) || 0;
    const row = parseFloat(style.getPropertyValue("--layout-row-height")) || 52;
    for (const { cell, article } of placed) {
      cell.classList.add("grid-stack-item");
      article.classList.add("grid-stack-item-content");
    }
    host.classList.add("grid-stack", "arranging");
    const grid = GridStack.init(
      {
        column: GRID_COLUMNS,
        cellHeight: row + gap,
        margin: gap / 2,
        // By the header, so that a drag across a chart still zooms it.
        handle: ".panel-head",
        resizable: { handles: "se" },
        alwaysShowResizeHandle: true,
        animate: !matchMedia("(prefers-reduced-motion: reduce)").matches,
        // The cells are made items below, each with its place.
        auto: false,
      },
      host,
    );
    if (!grid) throw new Error("gridstack did not start on the saved panels");
    this.#grid = grid;
    grid.batchUpdate();
    for (const { panel, cell, at } of placed) {
      grid.makeWidget(cell, { ...at, id: panel.id, minH: Math.min(MIN_ROWS[panel.type], at.h), maxH: MAX_ROWS });
    }
    grid.batchUpdate(false);
    grid.on("change", () => this.#moved());
    this.#onWidth();
  }

  #end(): void {
    const grid = this.#grid;
    if (!grid) return;
    this.#grid = undefined;
    const host = this.#layout.element;
    // Leaves the items in the page; what gridstack wrote on them goes next (placeCell).
    grid.destroy(false);
    host.className = "saved-panels";
    host.removeAttribute("style");
    for (const name of [...host.getAttributeNames()]) if (name.startsWith("gs-")) host.removeAttribute(name);
    for (const { article } of this.#placed) article.classList.remove("grid-stack-item-content");
  }

  /** A new placement while arranging: the same panels move to it; other panels start the grid again. */
  #follow(placed: readonly LaidOutPanel[]): void {
    const grid = this.#grid;
    if (!grid) return;
    const same = placed.length === this.#placed.length && placed.every((p) => this.#placed.some((q) => q.cell === p.cell));
    this.#following = true;
    try {
      if (same) {
        this.#placed = placed;
        grid.batchUpdate();
        for (const { cell, at } of placed) grid.update(cell, { ...at });
        grid.batchUpdate(false);
      } else {
        this.#end();
        // The new cells on the CSS grid, in reading order, which gridstack then starts from.
        this.#layout.onShow(undefined);
        this.#layout.onShow((next) => this.#follow(next));
        this.#begin(placed);
      }
    } finally {
      this.#following = false;
    }
    this.#moved();
  }

  #moved(): void {
    for (const placed of this.#placed) {
      const { x, y, w, h } = this.#place(placed);
      placed.article.dataset.layout = `${x},${y},${w},${h}`;
    }
    if (!this.#following) this.#onChange(this.changed);
  }

  /** Where gridstack has a panel now (where the layout put it, before gridstack has it). */
  #place(placed: LaidOutPanel): PanelLayout {
    const node = (placed.cell as GridItemHTMLElement).gridstackNode;
    if (!node || node.x === undefined || node.y === undefined || node.w === undefined || node.h === undefined) return { ...placed.at };
    return { x: node.x, y: node.y, w: node.w, h: node.h };
  }
}
