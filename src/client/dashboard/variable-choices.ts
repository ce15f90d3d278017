/**
 * The page's template variables (template-variables.ts): the values each can take, learned
 * from the tags of the series the page sees (their `hello`/GET listing, snapshots and live
 * points), and what is chosen for each. A choice comes from the link (`?var-host=b`, see
 * variable-url.ts), else the variable's default, else All when offered, else the first value
 * known; it then stays until changed, even when a value it names is not (or no longer) among
 * the values seen, as a link naming a host that sent nothing yet keeps showing that host.
 * No DOM: the dropdowns are variable-bar.ts.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import type { Tags } from "../../common/protocol.ts";
import type { Variable } from "../../common/template-variables.ts";
import { ALL_VALUE, claimedPatterns, substitutePatterns, substituteTitle, type VariableChoice } from "../../common/variable-substitution.ts";
import type { GridPanel } from "../panels/panel-grid.ts";

/** A series as the page learns it: enough to read a variable's value off it. */
export interface TaggedSeries {
  /** Metric name. */
  name: string;
  /** Its tags. */
  tags: Tags;
}

/** Orders values as people read them: `web2` before `web10`. */
const byValue = new Intl.Collator(undefined, { numeric: true }).compare;

export class VariableChoices {
  #variables: readonly Variable[] = [];
  /** Values seen per variable name. */
  #values = new Map<string, Set<string>>();
  /** What is chosen per variable name, as a link writes it (`$__all` for All); absent until settled. */
  #chosen = new Map<string, string[]>();
  /** What the link asked for, used for each variable the first time it is defined. */
  #linked: Map<string, string[]>;
  /** Every series seen, so a variable defined later is filled at once. */
  #series = new Map<string, TaggedSeries>();

  /** `linked`: the choices a link names, by variable name (variable-url.ts). */
  constructor(linked: ReadonlyMap<string, readonly string[]> = new Map()) {
    this.#linked = new Map([...linked].map(([name, values]) => [name, [...values]]));
  }

  /** The variables, in dropdown order. */
  get variables(): readonly Variable[] {
    return this.#variables;
  }

  /** Takes the dashboard's variables as saved; choices of variables that remain are kept. */
  define(variables: readonly Variable[]): void {
    const before = new Map(this.#variables.map((variable) => [variable.name, JSON.stringify(variable)]));
    this.#variables = variables;
    for (const name of [...this.#chosen.keys()]) {
      const variable = variables.find((v) => v.name === name);
      // A variable redefined (another tag, multi turned off) starts again from its default.
      if (!variable || before.get(name) !== JSON.stringify(variable)) this.#chosen.delete(name);
    }
    this.#values = new Map(variables.map((variable) => [variable.name, new Set<string>()]));
    for (const series of this.#series.values()) this.#note(series);
    for (const variable of variables) this.#settle(variable);
  }

  /** Notes series seen; true when a variable gained a value (its dropdown changes). */
  learn(series: Iterable<TaggedSeries & { key: string }>): boolean {
    let grew = false;
    for (const one of series) {
      if (this.#series.has(one.key)) continue;
      this.#series.set(one.key, { name: one.name, tags: one.tags });
      if (this.#note(one)) grew = true;
    }
    if (grew) for (const variable of this.#variables) this.#settle(variable);
    return grew;
  }

  /** The values a variable's dropdown offers: those seen, and any chosen that were not, in reading order. */
  options(name: string): string[] {
    const seen = this.#values.get(name) ?? new Set<string>();
    const chosen = (this.#chosen.get(name) ?? []).filter((value) => value !== ALL_VALUE);
    return [...new Set([...seen, ...chosen])].sort(byValue);
  }

  /** Whether a value was seen on a series (a value only chosen, from a link, was not). */
  seen(name: string, value: string): boolean {
    return this.#values.get(name)?.has(value) ?? false;
  }

  /** What is chosen for a variable, as a link writes it: values, or `[$__all]`. */
  chosen(name: string): readonly string[] {
    return this.#chosen.get(name) ?? [];
  }

  /** Chooses for a variable (the dropdown did): `[$__all]` for All. */
  choose(name: string, values: readonly string[]): void {
    const variable = this.#variables.find((v) => v.name === name);
    if (!variable) return;
    this.#chosen.set(name, this.#valid(variable, values) ?? []);
  }

  /** Every variable's choice, as substitution takes it. */
  choices(): Map<string, VariableChoice> {
    return new Map(
      this.#variables.map((variable) => {
        const chosen = this.chosen(variable.name);
        return [variable.name, chosen.includes(ALL_VALUE) ? { all: true } : { all: false, values: chosen }];
      }),
    );
  }

  /** Every variable's choice as the link keeps it, in dropdown order. */
  linkChoices(): Map<string, readonly string[]> {
    return new Map(this.#variables.map((variable) => [variable.name, this.chosen(variable.name)]));
  }

  /**
   * The saved panels as the page shows them now: each pattern and title with the choices
   * written in, and the series the panel takes for some choice (no automatic panel shows those).
   */
  resolve(panels: readonly Panel[]): GridPanel[] {
    const choices = this.choices();
    const names = this.#variables.map((variable) => variable.name);
    if (names.length === 0) return [...panels];
    return panels.map((panel) => ({
      ...panel,
      title: substituteTitle(panel.title, choices),
      series: substitutePatterns(panel.series, choices),
      claims: claimedPatterns(panel.series, names),
    }));
  }

  /** Adds a series' values to the variables it has a value for; true when one was new. */
  #note(series: TaggedSeries): boolean {
    let grew = false;
    for (const variable of this.#variables) {
      if (variable.metric !== undefined && variable.metric !== series.name) continue;
      if (!Object.hasOwn(series.tags, variable.tag)) continue;
      const values = this.#values.get(variable.name)!;
      const value = series.tags[variable.tag]!;
      if (!values.has(value)) {
        values.add(value);
        grew = true;
      }
    }
    return grew;
  }

  /** Gives a variable without a choice its first one: the link's, the default, All, or the first value seen. */
  #settle(variable: Variable): void {
    if (this.#chosen.has(variable.name)) return;
    const linked = this.#linked.get(variable.name);
    this.#linked.delete(variable.name);
    const picked =
      (linked && this.#valid(variable, linked)) ??
      (variable.default && this.#valid(variable, variable.default)) ??
      (variable.includeAll ? [ALL_VALUE] : this.options(variable.name).slice(0, 1));
    // Nothing to choose from yet: the first value seen settles it.
    if (picked.length > 0) this.#chosen.set(variable.name, picked);
  }

  /** `values` as a choice of `variable`: All only when offered and alone, one value unless multi; null when nothing is left. */
  #valid(variable: Variable, values: readonly string[]): string[] | null {
    if (values.includes(ALL_VALUE)) return variable.includeAll ? [ALL_VALUE] : null;
    const distinct = [...new Set(values)].filter((value) => value !== "");
    const kept = variable.multi ? distinct : distinct.slice(0, 1);
    return kept.length > 0 ? kept : null;
  }
}
