/**
 * The dashboard page's editor: the Edit toggle first asks for a token that may edit the
 * dashboard (token-gate.ts: checked with the server before the form opens; one kept from
 * earlier in the tab is used without asking), then opens a form with the dashboard's title, one
 * fieldset per saved panel (title, type, series, unit picked from the unit vocabulary, decimals,
 * gauge scale, transform, aggregate and its group-by tags, thresholds;
 * move up/down, remove, preview), "Add panel", and Save. Save checks the title and the list with the
 * shared schema first, so a mistake is shown at its field and nothing is sent; then it sends
 * `PUT /api/dashboards/:id` with the token. A token the server refuses then (revoked
 * meanwhile) brings the token prompt back, the edits kept, and the save is sent again once
 * a token is accepted. The page redraws (and retitles) from the `config` message every viewer
 * gets. A panel's "Preview" draws it as it would be saved, with live data (panel-preview.ts).
 *
 * DOM contract, relied on by test/e2e; keep it stable:
 * - `[data-testid="edit"]`: the toggle; `aria-pressed` says whether the editor is open
 *   (asking for the token, or showing the form).
 * - `[data-testid="token-gate"]`: the token prompt, shown instead of the form while no token
 *   is kept for this dashboard in this tab, or after Save was refused. `[data-testid="edit-token"]`
 *   is its input (the focus goes there), `[data-testid="token-submit"]` checks the token
 *   (`GET /api/dashboards/:id/tokens`), `[data-testid="token-cancel"]` closes the editor.
 *   `[data-testid="token-status"]` reads "Checking the token…" while the server is asked;
 *   `[data-testid="token-error"]` says why a token was refused, its `data-kind` one of `wrong`
 *   (not this dashboard's, or revoked), `scope` (a `write` or `read` token), `gone`, `limited`,
 *   `down` (the server answered 5xx), `unreachable` (no answer), `empty`.
 * - `[data-testid="editor-form"]`: the form, shown once a token is accepted; the focus then
 *   goes to the dashboard title.
 * - `[data-testid="dashboard-title"]`: the dashboard title input, its error in
 *   `[data-testid="title-error"]`.
 * - `[data-testid="panel-editor"]` with `data-panel-id`: one fieldset per panel, in order,
 *   its inputs named by `data-field` (`title`, `type`, `series`, `unit`, `decimals`, `min`,
 *   `max`, `transform`, `aggregate`, `groupBy`; `type`, `unit`, `transform` and `aggregate`
 *   are `<select>`s, `groupBy` tag names comma-separated, shown only with an aggregate), buttons `[data-testid="move-up"]`, `move-down`, `remove`, and
 *   `[data-testid="field-error"]` with `data-field` beside each input. Its thresholds are the
 *   group `[data-field="thresholds"]`: a `[data-testid="threshold"]` row each (inputs
 *   `[data-threshold="value"]` and `[data-threshold="color"]`, a colour picker, and
 *   `[data-testid="remove-threshold"]`), then `[data-testid="add-threshold"]`.
 * - `[data-testid="preview-panel"]`: each panel's Preview toggle (`aria-pressed`). While pressed,
 *   `[data-testid="panel-preview"]` (with `data-panel-id`) follows that panel's fieldset: it
 *   holds `[data-testid="preview-view"]`, the panel as it would be saved, drawn as the page
 *   draws a saved panel (`data-panel-type`, and inside it the same parts as
 *   `[data-testid="saved-panel"]` in dashboard-page.ts), or, while the draft would be refused,
 *   no view and `[data-testid="preview-error"]` saying why (`data-state` is `drawn` or `invalid`).
 * - `[data-testid="add-panel"]`, `[data-testid="save-panels"]`, `[data-testid="cancel-edit"]`.
 * - `[data-testid="editor-error"]`: errors that belong to no single field.
 * - The template variables' part: see variables-editor.ts.
 *
 * Loaded on demand (lazy-editor.ts), with the validation library it needs: a viewer who
 * never edits never downloads either.
 */
// First: configures Zod before the shared schema is built (see the file).
import "../zod-jitless.ts";
import { dashboardUpdateSchema, PANEL_AGGREGATES, PANEL_TRANSFORMS, PANEL_TYPES, type Panel } from "../../common/dashboard-config.ts";
import { saveDashboard } from "./dashboard-save.ts";
import { forgetEditToken, storedEditToken, storeEditToken } from "./edit-token.ts";
import { draftOf, NEW_THRESHOLD_COLOR, newDraft, panelOf, type PanelDraft } from "./panel-draft.ts";
import { PanelPreview, type PreviewSource } from "./panel-preview.ts";
import { TokenGate } from "./token-gate.ts";
import { UNIT_CATEGORIES, unitDefinition } from "../panels/units.ts";
import { splitPatterns } from "../../common/series-pattern.ts";
import type { Variable } from "../../common/template-variables.ts";
import { VariablesEditor } from "./variables-editor.ts";

type Field = Exclude<keyof PanelDraft, "id" | "thresholds" | "layout">;

const fieldLabels: Record<Field, string> = {
  title: "Title",
  type: "Type",
  series: "Series (comma-separated patterns)",
  unit: "Unit",
  decimals: "Decimals",
  min: "Min",
  max: "Max",
  transform: "Transform",
  aggregate: "Aggregate",
  groupBy: "Group by tags (comma-separated)",
};

const gaugeOnly: ReadonlySet<Field> = new Set(["min", "max"]);

/** Fields picked from a list: each option's value and text (an empty value means none). */
const choices: Partial<Record<Field, readonly (readonly [value: string, text: string])[]>> = {
  transform: [["", "None"], ...PANEL_TRANSFORMS.map((t) => [t, `${t} (per second, counter resets handled)`] as const)],
  aggregate: [["", "None"], ...PANEL_AGGREGATES.map((a) => [a, a] as const)],
};

function make<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, testid?: string): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  if (testid) element.setAttribute("data-testid", testid);
  return element;
}

/**
 * The unit picker's options: no unit, then the vocabulary by category; a unit saved as free
 * text (before the vocabulary, or through the API) stays offered so that saving keeps it.
 */
function unitOptions(current: string): HTMLElement[] {
  const options: HTMLElement[] = [make("option", { value: "", textContent: "No unit" })];
  for (const category of UNIT_CATEGORIES) {
    const group = make("optgroup", { label: category.name });
    group.append(...category.units.map((unit) => make("option", { value: unit.id, textContent: unit.label })));
    options.push(group);
  }
  if (current !== "" && !unitDefinition(current)) {
    const custom = make("optgroup", { label: "Text" });
    custom.append(make("option", { value: current, textContent: `"${current}" (written after the value)` }));
    options.push(custom);
  }
  return options;
}

/** A dashboard's title and panels, as saved. */
export interface DashboardConfig {
  /** The dashboard's title. */
  title: string;
  /** Its panels, in display order. */
  panels: readonly Panel[];
  /** Its template variables; absent when none. */
  variables?: readonly Variable[];
}

export interface PanelEditorOptions {
  dashboardId: string;
  /** The keys of the series the dashboard has now, offered by each panel's series picker. */
  seriesKeys?(): string[];
  /** The page's data, for the panels' Preview (no Preview buttons without it). */
  preview?: PreviewSource;
  /** Hears what the server accepted (the `config` message follows for every viewer). */
  onSaved(config: DashboardConfig): void;
}

export class PanelEditor {
  readonly #toggle: HTMLButtonElement;
  readonly #root: HTMLElement;
  readonly #options: PanelEditorOptions;
  readonly #list = make("ol", { className: "editor-list" });
  /** The title, the panels and the buttons: hidden while the token gate asks. */
  readonly #form = make("div", { className: "editor-form" }, "editor-form");
  readonly #gate: TokenGate;
  readonly #preview: PanelPreview | undefined;
  /** Whether the gate asks again because Save was refused: an accepted token then saves. */
  #resave = false;
  /** The token accepted in this editor, held here only when the tab's storage would not take it (edit-token.ts). */
  #token: string | undefined;
  readonly #error = make("p", { className: "field-error" }, "editor-error");
  readonly #title = make("input", { type: "text", id: "edit-dashboard-title", autocomplete: "off" }, "dashboard-title");
  readonly #titleError = make("p", { className: "field-error", id: "edit-dashboard-title-error" }, "title-error");
  readonly #save = make("button", { type: "button", className: "editor-save", textContent: "Save" }, "save-panels");
  #saved: DashboardConfig = { title: "", panels: [] };
  readonly #variables: VariablesEditor;
  #drafts: PanelDraft[] = [];
  /** Error elements and what to focus for each, by `<index>.<field>`, rebuilt with the form. */
  #fields = new Map<string, { input: HTMLElement; error: HTMLElement }>();

  /** `toggle` and `root` are the (initially hidden) Edit button and editor section of dashboard.html. */
  constructor(toggle: HTMLButtonElement, root: HTMLElement, options: PanelEditorOptions) {
    this.#toggle = toggle;
    this.#root = root;
    this.#options = options;
    this.#variables = new VariablesEditor(() => options.seriesKeys?.() ?? []);
    this.#error.setAttribute("role", "alert");
    this.#gate = new TokenGate({
      dashboardId: options.dashboardId,
      onAccepted: (token) => this.#accepted(token),
      onCancel: () => this.close(),
    });
    this.#preview = options.preview && new PanelPreview(options.preview);
    this.#title.setAttribute("aria-describedby", this.#titleError.id);
    const titleRow = make("div", { className: "editor-field editor-title" });
    titleRow.append(make("label", { htmlFor: this.#title.id, textContent: "Dashboard title" }), this.#title, this.#titleError);

    const add = make("button", { type: "button", textContent: "Add panel" }, "add-panel");
    add.addEventListener("click", () => this.#add());
    const cancel = make("button", { type: "button", textContent: "Cancel" }, "cancel-edit");
    cancel.addEventListener("click", () => this.close());
    this.#save.addEventListener("click", () => void this.#submit());
    const actions = make("div", { className: "editor-actions" });
    actions.append(add, this.#save, cancel);
    const heading = make("h2", { className: "editor-heading", textContent: "Edit dashboard", id: "editor-heading" });
    this.#root.setAttribute("aria-labelledby", heading.id);
    this.#form.append(titleRow, this.#list, this.#variables.element, this.#error, actions);
    this.#root.append(heading, this.#gate.element, this.#form);

    this.#toggle.addEventListener("click", () => (this.#toggle.getAttribute("aria-pressed") === "true" ? this.close() : this.open()));
    this.#toggle.hidden = false;
  }

  /** The title and list as last saved (by anyone): what the editor starts from when opened. */
  setSaved(config: DashboardConfig): void {
    this.#saved = { title: config.title, panels: [...config.panels], variables: [...(config.variables ?? [])] };
  }

  /** Opens the form, asking for a token first when this tab keeps none for the dashboard. */
  open(): void {
    this.#resave = false;
    this.#root.hidden = false;
    this.#toggle.setAttribute("aria-pressed", "true");
    if (this.#keptToken() !== undefined) return this.#showForm();
    this.#form.hidden = true;
    this.#gate.ask();
  }

  #showForm(): void {
    this.#gate.hide();
    this.#title.value = this.#saved.title;
    this.#drafts = this.#saved.panels.map(draftOf);
    this.#variables.load(this.#saved.variables ?? []);
    this.#clearErrors();
    this.#render();
    this.#form.hidden = false;
    this.#title.focus();
  }

  /** The gate's token was accepted: kept for the tab, then the form (or, after a refused save, the save again). */
  #accepted(token: string): void {
    storeEditToken(this.#options.dashboardId, token);
    this.#token = storedEditToken(this.#options.dashboardId) === token ? undefined : token;
    if (!this.#resave) return this.#showForm();
    this.#resave = false;
    this.#form.hidden = false;
    this.#save.focus();
    void this.#submit();
  }

  /** Closes without saving; unsaved edits are dropped. */
  close(): void {
    this.#gate.hide();
    this.#preview?.close();
    this.#root.hidden = true;
    this.#toggle.setAttribute("aria-pressed", "false");
    this.#toggle.focus();
  }

  #render(focus?: string): void {
    this.#fields.clear();
    this.#error.textContent = "";
    const items = new Map(this.#drafts.map((draft, index) => [draft, this.#fieldset(draft, index)]));
    this.#list.replaceChildren(...items.values());
    this.#preview?.placed((draft) => items.get(draft));
    if (focus) this.#root.querySelector<HTMLElement>(focus)?.focus();
  }

  #fieldset(draft: PanelDraft, index: number): HTMLElement {
    const item = make("li");
    const set = make("fieldset", { className: "editor-panel" }, "panel-editor");
    set.dataset.panelId = draft.id;
    set.append(make("legend", { textContent: `Panel ${index + 1} (${draft.id})` }));
    for (const field of Object.keys(fieldLabels) as Field[]) {
      const id = `edit-${index}-${field}`;
      const input: HTMLInputElement | HTMLSelectElement =
        field === "type" || field === "unit" || choices[field] ? make("select", { id }) : make("input", { id, type: "text", autocomplete: "off" });
      input.append(...(choices[field] ?? []).map(([value, text]) => make("option", { value, textContent: text })));
      if (field === "type") input.append(...PANEL_TYPES.map((type) => make("option", { value: type, textContent: type })));
      if (field === "unit") input.append(...unitOptions(draft.unit));
      input.value = draft[field];
      input.dataset.field = field;
      const error = make("p", { className: "field-error", id: `${id}-error` }, "field-error");
      error.dataset.field = field;
      input.setAttribute("aria-describedby", error.id);
      const row = make("div", { className: `editor-field editor-field-${field}` });
      row.append(make("label", { htmlFor: id, textContent: fieldLabels[field] }), input, error);
      row.hidden = (gaugeOnly.has(field) && draft.type !== "gauge") || (field === "groupBy" && draft.aggregate === "" && draft.groupBy === "");
      input.addEventListener(input instanceof HTMLSelectElement ? "change" : "input", () => {
        draft[field] = input.value;
        if (field === "type") {
          for (const scale of set.querySelectorAll<HTMLElement>(".editor-field-min, .editor-field-max")) scale.hidden = input.value !== "gauge";
        }
        if (field === "aggregate") set.querySelector<HTMLElement>(".editor-field-groupBy")!.hidden = input.value === "" && draft.groupBy === "";
      });
      this.#fields.set(`${index}.${field}`, { input, error });
      if (field === "series" && input instanceof HTMLInputElement) row.append(this.#seriesPicker(draft, index, input));
      set.append(row);
    }
    set.append(this.#thresholds(draft, index));
    const buttons = make("div", { className: "editor-panel-actions" });
    const button = (testid: string, label: string, disabled: boolean, action: () => void) => {
      const b = make("button", { type: "button", textContent: label, disabled }, testid);
      b.setAttribute("aria-label", `${label}: panel ${index + 1}`);
      b.addEventListener("click", action);
      buttons.append(b);
    };
    button("move-up", "Move up", index === 0, () => this.#move(index, -1));
    button("move-down", "Move down", index === this.#drafts.length - 1, () => this.#move(index, 1));
    button("remove", "Remove", false, () => this.#remove(index));
    if (this.#preview) buttons.append(this.#preview.toggle(draft, index, item));
    set.append(buttons);
    item.append(set);
    return item;
  }

  /**
   * "Pick series": the dashboard's series, searched by any part of their key, each a checkbox
   * that adds its key to the panel's patterns or takes it out (patterns typed stay as typed).
   */
  #seriesPicker(draft: PanelDraft, index: number, field: HTMLInputElement): HTMLElement {
    const picker = make("details", { className: "series-picker" }, "series-picker");
    const summary = make("summary", { textContent: "Pick series" });
    summary.setAttribute("aria-label", `Pick series: panel ${index + 1}`);
    const search = make("input", { type: "search", id: `edit-${index}-series-search`, placeholder: "Search series", autocomplete: "off" }, "series-search");
    search.setAttribute("aria-label", `Search the dashboard's series: panel ${index + 1}`);
    const list = make("ul", { className: "series-picker-list" });
    const draw = () => {
      const wanted = search.value.trim().toLowerCase();
      const chosen = new Set(splitPatterns(draft.series));
      const keys = (this.#options.seriesKeys?.() ?? []).filter((key) => key.toLowerCase().includes(wanted));
      list.replaceChildren(
        ...keys.slice(0, 200).map((key) => {
          const item = make("li");
          const box = make("input", { type: "checkbox", checked: chosen.has(key) }, "series-option");
          box.dataset.key = key;
          box.addEventListener("change", () => {
            const patterns = splitPatterns(draft.series).filter((pattern) => pattern !== key);
            draft.series = (box.checked ? [...patterns, key] : patterns).join(", ");
            field.value = draft.series;
          });
          const label = make("label");
          label.append(box, ` ${key}`);
          item.append(label);
          return item;
        }),
      );
      if (keys.length === 0) list.append(make("li", { className: "series-picker-none", textContent: wanted ? "No series matches." : "The dashboard has no series yet." }));
      if (keys.length > 200) list.append(make("li", { className: "series-picker-none", textContent: `${keys.length - 200} more: search to narrow.` }));
    };
    search.addEventListener("input", draw);
    picker.addEventListener("toggle", () => picker.open && draw());
    picker.append(summary, search, list);
    return picker;
  }

  /**
   * The panel's thresholds: a row each with its value and a colour picker (and Remove), then
   * "Add threshold". Errors for any of them show under the group (`data-field="thresholds"`).
   */
  #thresholds(draft: PanelDraft, index: number): HTMLElement {
    const row = make("div", { className: "editor-field editor-field-thresholds" });
    const labelId = `edit-${index}-thresholds-label`;
    const group = make("div", { className: "threshold-list" });
    group.dataset.field = "thresholds";
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", labelId);
    const error = make("p", { className: "field-error", id: `edit-${index}-thresholds-error` }, "field-error");
    error.dataset.field = "thresholds";
    group.setAttribute("aria-describedby", error.id);
    const add = make("button", { type: "button", textContent: "Add threshold" }, "add-threshold");
    add.setAttribute("aria-label", `Add threshold: panel ${index + 1}`);
    const draw = (focus?: "value" | "add") => {
      group.replaceChildren(
        ...draft.thresholds.map((threshold, at) => {
          const line = make("div", { className: "threshold" }, "threshold");
          const value = make("input", { type: "text", inputMode: "decimal", autocomplete: "off", value: threshold.value });
          value.dataset.threshold = "value";
          value.setAttribute("aria-label", `Threshold ${at + 1}: from value`);
          value.addEventListener("input", () => (threshold.value = value.value));
          const color = make("input", { type: "color", value: threshold.color });
          color.dataset.threshold = "color";
          color.setAttribute("aria-label", `Threshold ${at + 1}: colour`);
          color.addEventListener("input", () => (threshold.color = color.value));
          const remove = make("button", { type: "button", textContent: "Remove" }, "remove-threshold");
          remove.setAttribute("aria-label", `Remove threshold ${at + 1}: panel ${index + 1}`);
          remove.addEventListener("click", () => {
            draft.thresholds.splice(at, 1);
            draw("add");
          });
          line.append(value, color, remove);
          return line;
        }),
        add,
      );
      if (focus === "value") group.querySelector<HTMLInputElement>(".threshold:last-of-type [data-threshold=value]")?.focus();
      if (focus === "add") add.focus();
    };
    add.addEventListener("click", () => {
      draft.thresholds.push({ value: "", color: draft.thresholds.at(-1)?.color ?? NEW_THRESHOLD_COLOR });
      draw("value");
    });
    draw();
    this.#fields.set(`${index}.thresholds`, { input: add, error });
    row.append(make("span", { className: "editor-label", id: labelId, textContent: "Thresholds (colour from a value up)" }), group, error);
    return row;
  }

  #add(): void {
    this.#drafts.push(newDraft(this.#drafts.map((draft) => draft.id)));
    this.#render(`#edit-${this.#drafts.length - 1}-title`);
  }

  #move(index: number, by: -1 | 1): void {
    const [moved] = this.#drafts.splice(index, 1);
    if (!moved) return;
    this.#drafts.splice(index + by, 0, moved);
    // Keep focus on the moved panel's same button so repeated presses keep moving it; at an
    // end that button is disabled, so focus goes to the other direction's.
    const to = index + by;
    const atEnd = by < 0 ? to === 0 : to === this.#drafts.length - 1;
    const testid = (by < 0) !== atEnd ? "move-up" : "move-down";
    this.#render(`[data-panel-id="${moved.id}"] [data-testid="${testid}"]`);
  }

  #remove(index: number): void {
    this.#drafts.splice(index, 1);
    this.#render('[data-testid="add-panel"]');
  }

  #clearErrors(): void {
    this.#error.textContent = "";
    this.#titleError.textContent = "";
    this.#title.removeAttribute("aria-invalid");
    this.#variables.clearErrors();
    for (const { input, error } of this.#fields.values()) {
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    }
  }

  /** Shows `message` at the field a body path names (`title`, `panels.0.type`); elsewhere when none fits. */
  #showError(path: readonly PropertyKey[], message: string): HTMLElement {
    const [top, index, field] = path;
    const variableField = top === "variables" ? this.#variables.showError(path.slice(1), message) : undefined;
    if (variableField) return variableField;
    const found =
      top === "title"
        ? { input: this.#title, error: this.#titleError }
        : top === "panels"
          ? this.#fields.get(`${String(index)}.${String(field)}`)
          : undefined;
    if (!found) {
      this.#error.textContent = this.#error.textContent ? `${this.#error.textContent} ${message}` : message;
      return this.#save;
    }
    found.error.textContent = found.error.textContent ? `${found.error.textContent}; ${message}` : message;
    // A field's input says it is wrong; the thresholds' group names its error in its description.
    if (found.input.matches("input, select, textarea")) found.input.setAttribute("aria-invalid", "true");
    return found.input;
  }

  /** The server refused the kept token on Save: the gate asks for one again; the form, and the edits, wait hidden. */
  #askAgain(message: string, kind?: string): void {
    forgetEditToken(this.#options.dashboardId);
    this.#token = undefined;
    this.#resave = true;
    this.#form.hidden = true;
    this.#gate.ask(`Saving was refused: ${message} Enter a token that may edit it; your edits are kept and saved once it is accepted.`, kind);
  }

  #keptToken(): string | undefined {
    return storedEditToken(this.#options.dashboardId) ?? this.#token;
  }

  async #submit(): Promise<void> {
    this.#clearErrors();
    // Places on the grid are arranging's, not the form's: those saved last (maybe since the
    // form opened) go with the save.
    const places = new Map(this.#saved.panels.map((panel) => [panel.id, panel.layout]));
    for (const draft of this.#drafts) draft.layout = places.get(draft.id);
    const checked = dashboardUpdateSchema.safeParse({ title: this.#title.value, panels: this.#drafts.map(panelOf), variables: this.#variables.value() });
    if (!checked.success) {
      const first = checked.error.issues.map((issue) => this.#showError(issue.path, issue.message))[0];
      first?.focus();
      return;
    }
    const { dashboardId } = this.#options;
    const token = this.#keptToken();
    if (!token) return this.#askAgain("this tab no longer holds a token for this dashboard.");

    this.#save.disabled = true;
    const result = await saveDashboard(dashboardId, token, checked.data);
    this.#save.disabled = false;
    switch (result.kind) {
      case "saved":
        this.setSaved(result);
        this.#options.onSaved(result);
        this.close();
        break;
      case "refused":
        this.#askAgain(result.message, result.reason);
        break;
      case "invalid":
        this.#showError(result.field?.split(".") ?? [], result.message).focus();
        break;
      case "failed":
        this.#error.textContent = `Could not save: ${result.message}`;
        break;
    }
  }
}
