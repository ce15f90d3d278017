/**
 * Template variables on the page: the saved panels are shown with the variables' choices
 * written in (variable-choices.ts), the header's dropdowns (variable-bar.ts) change those
 * choices, and the link keeps them (variable-url.ts). A new choice, a new value seen or a new
 * save relays the saved panels out from the data the page holds: nothing is fetched again.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import type { Variable } from "../../common/template-variables.ts";
import type { GridPanel } from "../panels/panel-grid.ts";
import { VariableBar } from "./variable-bar.ts";
import { VariableChoices, type TaggedSeries } from "./variable-choices.ts";
import { readVariableChoices, withVariableChoices } from "./variable-url.ts";

export class VariableView {
  readonly #state = new VariableChoices(readVariableChoices(location.search));
  readonly #bar: VariableBar;
  readonly #show: (panels: GridPanel[]) => void;
  #saved: readonly Panel[] = [];

  /** `host` holds the dropdowns; `show` lays the panels out as they are to be shown (PanelGrid's `setPanels`). */
  constructor(host: HTMLElement, show: (panels: GridPanel[]) => void) {
    this.#show = show;
    this.#bar = new VariableBar(host, this.#state, () => this.#update());
  }

  /** The dashboard's panels and variables as saved (on load, in `hello` and `config`, after a save here). */
  configure(panels: readonly Panel[], variables: readonly Variable[] = []): void {
    this.#saved = panels;
    this.#state.define(variables);
    this.#update();
  }

  /** `panel` as the page would show it with the choices made now (e.g. the editor's preview of a draft). */
  shown(panel: Panel): GridPanel {
    return this.#state.resolve([panel])[0]!;
  }

  /** Series the page has seen (listed, in a snapshot, live): their tag values fill the dropdowns. */
  learn(series: Iterable<TaggedSeries & { key: string }>): void {
    if (this.#state.learn(series)) this.#update();
  }

  #update(): void {
    this.#bar.render();
    this.#show(this.#state.resolve(this.#saved));
    this.#writeLink();
  }

  /** Puts the choices in the link (replacing the history entry, as the view does), unless it says them already. */
  #writeLink(): void {
    const choices = this.#state.linkChoices();
    if (choices.size === 0 && readVariableChoices(location.search).size === 0) return;
    const next = withVariableChoices(location.href, choices);
    if (next !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, "", next);
  }
}
