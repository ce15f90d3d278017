import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dashboardDefinitionSchema, definitionOf, parseDefinition, settingsOf } from "../../src/common/dashboard-definition.ts";

const schemaFile = fileURLToPath(new URL("../../docs/definition.schema.json", import.meta.url));

const panel = (id: string, type = "line") => ({ id, title: `Panel ${id}`, type, series: ["cpu.*"] });
const variable = { name: "host", tag: "host", metric: "cpu" };
const definition = (extra: Record<string, unknown> = {}) => ({ pulseboardDefinition: 1, title: "Boiler room", panels: [panel("a"), panel("b", "stat")], private: false, ...extra });

describe("the definition's JSON Schema", () => {
  it("is the zod schema's, as docs/definition.schema.json publishes it (UPDATE_DEFINITION_SCHEMA=1 rewrites the file)", () => {
    const generated = JSON.stringify(z.toJSONSchema(dashboardDefinitionSchema, { io: "input" }), null, 2) + "\n";
    if (process.env.UPDATE_DEFINITION_SCHEMA === "1") writeFileSync(schemaFile, generated);
    expect(readFileSync(schemaFile, "utf8")).toBe(generated);
  });
});

describe("reading a definition", () => {
  it("takes a valid one as it is", () => {
    const input = definition({ panels: [panel("a"), { ...panel("g", "gauge"), min: 0, max: 100, unit: "%", thresholds: [{ value: 80, color: "#ff0000" }] }] });
    expect(parseDefinition(input)).toEqual({ ok: true, definition: input });
  });

  it("names the field at fault, down to a panel's property", () => {
    const outcome = parseDefinition(definition({ panels: [panel("a"), panel("b"), panel("c", "pie")] }));
    expect(outcome).toMatchObject({ ok: false, problem: { code: "invalid_body", path: "panels.2.type" } });
    expect(parseDefinition(definition({ title: "" }))).toMatchObject({ ok: false, problem: { path: "title" } });
    expect(parseDefinition(definition({ private: "yes" }))).toMatchObject({ ok: false, problem: { path: "private" } });
    expect(parseDefinition(definition({ panels: [panel("a"), panel("a")] }))).toMatchObject({ ok: false, problem: { path: "panels", message: "panel ids must be unique" } });
    expect(parseDefinition(definition({ data: [] }))).toMatchObject({ ok: false, problem: { code: "invalid_body" } });
  });

  it("refuses a newer version clearly, before reading the rest", () => {
    const outcome = parseDefinition({ pulseboardDefinition: 2, layout: "whatever a later version holds" });
    expect(outcome).toMatchObject({ ok: false, problem: { code: "unsupported_definition_version", path: "pulseboardDefinition" } });
    if (!outcome.ok) expect(outcome.problem.message).toContain("newer");
  });

  it("refuses what is no version of the format", () => {
    for (const version of [0, 1.5, "1", null]) {
      expect(parseDefinition(definition({ pulseboardDefinition: version })), String(version)).toMatchObject({ ok: false, problem: { code: "unsupported_definition_version" } });
    }
    expect(parseDefinition({ title: "no version" })).toMatchObject({ ok: false, problem: { path: "pulseboardDefinition" } });
  });
});

describe("writing a definition and making a dashboard from one", () => {
  it("writes every field the schema has from a dashboard's row, and nothing else of it", () => {
    const panels = [{ id: "a", title: "Panel a", type: "line" as const, series: ["cpu.*"] }];
    const row = { id: "boiler-room", title: "Boiler room", panels, variables: [variable], tokenHash: "f".repeat(64), viewKeyHash: null, seq: 42, createdAt: 1 };
    const written = definitionOf(row, true);
    expect(written).toEqual({ pulseboardDefinition: 1, title: "Boiler room", panels: [panel("a")], variables: [variable], private: true });
    // Whatever the schema gains is written without being named in definitionOf.
    expect(Object.keys(written).sort()).toEqual(Object.keys(dashboardDefinitionSchema.shape).sort());
    expect(parseDefinition(written)).toEqual({ ok: true, definition: written });
  });

  it("makes a dashboard with every setting of the definition: all its fields but the version and privacy", () => {
    const parsed = parseDefinition(definition({ private: true, variables: [variable] }));
    if (!parsed.ok) throw new Error("the definition is valid");
    const read = parsed.definition;
    const settings = settingsOf(read);
    expect(settings).toEqual({ title: "Boiler room", panels: [panel("a"), panel("b", "stat")], variables: [variable] });
    expect(Object.keys(settings).sort()).toEqual(Object.keys(dashboardDefinitionSchema.shape).filter((field) => field !== "pulseboardDefinition" && field !== "private").sort());
    expect(definitionOf(settings, true)).toEqual(read);
  });
});
