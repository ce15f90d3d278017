import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { draftPreview, seriesShown } from "../../../src/client/editor/draft-preview.ts";
import { draftOf } from "../../../src/client/editor/panel-draft.ts";
import type { Panel } from "../../../src/common/dashboard-config.ts";

const gauge: Panel = { id: "fill", title: "Tank fill", type: "gauge", series: ["tank.fill"], unit: "percent", decimals: 1, min: 0, max: 100, thresholds: [{ value: 80, color: "#dc2626" }] };

describe("a draft as the preview draws it", () => {
  it("is the panel Save would send when the draft is valid", () => {
    expect(draftPreview(draftOf(gauge))).toEqual({ kind: "panel", panel: gauge });
  });

  it("follows a change of type, dropping the gauge's scale as Save does", () => {
    const draft = { ...draftOf(gauge), type: "stat" };
    const preview = draftPreview(draft);
    expect(preview.kind).toBe("panel");
    expect(preview).toMatchObject({ panel: { type: "stat" } });
    expect((preview as { panel: Panel }).panel).not.toHaveProperty("min");
    expect((preview as { panel: Panel }).panel).not.toHaveProperty("max");
  });

  it("names the field Save would refuse and why, instead of a panel", () => {
    expect(draftPreview({ ...draftOf(gauge), decimals: "11" })).toEqual({ kind: "invalid", message: "decimals must be 0-10", field: "decimals" });
    expect(draftPreview({ ...draftOf(gauge), series: " , " })).toEqual({ kind: "invalid", message: "series needs at least one pattern", field: "series" });
    expect(draftPreview({ ...draftOf(gauge), min: "200" })).toEqual({ kind: "invalid", message: "min must be below max", field: "max" });
  });

  it("puts the field in front of a message that does not name it", () => {
    const preview = draftPreview({ ...draftOf(gauge), min: "low" });
    expect(preview.kind).toBe("invalid");
    expect(preview).toMatchObject({ field: "min" });
    expect((preview as { message: string }).message.startsWith("min: ")).toBe(true);
  });
});

describe("the series a preview shows", () => {
  const series = (key: string) => ({ key, name: key.split("{")[0]! });

  it("are those its patterns match, in key order", () => {
    const held = ["cpu.load{host=b}", "mem.used", "cpu.load{host=a}", "cpu.idle"].map(series);
    expect(seriesShown({ series: ["cpu.load"] }, held).map((s) => s.key)).toEqual(["cpu.load{host=a}", "cpu.load{host=b}"]);
    expect(seriesShown({ series: ["cpu.*", "mem.used"] }, held).map((s) => s.key)).toEqual(["cpu.idle", "cpu.load{host=a}", "cpu.load{host=b}", "mem.used"]);
    expect(seriesShown({ series: ["disk.*"] }, held)).toEqual([]);
  });

  it("are exactly the keys named, sorted, whatever else is held", () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_.]{0,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1, maxLength: 20 }), fc.nat(), (keys, seed) => {
        const named = keys.filter((_, i) => (seed >> i % 30) & 1);
        if (named.length === 0) return;
        const shown = seriesShown({ series: named }, keys.map((k) => ({ key: k, name: k })));
        expect(shown.map((s) => s.key)).toEqual([...named].sort());
      }),
    );
  });
});
