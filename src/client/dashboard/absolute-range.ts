/**
 * An absolute time range as the custom range dialog takes it: each end a date (`YYYY-MM-DD`,
 * what `<input type="date">` gives) and a time of day typed on the page's 24-hour clock
 * (`HH:MM` or `HH:MM:SS`), in the browser's time zone. A native date-time field is not used:
 * it follows the locale's clock (AM/PM in en-US), and the page writes every time on one clock.
 */
import { clockMoment, type ClockPrecision } from "../charts/clock-format.ts";
import { stepFor, type Zoom } from "./time-window.ts";

/** The dialog's four fields, as typed. */
export interface RangeFields {
  /** Start day, `YYYY-MM-DD`. */
  fromDate: string;
  /** Start time of day, `HH:MM[:SS]`, 24-hour. */
  fromTime: string;
  /** End day, `YYYY-MM-DD`. */
  toDate: string;
  /** End time of day, `HH:MM[:SS]`, 24-hour. */
  toTime: string;
}

/** A field of the dialog. */
export type RangeField = keyof RangeFields;

/** The range the fields say, or what is wrong, per field. */
export type RangeCheck = { ok: true; range: Zoom } | { ok: false; errors: Partial<Record<RangeField, string>> };

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD` as [year, month (1–12), day], or `null` unless it names a day that exists. */
function parseDate(text: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  // February 30th rolls over into March: a day that does not exist is refused.
  const date = new Date(year, month - 1, day, 12);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? [year, month, day] : null;
}

/** `HH:MM` or `HH:MM:SS` on the 24-hour clock as [hours, minutes, seconds], else `null`. */
function parseClock(text: string): [number, number, number] | null {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number];
  return hours <= 23 && minutes <= 59 && seconds <= 59 ? [hours, minutes, seconds] : null;
}

/**
 * One end's moment in ms, with the errors of its two fields. A time the clocks skip that day
 * (the hour lost when summer time starts) does not exist in the zone, so it is refused rather
 * than moved.
 */
function readEnd(dateText: string, timeText: string): { ms?: number; date?: string; time?: string } {
  const date = dateText.trim() === "" ? undefined : parseDate(dateText);
  const clock = timeText.trim() === "" ? undefined : parseClock(timeText);
  const errors = {
    ...(date === undefined ? { date: "pick a day" } : date === null ? { date: "write the day as YYYY-MM-DD" } : {}),
    ...(clock === undefined ? { time: "write a time, HH:MM or HH:MM:SS" } : clock === null ? { time: "write the time as HH:MM or HH:MM:SS, on the 24-hour clock (00:00 to 23:59:59)" } : {}),
  };
  if (!date || !clock) return errors;
  const [year, month, day] = date;
  const [hours, minutes, seconds] = clock;
  const moment = new Date(year, month - 1, day, hours, minutes, seconds);
  if (moment.getDate() !== day || moment.getHours() !== hours || moment.getMinutes() !== minutes) {
    return { time: `${pad2(hours)}:${pad2(minutes)} does not exist on that day in ${timeZoneName()} (the clocks moved)` };
  }
  return { ms: moment.getTime() };
}

/**
 * Checks the dialog's fields at `now`: each day and time well-formed, the start before the
 * end, and not both in the future (nothing would be there yet). An end in the future is fine:
 * the range then holds still while now moves into it.
 */
export function checkAbsoluteRange(fields: RangeFields, now = Date.now()): RangeCheck {
  const from = readEnd(fields.fromDate, fields.fromTime);
  const to = readEnd(fields.toDate, fields.toTime);
  const errors: Partial<Record<RangeField, string>> = {};
  if (from.date) errors.fromDate = from.date;
  if (from.time) errors.fromTime = from.time;
  if (to.date) errors.toDate = to.date;
  if (to.time) errors.toTime = to.time;
  if (from.ms === undefined || to.ms === undefined) return { ok: false, errors };
  if (to.ms <= from.ms) {
    // At the day when the days are in the wrong order, else at the time.
    const field = fields.toDate.trim() < fields.fromDate.trim() ? "toDate" : "toTime";
    return { ok: false, errors: { [field]: "the end must come after the start" } };
  }
  if (from.ms > now) return { ok: false, errors: { fromDate: "the range lies wholly in the future: there is nothing to show yet" } };
  return { ok: true, range: { min: from.ms, max: to.ms } };
}

/** `ms` as the dialog's date field holds it, `YYYY-MM-DD`, in the browser's time zone. */
export function dateFieldValue(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getFullYear()).padStart(4, "0")}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

/** `ms` as the dialog's time field holds it, `HH:MM:SS` on the 24-hour clock (seconds dropped when zero). */
export function timeFieldValue(ms: number): string {
  const date = new Date(ms);
  const minutes = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return date.getSeconds() === 0 ? minutes : `${minutes}:${pad2(date.getSeconds())}`;
}

/**
 * The browser's time zone as people read it, e.g. `Europe/Berlin (UTC+01:00)`, with the
 * offset it has at `at` (summer time changes it).
 */
export function timeZoneName(at = Date.now()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = -new Date(at).getTimezoneOffset();
  const sign = offset < 0 ? "−" : "+";
  const utc = `UTC${sign}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  // A zone that is UTC itself needs no offset beside it.
  if (!zone || zone === "UTC" || zone === "Etc/UTC") return "UTC";
  return `${zone} (${utc})`;
}

/**
 * An absolute range as the picker's button shows it, on the page's clock: the day only where
 * it is not today, whole minutes when both ends fall on one, else seconds (milliseconds for a
 * range too short for seconds to tell its ends apart, as a zoom can be).
 */
export function absoluteRangeText(range: Zoom, now = Date.now()): string {
  const whole = (ms: number) => ms % 60_000 === 0;
  const precision: ClockPrecision = range.max - range.min < 10_000 ? "milliseconds" : whole(range.min) && whole(range.max) ? "minutes" : "seconds";
  return `${clockMoment(range.min, precision, now)} – ${clockMoment(range.max, precision, now)}`;
}

/** The hour-wide step's limit: past 600 hours (25 days), a range's buckets get wider than an hour. */
const HOUR_MS = 3_600_000;

/**
 * The bucket width to load an absolute range at: as a fixed range's ({@link stepFor}), and
 * for a range too long for 600 hour-wide buckets, whole hours wide enough for 600, so a
 * range of months asks the history route for no more buckets than one of days.
 */
export function absoluteStep(rangeMs: number): number {
  const step = stepFor(rangeMs);
  return rangeMs / step <= 600 ? step : Math.ceil(rangeMs / 600 / HOUR_MS) * HOUR_MS;
}
