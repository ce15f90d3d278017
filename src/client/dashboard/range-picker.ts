/**
 * The header's time range `<select>`: "Recent points" (the points the page holds, the
 * default) or a fixed span up to now. It only reports choices; the page loads history.
 * While an absolute range (picked in the custom range dialog, time-picker.ts) is shown, the
 * select reads "Custom range" from an option that cannot be chosen in it.
 */
import { RANGES } from "./time-window.ts";

/** The option that means "the points held", not a fixed span. */
export const RECENT = "recent";

/** The option that stands for an absolute range while one is shown (chosen in its dialog only). */
export const ABSOLUTE = "absolute";

/**
 * Fills `select` (the hidden one in dashboard.html) with the ranges, shows it, and calls
 * `onChoose` with the span in ms, or `undefined` for "Recent points".
 */
export function setUpRangePicker(select: HTMLSelectElement, onChoose: (spanMs: number | undefined, value: string) => void): void {
  const recent = new Option("Recent points", RECENT, true, true);
  // Hidden and disabled: the list never offers it, and arrow keys on the select skip it.
  const absolute = new Option("Custom range", ABSOLUTE);
  absolute.disabled = true;
  absolute.hidden = true;
  select.replaceChildren(recent, ...RANGES.map((range) => new Option(range.label, range.value)), absolute);
  select.addEventListener("change", () => {
    const range = RANGES.find((r) => r.value === select.value);
    onChoose(range?.ms, select.value);
  });
  select.closest<HTMLElement>(".range")?.removeAttribute("hidden");
}
