/**
 * Labels for the time axis: one short line per tick, as precise as the tick spacing needs,
 * on the page's one clock (clock-format.ts). (uPlot's default adds a second line with the
 * date, which crowds a panel's plot.)
 */
import { clockDay, clockTime } from "./clock-format.ts";

const second = 1000;
const minute = 60 * second;
const day = 24 * 60 * minute;

/** Formats tick times (ms since the epoch) that are `spacing` ms apart, in local time. */
export function formatTimeTicks(ticks: number[], spacing: number): string[] {
  if (spacing < second) return ticks.map((t) => clockTime(t, "milliseconds"));
  if (spacing < minute) return ticks.map((t) => clockTime(t, "seconds"));
  return ticks.map((t) => (spacing < day ? clockTime(t, "minutes") : clockDay(t)));
}
