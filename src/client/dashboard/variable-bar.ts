/**
 * The template variables' dropdowns in the page's header, one per variable, labelled with its
 * name: a `<select>` for a variable with one value at a time (All first when offered), and for
 * one that takes several, a disclosure (`<details>`) whose summary reads the choice and
 * whose checkboxes pick values (Escape, a press elsewhere or tabbing away closes it). Both are native
 * controls, so keys, touch and screen readers work as everywhere; the phone header wraps
 * them (styles.css, "Template variables"). A value chosen but not seen on any series (from a
 * link) is offered too, marked "no data".
 */
import { ALL_VALUE } from "../../common/variable-substitution.ts";
import type { Variable } from "../../common/template-variables.ts";
import type { VariableChoices } from "./variable-choices.ts";

function make<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), props);
}

export class VariableBar {
  readonly #host: HTMLElement;
  readonly #state: VariableChoices;
  readonly #onChoose: () => void;
  /** What each control was last drawn from, to leave unchanged ones (and an open picker) alone. */
  #drawn = new Map<string, string>();

  /** `host` is the header's (initially hidden) group; `onChoose` hears every choice made here. */
  constructor(host: HTMLElement, state: VariableChoices, onChoose: () => void) {
    this.#host = host;
    this.#state = state;
    this.#onChoose = onChoose;
    // A press outside an open picker closes it, as a native dropdown does.
    document.addEventListener("pointerdown", (event) => {
      for (const open of this.#host.querySelectorAll<HTMLDetailsElement>("details[open]")) {
        if (!open.contains(event.target as Node)) open.open = false;
      }
    });
  }

  /** Draws the controls for the variables and choices as they are now. */
  render(): void {
    const variables = this.#state.variables;
    this.#host.hidden = variables.length === 0;
    const kept = new Map<string, HTMLElement>();
    for (const control of this.#host.querySelectorAll<HTMLElement>(":scope > .variable")) kept.set(control.dataset.variable!, control);
    const controls = variables.map((variable) => {
      const drawn = JSON.stringify([variable, this.#state.options(variable.name), this.#state.chosen(variable.name)]);
      const old = kept.get(variable.name);
      if (old && this.#drawn.get(variable.name) === drawn) return old;
      this.#drawn.set(variable.name, drawn);
      const control = this.#control(variable);
      // Rebuilt in place: a picker open (or a control focused) stays so.
      if (old) this.#carryOver(old, control);
      return control;
    });
    this.#host.replaceChildren(...controls);
    const focused = this.#host.querySelector<HTMLElement>("[data-refocus]");
    focused?.removeAttribute("data-refocus");
    focused?.focus();
  }

  #control(variable: Variable): HTMLElement {
    const control = make("div", { className: "variable" });
    control.dataset.testid = "variable";
    control.dataset.variable = variable.name;
    control.dataset.chosen = JSON.stringify(this.#state.chosen(variable.name));
    control.append(variable.multi ? this.#picker(variable) : this.#select(variable));
    return control;
  }

  /** One value at a time: a labelled `<select>`. */
  #select(variable: Variable): HTMLElement {
    const label = make("label", { className: "variable-label" });
    const select = make("select", { id: `variable-${variable.name}` });
    select.dataset.testid = "variable-select";
    const options = this.#state.options(variable.name).map((value) => make("option", { value, textContent: this.#valueText(variable, value) }));
    if (variable.includeAll) options.unshift(make("option", { value: ALL_VALUE, textContent: "All" }));
    if (options.length === 0) options.push(make("option", { value: "", textContent: "no values yet", disabled: true }));
    select.append(...options);
    select.value = this.#state.chosen(variable.name)[0] ?? "";
    select.addEventListener("change", () => this.#choose(variable, [select.value]));
    label.append(make("span", { className: "variable-name", textContent: variable.name }), select);
    return label;
  }

  /** Several values: a disclosure with a checkbox per value (All first when offered). */
  #picker(variable: Variable): HTMLElement {
    const chosen = this.#state.chosen(variable.name);
    const all = chosen.includes(ALL_VALUE);
    const picker = make("details", { className: "variable-picker" });
    const summary = make("summary", { className: "variable-summary" });
    const shown = all ? "All" : chosen.length === 0 ? "none" : chosen.join(", ");
    summary.append(
      make("span", { className: "variable-name", textContent: variable.name }),
      make("span", { className: "variable-shown", textContent: shown }),
      make("span", { className: "visually-hidden", textContent: " (choose one or more)" }),
    );
    const group = make("fieldset", { className: "variable-options" });
    group.append(make("legend", { className: "visually-hidden", textContent: `${variable.name}: choose one or more` }));
    const values = this.#state.options(variable.name);
    const box = (value: string, text: string, checked: boolean) => {
      const input = make("input", { type: "checkbox", value, checked });
      input.dataset.testid = "variable-option";
      input.addEventListener("change", () => {
        if (value === ALL_VALUE) return this.#choose(variable, input.checked ? [ALL_VALUE] : []);
        const now = this.#state.chosen(variable.name).filter((v) => v !== ALL_VALUE && v !== value);
        this.#choose(variable, input.checked ? [...now, value] : now);
      });
      const label = make("label", { className: "variable-option" });
      label.append(input, ` ${text}`);
      return label;
    };
    if (variable.includeAll) group.append(box(ALL_VALUE, "All", all));
    group.append(...values.map((value) => box(value, this.#valueText(variable, value), !all && chosen.includes(value))));
    if (values.length === 0) group.append(make("p", { className: "variable-none", textContent: "No values yet." }));
    picker.append(summary, group);
    // Tabbing out of the list closes it too.
    picker.addEventListener("focusout", (event) => {
      if (picker.isConnected && !picker.contains(event.relatedTarget as Node | null)) picker.open = false;
    });
    picker.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !picker.open) return;
      event.preventDefault();
      picker.open = false;
      summary.focus();
    });
    return picker;
  }

  #valueText(variable: Variable, value: string): string {
    return this.#state.seen(variable.name, value) ? value : `${value} (no data)`;
  }

  #choose(variable: Variable, values: string[]): void {
    this.#state.choose(variable.name, values);
    this.#onChoose();
  }

  /** Keeps an open picker open and the focus where it was, by what it stands for. */
  #carryOver(old: HTMLElement, next: HTMLElement): void {
    const picker = next.querySelector("details");
    if (picker && old.querySelector("details")?.open) picker.open = true;
    const focused = old.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    if (!focused) return;
    const same =
      focused instanceof HTMLInputElement
        ? [...next.querySelectorAll<HTMLInputElement>("input")].find((input) => input.value === focused.value)
        : next.querySelector<HTMLElement>(focused.tagName.toLowerCase());
    same?.setAttribute("data-refocus", "");
  }
}
