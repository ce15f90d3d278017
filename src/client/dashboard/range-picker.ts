/**
 * The header's time range `<select>`: "Recent points" (the points the page holds, the
 * default) or a fixed span up to now. It only reports choices; the page loads history.
 */
import { RANGES } from "./time-window.ts";

/** The option that means "the points held", not a fixed span. */
export const RECENT = "recent";

/**
 * Fills `select` (the hidden one in dashboard.html) with the ranges, shows it, and calls
 * `onChoose` with the span in ms, or `undefined` for "Recent points".
 */
export function setUpRangePicker(select: HTMLSelectElement, onChoose: (spanMs: number | undefined, value: string) => void): void {
  const recent = new Option("Recent points", RECENT, true, true);
  select.replaceChildren(recent, ...RANGES.map((range) => new Option(range.label, range.value)));
  select.addEventListener("change", () => {
    const range = RANGES.find((r) => r.value === select.value);
    onChoose(range?.ms, select.value);
  });
  select.closest<HTMLElement>(".range")?.removeAttribute("hidden");
}
