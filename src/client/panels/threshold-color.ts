/** Which threshold colour a value is in: the highest threshold at or below it. */
import type { Panel } from "../../common/dashboard-config.ts";

/** The colour in force for `value`, or `undefined` below every threshold (or with none). */
export function thresholdColor(thresholds: Panel["thresholds"], value: number | undefined): string | undefined {
  if (!thresholds || value === undefined || !Number.isFinite(value)) return undefined;
  let best: { value: number; color: string } | undefined;
  // The schema asks for ascending thresholds but does not enforce it, so look at each.
  for (const threshold of thresholds) {
    if (threshold.value <= value && (!best || threshold.value >= best.value)) best = threshold;
  }
  return best?.color;
}

/**
 * Shows `color` (from `thresholdColor`) on a value's text and in its `data-color`; unset
 * falls back to the text colour in styles.css.
 */
export function paintThresholdColor(element: HTMLElement, color: string | undefined): void {
  element.dataset.color = color ?? "";
  element.style.color = color ?? "";
}
