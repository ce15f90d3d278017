/**
 * How the page writes a time: one clock everywhere (axes, cursor readouts and tooltips, the
 * zoom label), the 24-hour one, in the viewer's time zone: "16:03:09", never "04:03:09 PM"
 * beside an axis reading "16:03:30". A day shows as the browser's short month and day
 * ("Nov 29"), and only where the time alone would be ambiguous.
 */

const pad2 = (n: number) => String(n).padStart(2, "0");
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** How much of the clock to show. */
export type ClockPrecision = "minutes" | "seconds" | "milliseconds";

/** The time of day of `ms` (since the epoch), e.g. "16:03" / "16:03:09" / "16:03:09.250". */
export function clockTime(ms: number, precision: ClockPrecision = "seconds"): string {
  const date = new Date(ms);
  const minutes = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  if (precision === "minutes") return minutes;
  const seconds = `${minutes}:${pad2(date.getSeconds())}`;
  return precision === "seconds" ? seconds : `${seconds}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/** The day of `ms`, e.g. "Nov 29". */
export function clockDay(ms: number): string {
  return dayFormat.format(ms);
}

/** A moment as people read it: the time, preceded by the day when that is not today's (at `now`). */
export function clockMoment(ms: number, precision: ClockPrecision = "seconds", now = Date.now()): string {
  const time = clockTime(ms, precision);
  return new Date(ms).toDateString() === new Date(now).toDateString() ? time : `${clockDay(ms)} ${time}`;
}
