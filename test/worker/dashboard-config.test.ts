import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard, uniqueId } from "./api";
import { Viewer } from "./viewer";

function put(id: string, token: string | null, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const cpuPanel = { id: "cpu", title: "CPU", type: "line", series: ["cpu.*"], unit: "%", decimals: 1 };
const tempPanel = {
  id: "temp",
  title: "Server room",
  type: "gauge",
  series: ["temperature{room=server-room}"],
  unit: "°C",
  min: 10,
  max: 40,
  thresholds: [{ value: 28, color: "#d9480f" }],
};

describe("changing a dashboard's title and panels", () => {
  it("stores them with the dashboard's token, and the API describes them", async () => {
    const { id, token } = await createDashboard();
    const response = await put(id, token, { title: "Machine room", panels: [cpuPanel, tempPanel] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, title: "Machine room", panels: [cpuPanel, tempPanel] });
    const info = await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json();
    expect(info).toMatchObject({ title: "Machine room", panels: [cpuPanel, tempPanel] });
  });

  it("stores a unit id of the vocabulary, free unit text, and no unit alike; a panel without one keeps working", async () => {
    const { id, token } = await createDashboard();
    const panels = [
      { ...cpuPanel, id: "share", unit: "percentunit", decimals: 2 },
      { id: "memory", title: "Memory", type: "stat", series: ["mem.used"], unit: "bytes" },
      { id: "queue", title: "Queue", type: "table", series: ["queue.*"], unit: "jobs" },
      { id: "plain", title: "Plain", type: "line", series: ["plain"] },
    ];
    const response = await put(id, token, { panels });
    expect(response.status).toBe(200);
    expect((await response.json<{ panels: unknown }>()).panels).toEqual(panels);
    const info = await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json();
    expect(info).toMatchObject({ panels });
  });

  it("stores each panel's place on the grid with it, and a panel without one stays without", async () => {
    const { id, token } = await createDashboard();
    const panels = [
      { ...cpuPanel, layout: { x: 4, y: 0, w: 8, h: 6 } },
      { ...tempPanel, layout: { x: 0, y: 0, w: 4, h: 3 } },
      { id: "plain", title: "Plain", type: "stat", series: ["plain"] },
    ];
    const response = await put(id, token, { panels });
    expect(response.status).toBe(200);
    expect((await response.json<{ panels: unknown }>()).panels).toEqual(panels);
    const info = await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json();
    expect(info).toMatchObject({ panels });
  });

  it("stores a panel's transform, aggregate and group-by tags", async () => {
    const { id, token } = await createDashboard();
    const panels = [
      { id: "by-region", title: "Requests by region", type: "line", series: ["requests"], transform: "rate", aggregate: "sum", groupBy: ["region", "zone"] },
      { id: "rates", title: "Rates", type: "table", series: ["requests"], transform: "rate" },
      { id: "hottest", title: "Hottest room", type: "stat", series: ["temperature"], aggregate: "max" },
    ];
    const response = await put(id, token, { panels });
    expect(response.status).toBe(200);
    expect((await response.json<{ panels: unknown }>()).panels).toEqual(panels);
  });

  it("shows the change to every connected viewer at once, and to new viewers in hello", async () => {
    const { id } = await createDashboard();
    const viewers = await Promise.all([Viewer.open(id), Viewer.open(id)]);
    await Promise.all(viewers.map((viewer) => viewer.nth("snapshot")));
    expect((await viewers[0]!.nth("hello")).panels).toEqual([]);
    expect((await put(id, DEV_ADMIN_TOKEN, { panels: [cpuPanel] })).status).toBe(200);
    for (const viewer of viewers) expect(await viewer.nth("config")).toEqual({ type: "config", title: `Test ${id}`, panels: [cpuPanel] });
    const late = await Viewer.open(id);
    expect((await late.nth("hello")).panels).toEqual([cpuPanel]);
    [...viewers, late].forEach((viewer) => viewer.close());
  });

  it.each([
    [{ panels: [{ ...cpuPanel, type: "pie" }] }, "panels.0.type"],
    [{ panels: [{ ...cpuPanel, series: [] }] }, "panels.0.series"],
    [{ panels: [{ ...cpuPanel, id: "Bad Id" }] }, "panels.0.id"],
    [{ panels: [{ ...cpuPanel, decimals: 11 }] }, "panels.0.decimals"],
    [{ panels: [{ ...cpuPanel, unit: "x".repeat(17) }] }, "panels.0.unit"],
    [{ panels: [{ ...cpuPanel, unit: 100 }] }, "panels.0.unit"],
    [{ panels: [{ ...tempPanel, min: 50 }] }, "panels.0.max"],
    [{ panels: [{ ...tempPanel, thresholds: [{ value: 1, color: "red" }] }] }, "panels.0.thresholds.0.color"],
    [{ panels: [cpuPanel, cpuPanel] }, "panels"],
    [{ panels: [{ ...cpuPanel, layout: { x: 8, y: 0, w: 6, h: 4 } }] }, "panels.0.layout.w"],
    [{ panels: [{ ...cpuPanel, layout: { x: 0, y: 0, w: 4, h: 1 } }] }, "panels.0.layout.h"],
    [{ panels: [{ ...cpuPanel, transform: "delta" }] }, "panels.0.transform"],
    [{ panels: [{ ...cpuPanel, aggregate: "median" }] }, "panels.0.aggregate"],
    [{ panels: [{ ...cpuPanel, groupBy: ["region"] }] }, "panels.0.groupBy"],
    [{ panels: [{ ...cpuPanel, aggregate: "sum", groupBy: ["region", "region"] }] }, "panels.0.groupBy"],
    [{ title: "" }, "title"],
    [{ layout: "grid" }, undefined],
  ])("answers %j with 400 naming the field", async (body, field) => {
    const { id, token } = await createDashboard();
    const response = await put(id, token, body);
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { code: string; field?: string } }>();
    expect(error).toMatchObject({ code: "invalid_body" });
    expect(error.field).toBe(field);
  });

  it("needs a token: 401 without, 403 with another dashboard's, 404 for an unknown dashboard", async () => {
    const { id } = await createDashboard();
    const other = await createDashboard();
    expect((await put(id, null, { title: "x" })).status).toBe(401);
    expect((await put(id, other.token, { title: "x" })).status).toBe(403);
    expect((await put(uniqueId("ghost"), DEV_ADMIN_TOKEN, { title: "x" })).status).toBe(404);
  });
});
