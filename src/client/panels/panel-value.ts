/**
 * How a saved panel writes a value: in its `unit` (units.ts: an id of the vocabulary scales
 * the value, other text follows it) with its `decimals` when set, automatic precision otherwise.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { formatInUnit, formatTicksInUnit } from "./units.ts";

/** What a value's writing depends on: a saved panel's `unit` and `decimals`; neither on an automatic chart. */
export type ValueStyle = Pick<Panel, "unit" | "decimals">;

/** Formats `value` for `panel`, e.g. 17 with decimals 1 and unit "jobs" → "17.0 jobs", 1536 in `bytes` → "1.5 KiB". */
export function formatPanelValue(value: number | null | undefined, panel: ValueStyle): string {
  return formatInUnit(value, panel.unit, panel.decimals ?? "auto");
}

/**
 * The value at a chart's cursor: in the panel's unit and decimals when it has decimals, else
 * with every digit it was received with (a readout is for reading exact values).
 */
export function formatCursorValue(value: number | null | undefined, panel: ValueStyle): string {
  return formatInUnit(value, panel.unit, panel.decimals ?? "exact");
}

/** A value axis' tick labels in the panel's unit and decimals. */
export function formatAxisValues(ticks: readonly number[], panel: ValueStyle): string[] {
  return formatTicksInUnit(ticks, panel.unit, panel.decimals);
}
