/**
 * Labels for the time axis: one short line per tick, as precise as the tick spacing needs.
 * (uPlot's default adds a second line with the date, which crowds a 160 px panel.)
 */

const second = 1000;
const minute = 60 * second;
const day = 24 * 60 * minute;

const withSeconds = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const withMinutes = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const withDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** Formats tick times (ms since the epoch) that are `spacing` ms apart, in local time. */
export function formatTimeTicks(ticks: number[], spacing: number): string[] {
  if (spacing < second) return ticks.map((t) => `${withSeconds.format(t)}.${String(t % 1000).padStart(3, "0")}`);
  const format = spacing < minute ? withSeconds : spacing < day ? withMinutes : withDate;
  return ticks.map((t) => format.format(t));
}
