import { afterEach, describe, expect, it, vi } from "vitest";
import { dashboardSettings } from "../../src/dashboard/dashboard-settings.ts";

describe("dashboardSettings", () => {
  afterEach(() => vi.restoreAllMocks());

  it("takes the documented defaults when no var is set", () => {
    const config = dashboardSettings({});
    expect(config.maxFramesPerSecond).toBe(10);
    expect(config.fanOutShare).toBe(0.7);
  });

  it("takes a fan-out share in (0, 1]", () => {
    expect(dashboardSettings({ FAN_OUT_SHARE: "0.25" }).fanOutShare).toBe(0.25);
    expect(dashboardSettings({ FAN_OUT_SHARE: "1" }).fanOutShare).toBe(1);
  });

  it.each(["0", "-0.5", "1.5", "half", ""])("falls back to the default for FAN_OUT_SHARE=%j, saying so unless it is empty", (raw) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(dashboardSettings({ FAN_OUT_SHARE: raw }).fanOutShare).toBe(0.7);
    if (raw === "") expect(warn).not.toHaveBeenCalled();
    else expect(warn).toHaveBeenCalledWith(expect.stringContaining("FAN_OUT_SHARE"));
  });
});
