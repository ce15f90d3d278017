import { describe, expect, it } from "vitest";
import { VariableChoices } from "../../../src/client/dashboard/variable-choices.ts";
import { seriesKey } from "../../../src/common/series-key.ts";
import type { Variable } from "../../../src/common/template-variables.ts";

const series = (name: string, tags: Record<string, string>) => ({ key: seriesKey(name, tags), name, tags });
const cpu = (...hosts: string[]) => hosts.map((host) => series("cpu", { host }));
const host: Variable = { name: "host", tag: "host", metric: "cpu" };
const panel = { id: "p", title: "CPU on $host", type: "line" as const, series: ["cpu{host=$host}"] };

function choicesWith(variables: Variable[], link: Record<string, string[]> = {}, seen = cpu("web10", "web2", "web1")): VariableChoices {
  const state = new VariableChoices(new Map(Object.entries(link)));
  state.learn(seen);
  state.define(variables);
  return state;
}

describe("a page's variable choices", () => {
  it("offers the values of the variable's tag on its metric only, in reading order", () => {
    const state = choicesWith([host], {}, [...cpu("web10", "web2"), series("mem", { host: "other" }), series("cpu", { region: "eu" })]);
    expect(state.options("host")).toEqual(["web2", "web10"]);
  });

  it("chooses the link's choice, else the default, else All when offered, else the first value", () => {
    expect(choicesWith([host], { host: ["web2"] }).chosen("host")).toEqual(["web2"]);
    expect(choicesWith([{ ...host, default: ["web10"] }]).chosen("host")).toEqual(["web10"]);
    expect(choicesWith([{ ...host, includeAll: true }]).chosen("host")).toEqual(["$__all"]);
    expect(choicesWith([host]).chosen("host")).toEqual(["web1"]);
    // One value unless multi; All only when offered.
    expect(choicesWith([host], { host: ["web1", "web2"] }).chosen("host")).toEqual(["web1"]);
    expect(choicesWith([{ ...host, multi: true }], { host: ["web1", "web2"] }).chosen("host")).toEqual(["web1", "web2"]);
    expect(choicesWith([host], { host: ["$__all"] }).chosen("host")).toEqual(["web1"]);
  });

  it("keeps a value the link names that no series has, and offers it", () => {
    const state = choicesWith([host], { host: ["zzz"] });
    expect(state.chosen("host")).toEqual(["zzz"]);
    expect(state.options("host")).toContain("zzz");
    expect(state.seen("host", "zzz")).toBe(false);
  });

  it("waits for a first value when none is known, then keeps it as more arrive", () => {
    const state = choicesWith([host], {}, []);
    expect(state.chosen("host")).toEqual([]);
    expect(state.learn(cpu("web9"))).toBe(true);
    expect(state.chosen("host")).toEqual(["web9"]);
    expect(state.learn(cpu("web1"))).toBe(true);
    expect(state.learn(cpu("web1"))).toBe(false);
    expect(state.chosen("host")).toEqual(["web9"]);
  });

  it("shows the panels with the choice written into their series and titles, claiming every value's series", () => {
    const state = choicesWith([{ ...host, multi: true }]);
    state.choose("host", ["web2", "web10"]);
    const [shown] = state.resolve([panel]);
    expect(shown).toMatchObject({ title: "CPU on web2, web10", series: ["cpu{host=web2}", "cpu{host=web10}"], claims: ["cpu{host=*}"] });
    expect(choicesWith([]).resolve([panel])).toEqual([panel]);
  });

  it("keeps a choice when the variables are saved again unchanged, and starts again when its variable changes", () => {
    const state = choicesWith([host]);
    state.choose("host", ["web10"]);
    state.define([host]);
    expect(state.chosen("host")).toEqual(["web10"]);
    state.define([{ ...host, includeAll: true }]);
    expect(state.chosen("host")).toEqual(["$__all"]);
  });
});
