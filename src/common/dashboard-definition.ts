import { z } from "zod";
import { panelSchema } from "./dashboard-config.ts";
import { undefinedVariables, variablesSchema } from "./template-variables.ts";

/**
 * A dashboard's definition: what makes it what it is, without its data (points, annotations)
 * or its secrets (tokens). `GET /api/dashboards/:id/definition` exports one and `POST
 * /api/dashboards` with `{"definition": …}` makes a dashboard from one. Versioned, so that a
 * later format is refused clearly rather than half read. `docs/definition.schema.json` is
 * this schema as JSON Schema (checked against it by a unit test). Shared, so it may use
 * neither DOM nor Workers APIs.
 */

/** The definition format this code writes and reads. */
export const DEFINITION_VERSION = 1;

export const dashboardDefinitionSchema = z
  .strictObject({
    /** The format's version: {@link DEFINITION_VERSION}. */
    pulseboardDefinition: z.literal(DEFINITION_VERSION, { error: `pulseboardDefinition must be ${DEFINITION_VERSION}` }),
    /** Title, 1-120 characters. */
    title: z.string({ error: "title must be a string" }).trim().min(1, "title must not be empty").max(120, "title is at most 120 characters"),
    /** Panels, in display order (see README, "Panels"). */
    panels: z.array(panelSchema, { error: "panels must be an array of panels" }).max(50, "at most 50 panels"),
    /** Whether the dashboard is private (readable only with one of its tokens). */
    private: z.boolean({ error: "private must be true or false" }),
    /**
     * Template variables (README, "Panels"); absent when there are none. Optional and added
     * within version 1: a definition without it reads as before, and one exported from a
     * dashboard without variables is what older servers read.
     */
    variables: variablesSchema.optional(),
  })
  .refine((definition) => new Set(definition.panels.map((panel) => panel.id)).size === definition.panels.length, { message: "panel ids must be unique", path: ["panels"] })
  .superRefine((definition, context) => {
    for (const { path, message } of undefinedVariables(definition.panels, definition.variables ?? [])) context.addIssue({ code: "custom", message, path });
  })
  .meta({ title: "Pulseboard dashboard definition", description: "A dashboard's title, panels, template variables and privacy, without its data or tokens (GET /api/dashboards/:id/definition)." });

/** A dashboard's definition. */
export type DashboardDefinition = z.infer<typeof dashboardDefinitionSchema>;

/**
 * What a definition carries beside its version and privacy: the dashboard's settings, as
 * `PUT /api/dashboards/:id` changes them (title, panels, and whatever setting the schema
 * above gains later).
 */
export type DefinedSettings = Omit<DashboardDefinition, "pulseboardDefinition" | "private">;

/** The fields of a definition that are settings: every field of the schema but the version and privacy. */
const SETTING_FIELDS = Object.keys(dashboardDefinitionSchema.shape).filter((field) => field !== "pulseboardDefinition" && field !== "private");

/** The settings a definition carries, to make a dashboard with. */
export function settingsOf(definition: DashboardDefinition): DefinedSettings {
  const { pulseboardDefinition: _version, private: _private, ...settings } = definition;
  return settings;
}

/**
 * The definition of a dashboard whose settings are in `source` (its stored row, say). Only the
 * schema's fields are read from it, so nothing else of the row (a token's hash) gets in, and a
 * setting the schema gains travels in exports without being named here.
 */
export function definitionOf(source: DefinedSettings, isPrivate: boolean): DashboardDefinition {
  const settings = Object.fromEntries(SETTING_FIELDS.flatMap((field) => (field in source ? [[field, source[field as keyof DefinedSettings]]] : []))) as DefinedSettings;
  return { pulseboardDefinition: DEFINITION_VERSION, ...settings, private: isPrivate };
}

/** Why a definition was refused: the message, and the field at fault (a dotted path inside the definition; empty for the whole). */
export interface DefinitionProblem {
  /** `unsupported_definition_version` for a version this code does not read, else `invalid_body`. */
  code: "invalid_body" | "unsupported_definition_version";
  /** What is wrong, for people. */
  message: string;
  /** Dotted path of the field at fault inside the definition, e.g. `panels.2.type`; empty for the whole. */
  path: string;
}

/** Reads a definition, or says what is wrong with it. A version other than this one is refused before anything else is read. */
export function parseDefinition(input: unknown): { ok: true; definition: DashboardDefinition } | { ok: false; problem: DefinitionProblem } {
  if (typeof input === "object" && input !== null && "pulseboardDefinition" in input) {
    const version = (input as { pulseboardDefinition: unknown }).pulseboardDefinition;
    if (version !== DEFINITION_VERSION) {
      const newer = typeof version === "number" && Number.isInteger(version) && version > DEFINITION_VERSION;
      const message = newer
        ? `this definition is of version ${version}, newer than this server reads (${DEFINITION_VERSION}): update Pulseboard, or export it again from a server of this version`
        : `pulseboardDefinition ${JSON.stringify(version)} is not a version of the definition format; this server reads version ${DEFINITION_VERSION}`;
      return { ok: false, problem: { code: "unsupported_definition_version", message, path: "pulseboardDefinition" } };
    }
  }
  const parsed = dashboardDefinitionSchema.safeParse(input);
  if (parsed.success) return { ok: true, definition: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, problem: { code: "invalid_body", message: issue.message, path: issue.path.map(String).join(".") } };
}
