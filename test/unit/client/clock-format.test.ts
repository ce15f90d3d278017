import { describe, expect, it } from "vitest";
import { clockDay, clockMoment, clockTime } from "../../../src/client/charts/clock-format.ts";
import { formatTimeTicks } from "../../../src/client/charts/time-ticks.ts";
import { zoomText } from "../../../src/client/dashboard/jump-to-now.ts";

/** 16:03:09.250 on 29 November 2026, in the local time zone the page writes times in. */
const afternoon = new Date(2026, 10, 29, 16, 3, 9, 250).getTime();
const morning = new Date(2026, 10, 29, 4, 5, 6, 7).getTime();
const dayBefore = new Date(2026, 10, 28, 23, 59, 58, 0).getTime();

describe("the page's clock", () => {
  it("writes times of day on the 24-hour clock, with two-digit fields", () => {
    expect(clockTime(afternoon)).toBe("16:03:09");
    expect(clockTime(afternoon, "minutes")).toBe("16:03");
    expect(clockTime(afternoon, "milliseconds")).toBe("16:03:09.250");
    expect(clockTime(morning, "milliseconds")).toBe("04:05:06.007");
    expect(clockTime(new Date(2026, 10, 29, 0, 0, 0).getTime())).toBe("00:00:00");
  });

  it("adds the day only to a moment that is not today", () => {
    expect(clockMoment(morning, "seconds", afternoon)).toBe("04:05:06");
    expect(clockMoment(dayBefore, "seconds", afternoon)).toBe(`${clockDay(dayBefore)} 23:59:58`);
    expect(clockDay(dayBefore)).toMatch(/28/);
  });

  it("labels axis ticks on the same clock, as precise as their spacing", () => {
    expect(formatTimeTicks([afternoon], 250)).toEqual(["16:03:09.250"]);
    expect(formatTimeTicks([afternoon], 5_000)).toEqual(["16:03:09"]);
    expect(formatTimeTicks([afternoon], 15 * 60_000)).toEqual(["16:03"]);
    expect(formatTimeTicks([afternoon], 24 * 3_600_000)).toEqual([clockDay(afternoon)]);
  });

  it("writes the zoom label on the same clock as the axes, never with AM or PM", () => {
    expect(zoomText({ min: afternoon, max: afternoon + 60_000 }, afternoon)).toBe("Zoomed: 16:03:09 – 16:04:09");
    expect(zoomText({ min: morning, max: afternoon }, afternoon)).toBe("Zoomed: 04:05:06 – 16:03:09");
    expect(zoomText({ min: dayBefore, max: afternoon }, afternoon)).toBe(`Zoomed: ${clockDay(dayBefore)} 23:59:58 – 16:03:09`);
  });

  it("writes milliseconds in the zoom label when the stretch is a few seconds", () => {
    expect(zoomText({ min: afternoon, max: afternoon + 1_500 }, afternoon)).toBe("Zoomed: 16:03:09.250 – 16:03:10.750");
  });
});
