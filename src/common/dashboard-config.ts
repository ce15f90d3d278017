import { z } from "zod";
import { GRID_COLUMNS } from "./grid-columns.ts";
import { undefinedVariables, variablesSchema } from "./template-variables.ts";

/**
 * What a dashboard shows: its title and its panels. One schema validates `PUT
 * /api/dashboards/:id` on the server and documents the shape for the page and for people
 * (README, "Panels"); shared, so it may use neither DOM nor Workers APIs.
 */

/** Panel kinds: a line chart, a big number, a gauge, a table of latest values. */
export const PANEL_TYPES = ["line", "stat", "gauge", "table"] as const;

/** Per-series transforms applied before any aggregation: `rate`, a counter's per-second increase. */
export const PANEL_TRANSFORMS = ["rate"] as const;

/** Functions that combine a panel's series into one per group (see README, "Panels"). */
export const PANEL_AGGREGATES = ["sum", "avg", "min", "max"] as const;

/** A colour change at a value: from `value` upwards the panel uses `color`. */
export const thresholdSchema = z.strictObject({
  /** Where the colour starts. */
  value: z.number({ error: "a threshold's value must be a number" }),
  /** A `#rrggbb` colour. */
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "a threshold's color must be #rrggbb"),
});

/**
 * Where a panel sits on the dashboard's grid, in cells: columns of a 12-column grid across
 * the page, rows of a fixed height (styles.css) down it. Absent, the page places the panel.
 */
export const panelLayoutSchema = z
  .strictObject({
    /** First column, 0-11 from the left. */
    x: z.int("layout.x must be a whole number").min(0, "layout.x must be 0-11").max(GRID_COLUMNS - 1, "layout.x must be 0-11"),
    /** First row, from 0 at the top. */
    y: z.int("layout.y must be a whole number").min(0, "layout.y must be 0-1200").max(1200, "layout.y must be 0-1200"),
    /** Width in columns, 1-12. */
    w: z.int("layout.w must be a whole number").min(1, "layout.w must be 1-12").max(GRID_COLUMNS, "layout.w must be 1-12"),
    /** Height in rows, 2-24. */
    h: z.int("layout.h must be a whole number").min(2, "layout.h must be 2-24").max(24, "layout.h must be 2-24"),
  })
  .refine((layout) => layout.x + layout.w <= GRID_COLUMNS, { message: "layout.x + layout.w must be at most 12 (the grid's columns)", path: ["w"] });

/** A panel's place on the grid. */
export type PanelLayout = z.infer<typeof panelLayoutSchema>;

export const panelSchema = z
  .strictObject({
    /** Stable id within the dashboard (1-32 of a-z 0-9 - _). */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "id must be 1-32 characters of a-z 0-9 - _, starting with a letter or digit"),
    /** Heading shown on the panel. */
    title: z.string().trim().min(1, "title must not be empty").max(120, "title is at most 120 characters"),
    /** How the panel draws its series. */
    type: z.enum(PANEL_TYPES, { error: `type must be one of ${PANEL_TYPES.join(", ")}` }),
    /** Series names, keys or glob patterns the panel shows. */
    series: z
      .array(z.string().min(1, "a pattern must not be empty").max(200, "a pattern is at most 200 characters"), { error: "series must be an array of patterns" })
      .min(1, "series needs at least one pattern")
      .max(50, "at most 50 patterns"),
    /**
     * A unit id that scales and writes values (`bytes`, `ms`, `percentunit`, ...: the list is in
     * README, "Panels"), or any other text written after them as is, e.g. `jobs`.
     */
    unit: z.string().max(16, "unit is at most 16 characters").optional(),
    /** Decimals shown (0-10); automatic when absent. */
    decimals: z.int("decimals must be a whole number").min(0, "decimals must be 0-10").max(10, "decimals must be 0-10").optional(),
    /** Lower end of a gauge's scale. */
    min: z.number().optional(),
    /** Upper end of a gauge's scale. */
    max: z.number().optional(),
    /** Colours by value, ascending. */
    thresholds: z.array(thresholdSchema).max(10, "at most 10 thresholds").optional(),
    /** `rate`: each series as its per-second increase (a counter reset counts from zero), before aggregating. */
    transform: z.enum(PANEL_TRANSFORMS, { error: `transform must be one of ${PANEL_TRANSFORMS.join(", ")}` }).optional(),
    /** Combines the matched series into one per `groupBy` group, on 1 s steps (README, "Panels"). */
    aggregate: z.enum(PANEL_AGGREGATES, { error: `aggregate must be one of ${PANEL_AGGREGATES.join(", ")}` }).optional(),
    /** Tag names whose values split `aggregate`'s output into one series each; absent: one series for all. */
    groupBy: z
      .array(z.string().min(1, "a tag name must not be empty").max(64, "a tag name is at most 64 characters"), { error: "groupBy must be an array of tag names" })
      .max(10, "groupBy names at most 10 tags")
      .refine((tags) => new Set(tags).size === tags.length, "groupBy names each tag once")
      .optional(),
    /** Place and size on the grid; a panel without one gets the first free place, in list order. */
    layout: panelLayoutSchema.optional(),
  })
  .refine((panel) => panel.min === undefined || panel.max === undefined || panel.min < panel.max, { message: "min must be below max", path: ["max"] })
  .refine((panel) => panel.groupBy === undefined || panel.aggregate !== undefined, { message: "groupBy needs an aggregate", path: ["groupBy"] });

/** One panel of a dashboard. */
export type Panel = z.infer<typeof panelSchema>;

/** Body of `PUT /api/dashboards/:id`: whatever is given is replaced. */
export const dashboardUpdateSchema = z
  .strictObject({
    /** New title. */
    title: z.string().trim().min(1, "title must not be empty").max(120, "title is at most 120 characters").optional(),
    /** The whole new list of panels, in display order. */
    panels: z.array(panelSchema).max(50, "at most 50 panels").optional(),
    /** The whole new list of template variables (template-variables.ts); `[]` removes them. */
    variables: variablesSchema.optional(),
  })
  .refine((update) => new Set(update.panels?.map((panel) => panel.id)).size === (update.panels?.length ?? 0), {
    message: "panel ids must be unique",
    path: ["panels"],
  })
  .superRefine((update, context) => {
    // Given together, they are checked here; either alone is checked against the stored other on save.
    if (!update.panels || !update.variables) return;
    for (const { path, message } of undefinedVariables(update.panels, update.variables)) context.addIssue({ code: "custom", message, path });
  });

/** A validated update. */
export type DashboardUpdate = z.infer<typeof dashboardUpdateSchema>;
