import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { absoluteRangeText, absoluteStep, checkAbsoluteRange, dateFieldValue, timeFieldValue, timeZoneName, type RangeFields } from "../../../src/client/dashboard/absolute-range.ts";
import { stepFor } from "../../../src/client/dashboard/time-window.ts";
import { clockDay } from "../../../src/client/charts/clock-format.ts";

const HOUR = 3_600_000;
/** 16:03:09 on 29 November 2026, in the local time zone the fields are read in. */
const now = new Date(2026, 10, 29, 16, 3, 9).getTime();

/** One moment as the dialog's two fields show it. */
const fieldsOf = (ms: number) => `${dateFieldValue(ms)} ${timeFieldValue(ms)}`;

const fields = (fromDate: string, fromTime: string, toDate: string, toTime: string): RangeFields => ({ fromDate, fromTime, toDate, toTime });

describe("an absolute range typed in the custom range dialog", () => {
  it("reads each end's day and 24-hour time in the local time zone", () => {
    expect(checkAbsoluteRange(fields("2026-11-28", "14:00", "2026-11-28", "16:30:15"), now)).toEqual({
      ok: true,
      range: { min: new Date(2026, 10, 28, 14, 0, 0).getTime(), max: new Date(2026, 10, 28, 16, 30, 15).getTime() },
    });
    expect(checkAbsoluteRange(fields(" 2026-11-28 ", "9:05", "2026-11-29", "00:00:00"), now)).toEqual({
      ok: true,
      range: { min: new Date(2026, 10, 28, 9, 5).getTime(), max: new Date(2026, 10, 29, 0, 0).getTime() },
    });
  });

  it("names what is wrong at each field: empty, malformed, a 12-hour time, a day that does not exist", () => {
    const check = checkAbsoluteRange(fields("", "4:05 PM", "2026-02-30", "24:00"), now);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(["fromDate", "fromTime", "toDate", "toTime"]);
    expect(check.errors.fromDate).toBe("pick a day");
    expect(check.errors.fromTime).toMatch(/24-hour/);
    for (const wrong of [fields("2026-11-28", "12:60", "2026-11-28", "13:00"), fields("2026-11-28", "12:00:60", "2026-11-28", "13:00"), fields("28/11/2026", "12:00", "2026-11-28", "13:00")]) {
      const result = checkAbsoluteRange(wrong, now);
      expect(result.ok, JSON.stringify(wrong)).toBe(false);
      if (!result.ok) expect(Object.keys(result.errors), JSON.stringify(wrong)).toHaveLength(1);
    }
  });

  it("refuses an end not after the start, at the end's day or time", () => {
    expect(checkAbsoluteRange(fields("2026-11-28", "14:00", "2026-11-28", "14:00"), now)).toEqual({ ok: false, errors: { toTime: "the end must come after the start" } });
    expect(checkAbsoluteRange(fields("2026-11-28", "14:00", "2026-11-27", "18:00"), now)).toEqual({ ok: false, errors: { toDate: "the end must come after the start" } });
  });

  it("refuses a range wholly in the future, and takes one that only ends there", () => {
    const future = checkAbsoluteRange(fields("2026-11-29", "16:04", "2026-11-29", "17:00"), now);
    expect(future.ok).toBe(false);
    if (!future.ok) expect(Object.keys(future.errors)).toEqual(["fromDate"]);
    expect(checkAbsoluteRange(fields("2026-11-29", "16:00", "2026-11-29", "17:00"), now).ok).toBe(true);
  });

  it("reads back the fields it fills in, for any moment on whole seconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), fc.integer({ min: 1, max: 30 * 86_400 }), (fromSeconds, lengthSeconds) => {
        const min = fromSeconds * 1000;
        const max = min + lengthSeconds * 1000;
        const check = checkAbsoluteRange(fields(dateFieldValue(min), timeFieldValue(min), dateFieldValue(max), timeFieldValue(max)), max + 1);
        // Where the clocks go back, a time of day happens twice and reads as its first: an hour early.
        const read = (ms: number, expected: number) => expect([0, HOUR]).toContain(expected - ms);
        if (!check.ok) throw new Error(`refused: ${JSON.stringify(check.errors)}`);
        read(check.range.min, min);
        read(check.range.max, max);
        if (fieldsOf(check.range.min) !== fieldsOf(min)) throw new Error(`${min} reads back as ${check.range.min}`);
      }),
    );
  });

  it("writes the time fields on the 24-hour clock, seconds only when there are some", () => {
    expect(timeFieldValue(new Date(2026, 10, 28, 16, 30).getTime())).toBe("16:30");
    expect(timeFieldValue(new Date(2026, 10, 28, 7, 5, 9).getTime())).toBe("07:05:09");
    expect(dateFieldValue(new Date(2026, 0, 2, 23, 59).getTime())).toBe("2026-01-02");
  });

  describe("in a given time zone", () => {
    // Node reads TZ afresh each time it is set, for Date and Intl alike.
    afterEach(() => vi.unstubAllEnvs());

    it("names the zone and its offset, half hours and summer time included", () => {
      vi.stubEnv("TZ", "Asia/Kolkata");
      // ICU may still call it by its older name.
      expect(timeZoneName(Date.UTC(2026, 10, 29))).toMatch(/^Asia\/(Kolkata|Calcutta) \(UTC\+05:30\)$/);
      vi.stubEnv("TZ", "America/New_York");
      expect(timeZoneName(Date.UTC(2026, 0, 15))).toBe("America/New_York (UTC−05:00)");
      expect(timeZoneName(Date.UTC(2026, 6, 15))).toBe("America/New_York (UTC−04:00)");
      vi.stubEnv("TZ", "UTC");
      expect(timeZoneName(Date.UTC(2026, 6, 15))).toBe("UTC");
    });

    it("reads the fields as that zone's clock, and refuses a time its clocks skip", () => {
      vi.stubEnv("TZ", "Asia/Kolkata");
      const check = checkAbsoluteRange(fields("2026-11-28", "05:30", "2026-11-28", "06:30"), Date.UTC(2026, 10, 29));
      expect(check).toEqual({ ok: true, range: { min: Date.UTC(2026, 10, 28, 0, 0), max: Date.UTC(2026, 10, 28, 1, 0) } });
      vi.stubEnv("TZ", "Europe/Berlin");
      // On 29 March 2026 Berlin's clocks jump from 02:00 to 03:00.
      const skipped = checkAbsoluteRange(fields("2026-03-29", "02:30", "2026-03-29", "04:00"), Date.UTC(2026, 10, 29));
      expect(skipped.ok).toBe(false);
      if (!skipped.ok) expect(skipped.errors.fromTime).toMatch(/does not exist on that day in Europe\/Berlin/);
    });
  });

  it("names the time zone the fields are in, with its offset from UTC", () => {
    expect(timeZoneName(now)).toMatch(/UTC([+−]\d{2}:\d{2}\))?$/);
    expect(timeZoneName(now)).toContain(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it("shows the range on the page's clock: whole minutes when both ends are, the day only when not today", () => {
    const yesterday = new Date(2026, 10, 28, 14, 0).getTime();
    expect(absoluteRangeText({ min: yesterday, max: yesterday + 2 * HOUR }, now)).toBe(`${clockDay(yesterday)} 14:00 – ${clockDay(yesterday)} 16:00`);
    const today = new Date(2026, 10, 29, 9, 0).getTime();
    expect(absoluteRangeText({ min: today, max: today + 90_500 }, now)).toBe("09:00:00 – 09:01:30");
    expect(absoluteRangeText({ min: today, max: today + 1_250 }, now)).toBe("09:00:00.000 – 09:00:01.250");
    expect(absoluteRangeText({ min: yesterday, max: now }, now)).not.toMatch(/AM|PM/);
  });

  it("loads a range at a fixed range's step, and one longer than 600 hours in at most 600 whole-hour buckets", () => {
    for (const length of [5 * 60_000, HOUR, 24 * HOUR, 600 * HOUR]) expect(absoluteStep(length)).toBe(stepFor(length));
    expect(absoluteStep(601 * HOUR)).toBe(2 * HOUR);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 * 365 * 24 * HOUR }), (length) => {
        const step = absoluteStep(length);
        expect(length / step).toBeLessThanOrEqual(600);
        if (step > HOUR) expect(step % HOUR).toBe(0);
      }),
    );
  });
});
