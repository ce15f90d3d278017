import { describe, expect, it } from "vitest";
import { dashboardUpdateSchema } from "../../src/common/dashboard-config.ts";
import { parseDefinition } from "../../src/common/dashboard-definition.ts";
import { undefinedVariables, variablesSchema } from "../../src/common/template-variables.ts";

const host = { name: "host", tag: "host" };
const panel = (series: string[]) => ({ id: "p", title: "P", type: "line", series });

/** The paths of the first problem the schema finds, or null when it accepts. */
function refusedAt(input: unknown): string | null {
  const parsed = variablesSchema.safeParse(input);
  return parsed.success ? null : parsed.error.issues[0]!.path.join(".");
}

describe("the variables schema", () => {
  it("accepts every field, and a variable with only a name and a tag", () => {
    const full = { name: "host", tag: "host", metric: "cpu.load", multi: true, includeAll: true, default: ["a", "b"] };
    expect(variablesSchema.parse([full, { name: "_region2", tag: "region" }])).toEqual([full, { name: "_region2", tag: "region" }]);
    expect(variablesSchema.parse([{ ...host, includeAll: true, default: ["$__all"] }])).toHaveLength(1);
  });

  it.each([
    [[{ ...host, name: "" }], "0.name"],
    [[{ ...host, name: "9lives" }], "0.name"],
    [[{ ...host, name: "with-dash" }], "0.name"],
    [[{ ...host, name: "n".repeat(33) }], "0.name"],
    [[host, { name: "host", tag: "other" }], "1.name"],
    [[{ ...host, tag: "" }], "0.tag"],
    [[{ ...host, tag: "t".repeat(65) }], "0.tag"],
    [[{ ...host, tag: "a\u0000" }], "0.tag"],
    [[{ ...host, metric: "" }], "0.metric"],
    [[{ ...host, multi: "yes" }], "0.multi"],
    [[{ ...host, default: [] }], "0.default"],
    [[{ ...host, default: ["a", "b"] }], "0.default"],
    [[{ ...host, default: ["$__all"] }], "0.default"],
    [[{ ...host, multi: true, includeAll: true, default: ["$__all", "a"] }], "0.default"],
    [[{ ...host, label: "Host" }], "0"],
    [Array.from({ length: 21 }, (_, i) => ({ name: `v${i}`, tag: "t" })), ""],
  ])("refuses %j at %s", (input, path) => {
    expect(refusedAt(input)).toBe(path);
  });
});

describe("panels naming variables", () => {
  it("are accepted when every name is a variable, refused at the pattern otherwise", () => {
    expect(undefinedVariables([panel(["cpu{host=$host}"])], [host])).toEqual([]);
    const [problem] = undefinedVariables([panel(["mem"]), panel(["cpu", "cpu{host=$hots}"])], [host]);
    expect(problem).toEqual({ path: ["panels", 1, "series", 1], message: expect.stringContaining("$hots") });
    expect(problem!.message).toContain("$host");
  });

  it("are checked by the PUT schema when panels and variables come together, and left to the stored ones otherwise", () => {
    const refused = dashboardUpdateSchema.safeParse({ panels: [panel(["cpu{host=$host}"])], variables: [] });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]!.path).toEqual(["panels", 0, "series", 0]);
    expect(dashboardUpdateSchema.safeParse({ panels: [panel(["cpu{host=$host}"])], variables: [host] }).success).toBe(true);
    expect(dashboardUpdateSchema.safeParse({ panels: [panel(["cpu{host=$host}"])] }).success).toBe(true);
  });

  it("are checked in a definition, which may have no variables at all", () => {
    const definition = { pulseboardDefinition: 1, title: "T", panels: [panel(["cpu{host=$host}"])], private: false };
    expect(parseDefinition(definition)).toMatchObject({ ok: false, problem: { path: "panels.0.series.0" } });
    expect(parseDefinition({ ...definition, variables: [host] })).toMatchObject({ ok: true });
    expect(parseDefinition({ ...definition, panels: [panel(["cpu"])] })).toMatchObject({ ok: true });
  });
});
