import { describe, expect, it } from "vitest";
import { keyZoom } from "../../../src/client/charts/chart-keys.ts";

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;
const now = 1_800_000_000_000;

describe("keyZoom", () => {
  it("+ and = halve the span around its centre", () => {
    for (const key of ["+", "="]) {
      expect(keyZoom(key, now - 10 * MINUTE, now - 6 * MINUTE, now)).toEqual({ kind: "zoom", min: now - 9 * MINUTE, max: now - 7 * MINUTE });
    }
  });

  it("+ stops at a span of 10 ms", () => {
    const zoomed = keyZoom("+", now - 1_010, now - 1_000, now);
    expect(zoomed).toEqual({ kind: "zoom", min: now - 1_010, max: now - 1_000 });
  });

  it("- doubles the span around its centre", () => {
    expect(keyZoom("-", now - 10 * MINUTE, now - 6 * MINUTE, now)).toEqual({ kind: "zoom", min: now - 12 * MINUTE, max: now - 4 * MINUTE });
  });

  it("- never reaches past now: the doubled span is moved back to end at now", () => {
    expect(keyZoom("-", now - 4 * MINUTE, now - 1 * MINUTE, now)).toEqual({ kind: "zoom", min: now - 6 * MINUTE, max: now });
  });

  it("- stops at the longest range the picker offers", () => {
    const zoomed = keyZoom("-", now - WEEK, now, now);
    expect(zoomed).toEqual({ kind: "zoom", min: now - WEEK, max: now });
  });

  it("the arrows move the span by a quarter, keeping its width, never past now", () => {
    expect(keyZoom("ArrowLeft", now - 8 * MINUTE, now - 4 * MINUTE, now)).toEqual({ kind: "zoom", min: now - 9 * MINUTE, max: now - 5 * MINUTE });
    expect(keyZoom("ArrowRight", now - 8 * MINUTE, now - 4 * MINUTE, now)).toEqual({ kind: "zoom", min: now - 7 * MINUTE, max: now - 3 * MINUTE });
    expect(keyZoom("ArrowRight", now - 4 * MINUTE, now - 0.5 * MINUTE, now)).toEqual({ kind: "zoom", min: now - 3.5 * MINUTE, max: now });
  });

  it("the left arrow never goes back further than the longest range", () => {
    expect(keyZoom("ArrowLeft", now - WEEK, now - WEEK + 4 * MINUTE, now)).toEqual({ kind: "zoom", min: now - WEEK, max: now - WEEK + 4 * MINUTE });
  });

  it("Escape and 0 go back to following now; other keys do nothing", () => {
    expect(keyZoom("Escape", now - 2 * MINUTE, now - MINUTE, now)).toEqual({ kind: "follow-now" });
    expect(keyZoom("0", now - 2 * MINUTE, now - MINUTE, now)).toEqual({ kind: "follow-now" });
    for (const key of ["a", "Enter", " ", "ArrowUp", "Tab"]) expect(keyZoom(key, now - 2 * MINUTE, now - MINUTE, now)).toBeUndefined();
  });
});
