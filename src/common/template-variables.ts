import { z } from "zod";
import { limits } from "./limits.ts";
import { ALL_VALUE, variableReferences } from "./variable-substitution.ts";

/**
 * A dashboard's template variables: each a dropdown on the page filled with the values one
 * tag takes among the dashboard's series (of one metric, or of any), whose choice is written
 * into the saved panels' series patterns and titles as `$name` or `${name}` (see
 * `variable-substitution.ts`). One schema for the PUT body, the definition and the page's
 * editor, documented in README, "Panels". Shared, so it may use neither DOM nor Workers APIs.
 */

/** Limits on a dashboard's variables (README, "Panels"). */
export const variableLimits = {
  /** Most variables one dashboard has. */
  maxVariables: 20,
  /** Longest variable name, in characters. */
  maxNameLength: 32,
  /** Most default values of one variable. */
  maxDefaults: 50,
} as const;

/** A name as `$name` writes it: a letter or `_`, then letters, digits and `_`. */
const NAME = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${variableLimits.maxNameLength - 1}}$`);
/** Control characters, which no series name or tag holds (the ingest formats refuse them). */
const CONTROL = /[\u0000-\u001f\u007f]/;

const text = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(max, `${what} is at most ${max} characters`)
    .refine((value) => !CONTROL.test(value), `${what} must not hold control characters`);

export const variableSchema = z
  .strictObject({
    /** Written `$name` or `${name}` in panels: 1-32 of A-Z a-z 0-9 _, not starting with a digit. */
    name: z
      .string({ error: "name must be a string" })
      .regex(NAME, `name must be 1-${variableLimits.maxNameLength} of A-Z a-z 0-9 _, starting with a letter or _`),
    /** The tag whose values fill the dropdown, e.g. `host`. */
    tag: text("tag", limits.maxTagKeyLength),
    /** Only the series of this metric (its exact name) are looked at; every series when absent. */
    metric: text("metric", limits.maxNameLength).optional(),
    /** Whether several values may be chosen at once. */
    multi: z.boolean({ error: "multi must be true or false" }).optional(),
    /** Whether the dropdown offers All (every value, including ones that appear later). */
    includeAll: z.boolean({ error: "includeAll must be true or false" }).optional(),
    /** Chosen when a link names no choice: values, or `$__all` for All; absent: All if offered, else the first value. */
    default: z
      .array(text("a default value", limits.maxTagValueLength), { error: "default must be an array of values" })
      .min(1, "default needs at least one value when given")
      .max(variableLimits.maxDefaults, `default has at most ${variableLimits.maxDefaults} values`)
      .optional(),
  })
  .refine((variable) => variable.multi === true || (variable.default?.length ?? 0) <= 1, { message: "default has one value unless multi is true", path: ["default"] })
  .refine((variable) => !variable.default?.includes(ALL_VALUE) || (variable.includeAll === true && variable.default.length === 1), {
    message: `default ${ALL_VALUE} (All) needs includeAll and stands alone`,
    path: ["default"],
  });

/** One template variable. */
export type Variable = z.infer<typeof variableSchema>;

/** A dashboard's variables: at most {@link variableLimits.maxVariables}, names unique. */
export const variablesSchema = z
  .array(variableSchema, { error: "variables must be an array of variables" })
  .max(variableLimits.maxVariables, `at most ${variableLimits.maxVariables} variables`)
  .superRefine((variables, context) => {
    const seen = new Set<string>();
    variables.forEach((variable, index) => {
      if (seen.has(variable.name)) context.addIssue({ code: "custom", message: `variable names must be unique: ${variable.name} is used twice`, path: [index, "name"] });
      seen.add(variable.name);
    });
  });

/** A place in a body where a panel names a variable the dashboard does not have. */
export interface UndefinedVariable {
  /** Path inside the body, e.g. `["panels", 0, "series", 1]`. */
  path: (string | number)[];
  /** What is wrong, for people. */
  message: string;
}

/**
 * The panel patterns that name a variable not among `variables`. Titles are not checked: a
 * title's unknown `$word` is shown as written (a price in `$`, say).
 */
export function undefinedVariables(panels: readonly { series: readonly string[] }[], variables: readonly { name: string }[]): UndefinedVariable[] {
  const names = new Set(variables.map((variable) => variable.name));
  return panels.flatMap((panel, index) =>
    panel.series.flatMap((pattern, at) => {
      const unknown = variableReferences(pattern).filter((name) => !names.has(name));
      if (unknown.length === 0) return [];
      const known = names.size === 0 ? "the dashboard has no variables" : `its variables are ${[...names].map((name) => `$${name}`).join(", ")}`;
      return [{ path: ["panels", index, "series", at], message: `$${unknown[0]} is not a variable of this dashboard (${known})` }];
    }),
  );
}

/** `variables` as bodies and messages carry them: the field only when there are some, so a dashboard without reads as before. */
export function variablesField(variables: readonly Variable[]): { variables?: Variable[] } {
  return variables.length === 0 ? {} : { variables: [...variables] };
}
