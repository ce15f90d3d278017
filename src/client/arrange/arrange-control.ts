/**
 * The Arrange toggle and its bar above the grid: moving and resizing the saved panels with the
 * mouse (or a finger on a tablet), then saving their places for everyone. Entering asks for
 * the dashboard's token when this tab has none (edit-token.ts keeps the last one accepted)
 * and checks it (editor/token-check.ts, as the editor does), so a refused token is said at once, at its field. Save
 * layout sends `PUT /api/dashboards/:id` with the whole panel list, each panel with its new
 * `layout` and nothing else changed; every open page then moves its panels (the `config`
 * message). Without a pointer, a panel is picked in the bar and moved or resized a step at a
 * time with its buttons, the status saying where it is then. Done leaves, dropping moves not
 * saved. This file, gridstack and its stylesheet load on the first press (lazy-arrange.ts),
 * so viewers who never arrange never download them; on a phone the panels stack in one
 * column and the toggle is not offered (panel-arranger.ts stops the drag there).
 *
 * DOM contract, relied on by test/e2e; keep it stable:
 * - `[data-testid="arrange"]`: the toggle; `aria-pressed` says whether arranging is on.
 * - `[data-testid="arranger"]`: the bar, shown from the first press until Done.
 * - `[data-testid="arrange-token"]`: the token input, shown while no token is kept for this
 *   dashboard or after one was refused, with `[data-testid="arrange-start"]` to begin;
 *   `[data-testid="arrange-token-error"]` says why a token is asked again.
 * - `[data-testid="arrange-panel"]`: the `<select>` of the saved panels (by id, in reading
 *   order) that `[data-testid="arrange-move"]` buttons move or resize, one step each, named
 *   by `data-move`: `left`, `right`, `up`, `down`, `narrower`, `wider`, `shorter`, `taller`.
 * - `[data-testid="arrange-save"]` (Save layout) and `[data-testid="arrange-done"]`.
 * - `[data-testid="arrange-status"]`: `data-state` is `idle` (nothing moved), `changed`,
 *   `saving`, `saved` or `error`, and its text says the same for people.
 * - While arranging, `.saved-panels` has the class `arranging` and each saved panel's header
 *   is its drag handle; `[data-testid="saved-panel"]`'s `data-layout` (`x,y,w,h`) follows
 *   the panel as it is moved.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { saveDashboard } from "../editor/dashboard-save.ts";
import { forgetEditToken, storedEditToken, storeEditToken } from "../editor/edit-token.ts";
import type { SavedPanelLayout } from "../panels/saved-panel-layout.ts";
import { PanelArranger, type Nudge } from "./panel-arranger.ts";
import { checkEditToken } from "../editor/token-check.ts";

type Status = "idle" | "changed" | "saving" | "saved" | "error";

/** The steps offered without dragging, with their buttons' text. */
const nudges: [Nudge, string][] = [
  ["left", "Left"],
  ["right", "Right"],
  ["up", "Up"],
  ["down", "Down"],
  ["narrower", "Narrower"],
  ["wider", "Wider"],
  ["shorter", "Shorter"],
  ["taller", "Taller"],
];

const statusText: Record<Exclude<Status, "error">, string> = {
  idle: "Drag a panel by its title to move it, or by its bottom-right corner to resize it.",
  changed: "Moved: Save layout keeps it for everyone.",
  saving: "Saving…",
  saved: "Saved: every open page shows this layout.",
};

export interface ArrangeOptions {
  dashboardId: string;
  /** The saved panel list as last saved (by anyone). */
  savedPanels(): readonly Panel[];
  /** Hears what the server accepted (the `config` message follows for every viewer). */
  onSaved(saved: { title: string; panels: Panel[] }): void;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]>, testid?: string): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  if (testid) element.setAttribute("data-testid", testid);
  return element;
}

export class ArrangeControl {
  readonly #toggle: HTMLButtonElement;
  readonly #bar: HTMLElement;
  readonly #layout: SavedPanelLayout;
  readonly #options: ArrangeOptions;
  readonly #form = make("form", { className: "arranger-form", noValidate: true });
  readonly #tokenRow = make("div", { className: "arranger-token" });
  readonly #token = make("input", { type: "password", id: "arrange-token", autocomplete: "off", spellcheck: false }, "arrange-token");
  readonly #tokenError = make("p", { className: "field-error", id: "arrange-token-error" }, "arrange-token-error");
  readonly #start = make("button", { type: "submit", textContent: "Start arranging" }, "arrange-start");
  readonly #save = make("button", { type: "button", textContent: "Save layout" }, "arrange-save");
  readonly #done = make("button", { type: "button", textContent: "Done" }, "arrange-done");
  readonly #status = make("p", { className: "arranger-status", id: "arrange-status" }, "arrange-status");
  /** Moving and resizing without a pointer: a panel picked, then a button per step. */
  readonly #keys = make("fieldset", { className: "arranger-keys" });
  readonly #panel = make("select", { id: "arrange-panel" }, "arrange-panel");
  #arranger: PanelArranger | undefined;
  #loading = false;

  /** `toggle` and `bar` are the (initially hidden) Arrange button and bar of dashboard.html. */
  constructor(toggle: HTMLButtonElement, bar: HTMLElement, layout: SavedPanelLayout, options: ArrangeOptions) {
    this.#toggle = toggle;
    this.#bar = bar;
    this.#layout = layout;
    this.#options = options;
    this.#token.setAttribute("aria-describedby", this.#tokenError.id);
    this.#tokenError.setAttribute("role", "alert");
    this.#status.setAttribute("role", "status");
    this.#tokenRow.append(make("label", { htmlFor: this.#token.id, textContent: "Dashboard token (edit or admin)" }), this.#token, this.#tokenError, this.#start);
    const actions = make("div", { className: "arranger-actions" });
    actions.append(this.#save, this.#done);
    this.#keys.append(make("legend", { textContent: "Without dragging" }), make("label", { htmlFor: this.#panel.id, textContent: "Panel" }), this.#panel);
    for (const [move, text] of nudges) {
      const button = make("button", { type: "button", textContent: text }, "arrange-move");
      button.dataset.move = move;
      button.addEventListener("click", () => this.#nudge(move));
      this.#keys.append(button);
    }
    this.#panel.addEventListener("focus", () => this.#listPanels());
    this.#form.append(this.#tokenRow, this.#status, this.#keys, actions);
    const heading = make("h2", { className: "arranger-heading", id: "arranger-heading", textContent: "Arrange panels" });
    this.#bar.setAttribute("aria-labelledby", heading.id);
    this.#bar.replaceChildren(heading, this.#form);

    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      // Enter in the token field: it starts arranging, or (asked again) saves with the new token.
      void (this.#arranger ? this.#submit() : this.#begin());
    });
    this.#save.addEventListener("click", () => void this.#submit());
    this.#done.addEventListener("click", () => this.close());
    this.#toggle.addEventListener("click", () => (this.#toggle.getAttribute("aria-pressed") === "true" ? this.close() : this.open()));
    this.#toggle.hidden = false;
  }

  /** Shows the bar; starts arranging at once with the token kept, else asks for one first. */
  open(): void {
    this.#toggle.setAttribute("aria-pressed", "true");
    this.#bar.hidden = false;
    this.#clearTokenError();
    this.#token.value = "";
    this.#showSteps(false);
    if (storedEditToken(this.#options.dashboardId)) {
      // The token kept is checked again before the panels move (it may have been revoked).
      this.#tokenRow.hidden = true;
      this.#show("idle", "Starting…");
      return void this.#begin();
    }
    this.#show("idle", "Enter the dashboard's token to arrange its panels.");
    this.#token.focus();
  }

  /** Leaves arranging; moves not saved are dropped. */
  close(): void {
    this.#arranger?.stop();
    this.#arranger = undefined;
    this.#bar.hidden = true;
    this.#toggle.setAttribute("aria-pressed", "false");
    this.#toggle.focus();
  }

  async #begin(): Promise<void> {
    const { dashboardId } = this.#options;
    const token = this.#token.value.trim() || storedEditToken(dashboardId);
    if (!token) return this.#showTokenError("Enter the dashboard's edit token or the admin token.");
    if (this.#arranger || this.#loading) return;
    this.#loading = true;
    this.#clearTokenError();
    this.#toggle.setAttribute("aria-busy", "true");
    try {
      // A wrong token is said here, before anything moves.
      const check = await checkEditToken(dashboardId, token);
      if (check.kind === "down" || check.kind === "unreachable") return this.#show("error", `Arranging could not start: ${check.message}`);
      if (check.kind !== "accepted") {
        forgetEditToken(dashboardId);
        this.#showSteps(false);
        this.#show("error", "Arranging needs a token that may change this dashboard.");
        return this.#showTokenError(check.message);
      }
      storeEditToken(dashboardId, token);
      // Closed while checking: nothing to start.
      if (this.#bar.hidden) return;
      const arranger = new PanelArranger(this.#layout, (changed) => this.#show(changed ? "changed" : "idle"));
      await arranger.start();
      this.#arranger = arranger;
      this.#showSteps(true);
      this.#show("idle");
      this.#save.focus();
    } catch (error) {
      // A dropped connection, say: the next press tries again.
      this.#show("error", `Arranging could not start (${(error as Error).message}); press Start arranging to try again.`);
    } finally {
      this.#loading = false;
      this.#toggle.removeAttribute("aria-busy");
    }
  }

  async #submit(): Promise<void> {
    const arranger = this.#arranger;
    if (!arranger) return;
    this.#clearTokenError();
    const { dashboardId } = this.#options;
    const token = this.#token.value.trim() || storedEditToken(dashboardId);
    if (!token) return this.#showTokenError("Enter the dashboard's edit token or the admin token to save.");
    this.#show("saving");
    this.#save.disabled = true;
    const result = await saveDashboard(dashboardId, token, { panels: arranger.panels(this.#options.savedPanels()) });
    this.#save.disabled = false;
    switch (result.kind) {
      case "saved":
        storeEditToken(dashboardId, token);
        this.#token.value = "";
        this.#tokenRow.hidden = true;
        this.#options.onSaved(result);
        this.#show("saved");
        break;
      case "refused":
        forgetEditToken(dashboardId);
        this.#show("error", "Not saved: the token was refused.");
        this.#showTokenError(result.message);
        break;
      case "invalid":
      case "failed":
        this.#show("error", `Not saved: ${result.message}`);
        break;
    }
  }

  /** Before arranging: the token and Start; while arranging: the steps and Save layout (and the token only if asked again). */
  #showSteps(arranging: boolean): void {
    this.#tokenRow.hidden = arranging;
    this.#start.hidden = arranging;
    this.#save.hidden = !arranging;
    this.#keys.hidden = !arranging;
    if (arranging) this.#listPanels();
  }

  /** The saved panels in reading order, the one picked kept. */
  #listPanels(): void {
    const picked = this.#panel.value;
    this.#panel.replaceChildren(...this.#layout.placed.map(({ panel }) => make("option", { value: panel.id, textContent: panel.title })));
    if (this.#layout.placed.some(({ panel }) => panel.id === picked)) this.#panel.value = picked;
  }

  /** One step for the panel picked; the status says where it is now. */
  #nudge(move: Nudge): void {
    const arranger = this.#arranger;
    const placed = this.#layout.placed.find(({ panel }) => panel.id === this.#panel.value);
    const at = placed && arranger?.nudge(placed.panel.id, move);
    if (!arranger || !placed || !at) return;
    const where = `${placed.panel.title}: column ${at.x + 1}, row ${at.y + 1}, ${at.w} columns wide, ${at.h} rows high.`;
    this.#show(arranger.changed ? "changed" : "idle", arranger.changed ? `${where} Save layout keeps it for everyone.` : where);
  }

  #show(status: Status, text?: string): void {
    this.#status.dataset.state = status;
    this.#status.textContent = text ?? (status === "error" ? "Not saved." : statusText[status]);
  }

  #showTokenError(message: string): void {
    this.#tokenRow.hidden = false;
    this.#tokenError.textContent = message;
    this.#token.setAttribute("aria-invalid", "true");
    this.#token.focus();
  }

  #clearTokenError(): void {
    this.#tokenError.textContent = "";
    this.#token.removeAttribute("aria-invalid");
  }
}
