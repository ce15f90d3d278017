/**
 * The editor's "Variables" part: one row per template variable (name, tag, metric, several
 * values, All, default; Remove) and "Add variable". What is typed is kept as typed and turned
 * into the PUT body's `variables` for the shared schema to judge (template-variables.ts), so
 * its errors show at their field like the panels'. The panel editor (panel-editor.ts) holds
 * it and saves it with the rest.
 *
 * DOM contract, relied on by test/e2e; keep it stable:
 * - `[data-testid="variables-editor"]`: the part, a fieldset with the legend "Variables".
 * - `[data-testid="variable-editor"]` with `data-variable-index`: one per variable, in order, its
 *   inputs named by `data-field` (`name`, `tag`, `metric`, `default` text; `multi`,
 *   `includeAll` checkboxes), `[data-testid="field-error"]` with `data-field` beside each, and
 *   `[data-testid="remove-variable"]`.
 * - `[data-testid="add-variable"]`.
 */
import { parseSeriesKey } from "../../common/series-key.ts";
import type { Variable } from "../../common/template-variables.ts";
import { ALL_VALUE } from "../../common/variable-substitution.ts";

/** A variable as the form holds it. */
interface VariableDraft {
  name: string;
  tag: string;
  /** Empty for every metric. */
  metric: string;
  multi: boolean;
  includeAll: boolean;
  /** Comma-separated values; empty for none. */
  default: string;
}

type TextField = "name" | "tag" | "metric" | "default";
type Field = TextField | "multi" | "includeAll";

const labels: Record<Field, string> = {
  name: "Name (used as $name)",
  tag: "Tag",
  metric: "Metric (empty: any)",
  default: `Default (comma-separated; ${ALL_VALUE} for All)`,
  multi: "Several values",
  includeAll: "Offer All",
};

function draftOf(variable: Variable): VariableDraft {
  return {
    name: variable.name,
    tag: variable.tag,
    metric: variable.metric ?? "",
    multi: variable.multi ?? false,
    includeAll: variable.includeAll ?? false,
    default: (variable.default ?? []).join(", "),
  };
}

/** A draft as the body carries it: empty optional fields and unset flags left out, the rest as typed. */
function valueOf(draft: VariableDraft): Record<string, unknown> {
  const defaults = draft.default
    .split(",")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  return {
    name: draft.name.trim(),
    tag: draft.tag.trim(),
    ...(draft.metric.trim() === "" ? {} : { metric: draft.metric.trim() }),
    ...(draft.multi ? { multi: true } : {}),
    ...(draft.includeAll ? { includeAll: true } : {}),
    ...(defaults.length === 0 ? {} : { default: defaults }),
  };
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, testid?: string): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  if (testid) element.setAttribute("data-testid", testid);
  return element;
}

export class VariablesEditor {
  /** The part, for the panel editor to place. */
  readonly element = make("fieldset", { className: "editor-variables" }, "variables-editor");
  readonly #list = make("ol", { className: "editor-list" });
  /** The tag names of the dashboard's series, offered as the tag field's suggestions. */
  readonly #tags = make("datalist", { id: "edit-variable-tags" });
  readonly #seriesKeys: () => string[];
  #drafts: VariableDraft[] = [];
  /** Inputs and errors by `<index>.<field>`, rebuilt with the rows. */
  #fields = new Map<string, { input: HTMLInputElement; error: HTMLElement }>();

  /** `seriesKeys` lists the dashboard's series now, whose tag names the tag field suggests. */
  constructor(seriesKeys: () => string[] = () => []) {
    this.#seriesKeys = seriesKeys;
    const add = make("button", { type: "button", textContent: "Add variable" }, "add-variable");
    add.addEventListener("click", () => {
      this.#drafts.push({ name: "", tag: "", metric: "", multi: false, includeAll: false, default: "" });
      this.#render(`#edit-variable-${this.#drafts.length - 1}-name`);
    });
    const hint = make("p", {
      className: "editor-hint",
      textContent: "Each variable is a dropdown of one tag's values; write $name or ${name} in a panel's series (e.g. cpu{host=$host}) or title.",
    });
    this.element.append(make("legend", { textContent: "Variables" }), hint, this.#list, this.#tags, add);
  }

  /** Starts again from the variables as saved. */
  load(variables: readonly Variable[]): void {
    this.#drafts = variables.map(draftOf);
    this.#render();
  }

  /** The variables as typed, for the shared schema to check. */
  value(): Record<string, unknown>[] {
    return this.#drafts.map(valueOf);
  }

  clearErrors(): void {
    for (const { input, error } of this.#fields.values()) {
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    }
  }

  /**
   * Shows `message` at the field a path inside `variables` names (`0.name`); returns what to
   * focus, or undefined when no field fits (the editor then shows it with its other errors).
   */
  showError(path: readonly PropertyKey[], message: string): HTMLElement | undefined {
    const [index, field] = path;
    const found = this.#fields.get(`${String(index)}.${String(field ?? "name")}`);
    if (!found) return undefined;
    found.error.textContent = found.error.textContent ? `${found.error.textContent}; ${message}` : message;
    found.input.setAttribute("aria-invalid", "true");
    return found.input;
  }

  #render(focus?: string): void {
    this.#fields.clear();
    const tags = new Set(this.#seriesKeys().flatMap((key) => Object.keys(parseSeriesKey(key)?.tags ?? {})));
    this.#tags.replaceChildren(...[...tags].sort().map((tag) => make("option", { value: tag })));
    this.#list.replaceChildren(...this.#drafts.map((draft, index) => this.#row(draft, index)));
    if (focus) this.element.querySelector<HTMLElement>(focus)?.focus();
  }

  #row(draft: VariableDraft, index: number): HTMLElement {
    const item = make("li");
    const set = make("fieldset", { className: "editor-panel editor-variable" }, "variable-editor");
    set.dataset.variableIndex = String(index);
    set.append(make("legend", { textContent: `Variable ${index + 1}${draft.name ? ` ($${draft.name})` : ""}` }));
    for (const field of Object.keys(labels) as Field[]) {
      const id = `edit-variable-${index}-${field}`;
      const flag = field === "multi" || field === "includeAll";
      const input = make("input", { id, type: flag ? "checkbox" : "text", autocomplete: "off" });
      input.dataset.field = field;
      if (flag) input.checked = draft[field];
      else input.value = draft[field];
      if (field === "tag") input.setAttribute("list", this.#tags.id);
      input.addEventListener(flag ? "change" : "input", () => {
        if (flag) draft[field] = input.checked;
        else draft[field] = input.value;
      });
      const error = make("p", { className: "field-error", id: `${id}-error` }, "field-error");
      error.dataset.field = field;
      input.setAttribute("aria-describedby", error.id);
      const row = make("div", { className: `editor-field editor-field-${field}${flag ? " editor-flag" : ""}` });
      const label = make("label", { htmlFor: id, textContent: labels[field] });
      if (flag) row.append(make("span", { className: "editor-flag-line" }), error);
      if (flag) row.firstElementChild!.append(input, label);
      else row.append(label, input, error);
      this.#fields.set(`${index}.${field}`, { input, error });
      set.append(row);
    }
    const actions = make("div", { className: "editor-panel-actions" });
    const remove = make("button", { type: "button", textContent: "Remove" }, "remove-variable");
    remove.setAttribute("aria-label", `Remove variable ${index + 1}`);
    remove.addEventListener("click", () => {
      this.#drafts.splice(index, 1);
      this.#render('[data-testid="add-variable"]');
    });
    actions.append(remove);
    set.append(actions);
    item.append(set);
    return item;
  }
}
