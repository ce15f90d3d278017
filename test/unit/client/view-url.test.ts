import { describe, expect, it } from "vitest";
import { readViewState, withViewState } from "../../../src/client/dashboard/view-url.ts";

describe("the view in a link", () => {
  it("reads the range and the stretch zoomed into, and the default for anything else", () => {
    expect(readViewState("")).toEqual({ range: "recent" });
    expect(readViewState("?range=1h")).toEqual({ range: "1h" });
    expect(readViewState("?range=1h&from=1000&to=2000&kiosk")).toEqual({ range: "1h", zoom: { min: 1000, max: 2000 } });
    expect(readViewState("?from=1000&to=2000")).toEqual({ range: "recent", zoom: { min: 1000, max: 2000 } });
    for (const wrong of ["?range=2y", "?range=1h&from=2000&to=1000", "?range=1h&from=x&to=2000", "?range=1h&from=1000", "?range=1h&from=1.5&to=2000"]) {
      expect(readViewState(wrong).zoom, wrong).toBeUndefined();
    }
    expect(readViewState("?range=2y").range).toBe("recent");
  });

  it("writes it beside what the link holds already, the kiosk flag and a key in the fragment included, and reads back the same", () => {
    const written = withViewState("http://h/d/boiler?kiosk#key=pbv_x", { range: "6h", zoom: { min: 1000.4, max: 1999.2 } });
    expect(written).toBe("/d/boiler?kiosk&range=6h&from=1000&to=2000#key=pbv_x");
    expect(readViewState(written.slice(written.indexOf("?"), written.indexOf("#")))).toEqual({ range: "6h", zoom: { min: 1000, max: 2000 } });
    expect(withViewState("http://h/d/boiler?range=6h&from=1&to=2", { range: "recent" })).toBe("/d/boiler");
  });

  it("reads an absolute range as its from and to, and the default range without a valid pair", () => {
    expect(readViewState("?range=absolute&from=1000&to=2000")).toEqual({ range: "absolute", zoom: { min: 1000, max: 2000 } });
    for (const wrong of ["?range=absolute", "?range=absolute&from=1000", "?range=absolute&from=2000&to=1000", "?range=absolute&from=-5&to=1000", "?range=absolute&from=1e400&to=2"]) {
      expect(readViewState(wrong), wrong).toEqual({ range: "recent" });
    }
  });

  it("reads the paused flag, bare or as a yes, and anything else as live", () => {
    expect(readViewState("?paused")).toEqual({ range: "recent", paused: true });
    expect(readViewState("?kiosk&range=1h&paused=1")).toEqual({ range: "1h", paused: true });
    expect(readViewState("?range=absolute&from=1000&to=2000&paused=true")).toEqual({ range: "absolute", zoom: { min: 1000, max: 2000 }, paused: true });
    for (const live of ["", "?paused=no", "?paused=0", "?pause"]) expect(readViewState(live).paused, live).toBeUndefined();
  });

  it("writes an absolute range and the paused flag bare beside the kiosk flag and a key, and reads back the same", () => {
    const state = { range: "absolute", zoom: { min: 1000, max: 2000 }, paused: true } as const;
    const written = withViewState("http://h/d/boiler?kiosk&paused#key=pbv_x", state);
    expect(written).toBe("/d/boiler?kiosk&range=absolute&from=1000&to=2000&paused#key=pbv_x");
    expect(readViewState(written.slice(written.indexOf("?"), written.indexOf("#")))).toEqual(state);
    // Resumed: the flag leaves the link, and whatever else it holds stays.
    expect(withViewState("http://h/d/boiler?theme=dark&paused&range=1h", { range: "1h" })).toBe("/d/boiler?theme=dark&range=1h");
  });
});
