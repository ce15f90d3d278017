import { describe, expect, it } from "vitest";
import { draftOf, newDraft, panelOf } from "../../../src/client/editor/panel-draft.ts";
import { panelSchema, type Panel } from "../../../src/common/dashboard-config.ts";
import { seriesKey } from "../../../src/common/series-key.ts";

describe("a panel draft's series", () => {
  it("keeps each key whole, commas inside its braces or escaped included", () => {
    const keys = [seriesKey("cpu.load", { host: "a", region: "eu" }), seriesKey("latency (p50, ms)", { zone: "a,b" }), "mem.*"];
    const panel: Panel = { id: "p", title: "P", type: "line", series: keys };
    expect(draftOf(panel).series).toBe("cpu.load{host=a,region=eu}, latency (p50\\, ms){zone=a\\,b}, mem.*");
    expect((panelOf(draftOf(panel)) as Panel).series).toEqual(keys);
  });
});

describe("a panel draft's thresholds", () => {
  it("hold a value and a colour each, come back as the panel's, and leave rows without a value out", () => {
    const panel: Panel = { id: "p", title: "P", type: "gauge", series: ["t"], thresholds: [{ value: 50, color: "#d97706" }, { value: -0.5, color: "#dc2626" }] };
    const draft = draftOf(panel);
    expect(draft.thresholds).toEqual([
      { value: "50", color: "#d97706" },
      { value: "-0.5", color: "#dc2626" },
    ]);
    expect((panelOf(draft) as Panel).thresholds).toEqual(panel.thresholds);
    draft.thresholds.push({ value: "  ", color: "#000000" });
    expect((panelOf(draft) as Panel).thresholds).toEqual(panel.thresholds);
    draft.thresholds.push({ value: "high", color: "#000000" });
    expect((panelOf(draft) as { thresholds: { value: number }[] }).thresholds.at(-1)!.value).toBeNaN();
    draft.thresholds = [];
    expect(panelOf(draft)).not.toHaveProperty("thresholds");
  });
});

describe("a panel draft's layout", () => {
  it("comes back as saved, so that saving the form keeps the panel's place, and a new panel has none", () => {
    const panel: Panel = { id: "p", title: "P", type: "stat", series: ["t"], layout: { x: 4, y: 2, w: 8, h: 3 } };
    expect((panelOf(draftOf(panel)) as Panel).layout).toEqual(panel.layout);
    expect(panelOf(newDraft(["p"]))).not.toHaveProperty("layout");
  });
});

describe("a panel draft's transform and aggregation", () => {
  it("come back as the panel's, group-by tags listed comma-separated", () => {
    const panel: Panel = { id: "p", title: "P", type: "table", series: ["requests"], transform: "rate", aggregate: "sum", groupBy: ["region", "zone"] };
    const draft = draftOf(panel);
    expect([draft.transform, draft.aggregate, draft.groupBy]).toEqual(["rate", "sum", "region, zone"]);
    expect(panelSchema.parse(panelOf(draft))).toEqual(panel);
  });

  it("leave a panel without them as it was, and group-by tags without an aggregate for the schema to refuse", () => {
    const draft = draftOf({ id: "p", title: "P", type: "line", series: ["x"] });
    expect(panelOf(draft)).toEqual({ id: "p", title: "P", type: "line", series: ["x"] });
    draft.groupBy = " host ,";
    const checked = panelSchema.safeParse(panelOf(draft));
    expect(checked.success).toBe(false);
    expect(checked.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["groupBy", "groupBy needs an aggregate"]]);
  });
});
