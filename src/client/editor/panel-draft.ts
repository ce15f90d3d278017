/**
 * A saved panel as the editor's form holds it: every field a string, as typed. Turning drafts
 * back into panels keeps what was typed (a non-number stays NaN, an empty list stays empty) so
 * the shared schema, not this file, decides what is wrong and says so.
 */
import { PANEL_TYPES, type Panel, type PanelLayout } from "../../common/dashboard-config.ts";
import { splitPatterns } from "../../common/series-pattern.ts";

export interface PanelDraft {
  /** The panel's id: kept for saved panels, made up for new ones. */
  id: string;
  /** Heading. */
  title: string;
  /** One of PANEL_TYPES. */
  type: string;
  /** Patterns, comma-separated. */
  series: string;
  /** Unit: an id of the unit vocabulary (../panels/units.ts) or text kept from before; empty for none. */
  unit: string;
  /** Decimals; empty for automatic. */
  decimals: string;
  /** Gauge scale's lower end; empty for none. */
  min: string;
  /** Gauge scale's upper end; empty for none. */
  max: string;
  /** `rate`, or empty for the series as they are. */
  transform: string;
  /** One of PANEL_AGGREGATES, or empty for none. */
  aggregate: string;
  /** Tag names to aggregate by, comma-separated; empty for one series of all. */
  groupBy: string;
  /** Colour changes, in the order shown: a value as typed and a `#rrggbb` colour each. */
  thresholds: ThresholdDraft[];
  /** Place on the grid, kept as saved (arranging changes it, not the form); absent for new panels. */
  layout?: PanelLayout;
}

/** One threshold as the form holds it. */
export interface ThresholdDraft {
  value: string;
  color: string;
}

/** The colour a new threshold starts with (amber; the picker changes it). */
export const NEW_THRESHOLD_COLOR = "#d97706";

const text = (value: number | undefined) => (value === undefined ? "" : String(value));

export function draftOf(panel: Panel): PanelDraft {
  return {
    id: panel.id,
    title: panel.title,
    type: panel.type,
    series: panel.series.join(", "),
    unit: panel.unit ?? "",
    decimals: text(panel.decimals),
    min: text(panel.min),
    max: text(panel.max),
    thresholds: (panel.thresholds ?? []).map((t) => ({ value: String(t.value), color: t.color })),
    transform: panel.transform ?? "",
    aggregate: panel.aggregate ?? "",
    groupBy: (panel.groupBy ?? []).join(", "),
    ...(panel.layout ? { layout: { ...panel.layout } } : {}),
  };
}

/** A new panel's draft, with an id none of `taken` uses. */
export function newDraft(taken: readonly string[]): PanelDraft {
  let n = taken.length + 1;
  while (taken.includes(`panel-${n}`)) n += 1;
  return { id: `panel-${n}`, title: `Panel ${n}`, type: PANEL_TYPES[0], series: "*", unit: "", decimals: "", min: "", max: "", thresholds: [], transform: "", aggregate: "", groupBy: "" };
}

/** Empty means absent; anything else is read as a number (NaN when it is not one). */
function number(value: string): number | undefined {
  return value.trim() === "" ? undefined : Number(value.trim());
}


/** The panel the draft describes, unchecked: validate it with `panelSchema`. */
export function panelOf(draft: PanelDraft): unknown {
  const unit = draft.unit.trim();
  // A threshold left without a value is an unfinished row, not a mistake; any other value is read.
  const thresholds = draft.thresholds.filter((t) => t.value.trim() !== "").map((t) => ({ value: number(t.value) ?? Number.NaN, color: t.color }));
  // Only gauges have a scale; a type change should not carry a stale one along.
  const gauge = draft.type === "gauge";
  const groupBy = draft.groupBy
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag !== "");
  return {
    id: draft.id,
    title: draft.title,
    type: draft.type,
    series: splitPatterns(draft.series),
    ...(unit ? { unit } : {}),
    ...(number(draft.decimals) !== undefined ? { decimals: number(draft.decimals) } : {}),
    ...(gauge && number(draft.min) !== undefined ? { min: number(draft.min) } : {}),
    ...(gauge && number(draft.max) !== undefined ? { max: number(draft.max) } : {}),
    ...(thresholds.length ? { thresholds } : {}),
    ...(draft.transform ? { transform: draft.transform } : {}),
    ...(draft.aggregate ? { aggregate: draft.aggregate } : {}),
    // Tags typed without an aggregate are kept, so the schema says what is missing.
    ...(groupBy.length ? { groupBy } : {}),
    ...(draft.layout ? { layout: draft.layout } : {}),
  };
}
