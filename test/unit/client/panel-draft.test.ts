import { describe, expect, it } from "vitest";
import { draftOf, panelOf } from "../../../src/client/editor/panel-draft.ts";
import type { Panel } from "../../../src/common/dashboard-config.ts";
import { seriesKey } from "../../../src/common/series-key.ts";

describe("a panel draft's series", () => {
  it("keeps each key whole, commas inside its braces or escaped included", () => {
    const keys = [seriesKey("cpu.load", { host: "a", region: "eu" }), seriesKey("latency (p50, ms)", { zone: "a,b" }), "mem.*"];
    const panel: Panel = { id: "p", title: "P", type: "line", series: keys };
    expect(draftOf(panel).series).toBe("cpu.load{host=a,region=eu}, latency (p50\\, ms){zone=a\\,b}, mem.*");
    expect((panelOf(draftOf(panel)) as Panel).series).toEqual(keys);
  });
});
