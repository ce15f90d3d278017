/**
 * How a saved panel writes a value: the panel's `decimals` when set (automatic otherwise,
 * as on automatic panels), followed by its `unit`.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { formatValue } from "./format-value.ts";

/** Fixed digits per `decimals` setting, built on first use; English digits like format-value.ts. */
const fixed = new Map<number, Intl.NumberFormat>();

function withDecimals(value: number, decimals: number): string {
  let format = fixed.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    fixed.set(decimals, format);
  }
  return format.format(value);
}

/** Units that typographically hug the number (`%`, `°C`) get no space: "42%", but "17 items". */
function withUnit(number: string, unit: string | undefined): string {
  if (!unit) return number;
  return /^[%°]/.test(unit) ? `${number}${unit}` : `${number} ${unit}`;
}

/** Formats `value` for `panel`, e.g. 17 with decimals 1 and unit "items" → "17.0 items". */
export function formatPanelValue(value: number | null | undefined, panel: Pick<Panel, "unit" | "decimals">): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return withUnit(panel.decimals === undefined ? formatValue(value) : withDecimals(value, panel.decimals), panel.unit);
}

/** The value exactly as received, with the unit: what a chart's cursor readout shows. */
export function formatExactValue(value: number | null | undefined, panel: Pick<Panel, "unit">): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return withUnit(String(value), panel.unit);
}
