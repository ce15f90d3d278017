import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

// Stars that make a backtracking matcher search for seconds on one 25-character key (each
// star more, about four times longer), while the dashboard's other callers wait.
const HOSTILE = `${"*".repeat(11)}!`;
const NAME = "a".repeat(25);

describe("series patterns from readers", () => {
  it("answer a history query with a pathological glob at once, and still match what they should", async () => {
    const { id, token } = await createDashboard();
    expect((await postMetrics(id, token, [{ name: NAME, value: 1 }, { name: "cpu.load", value: 2, tags: { host: "a" } }])).status).toBe(200);

    const started = Date.now();
    const hostile = await SELF.fetch(`http://localhost/api/dashboards/${id}/series?names=${encodeURIComponent(HOSTILE)}`);
    expect(hostile.status).toBe(200);
    expect((await hostile.json<{ series: unknown[] }>()).series).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);

    const globbed = await SELF.fetch(`http://localhost/api/dashboards/${id}/series?names=${encodeURIComponent("cpu.*,*{host=?}")}`);
    expect((await globbed.json<{ series: { key: string }[] }>()).series.map((s) => s.key)).toEqual(["cpu.load{host=a}"]);
  });

  it("let a viewer subscribe with a pathological glob without holding up ingest", async () => {
    const { id, token } = await createDashboard();
    expect((await postMetrics(id, token, { name: NAME, value: 1 })).status).toBe(200);
    const started = Date.now();
    const viewer = await Viewer.open(id, { series: HOSTILE });
    expect((await viewer.nth("snapshot")).series).toEqual([]);
    expect((await postMetrics(id, token, { name: NAME, value: 2 })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    viewer.close();
  });
});
