import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard } from "./api";
import { Viewer } from "./viewer";

function put(id: string, token: string, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

async function info(id: string): Promise<Record<string, unknown>> {
  return (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json();
}

const host = { name: "host", tag: "host", metric: "cpu", multi: true, includeAll: true, default: ["$__all"] };
const region = { name: "region", tag: "region" };
const perHost = { id: "cpu", title: "CPU on $host", type: "line", series: ["cpu{host=$host}"] };
const perRegion = { id: "mem", title: "Memory", type: "stat", series: ["mem{region=${region}}"] };

describe("a dashboard's template variables", () => {
  it("are stored with the panels using them, and the API describes them", async () => {
    const { id, token } = await createDashboard();
    const response = await put(id, token, { panels: [perHost, perRegion], variables: [host, region] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, title: `Test ${id}`, panels: [perHost, perRegion], variables: [host, region] });
    expect(await info(id)).toMatchObject({ panels: [perHost, perRegion], variables: [host, region] });
  });

  it("reach every connected viewer in config at once, and new viewers in hello", async () => {
    const { id } = await createDashboard();
    const viewers = await Promise.all([Viewer.open(id), Viewer.open(id)]);
    await Promise.all(viewers.map((viewer) => viewer.nth("snapshot")));
    expect((await viewers[0]!.nth("hello")).variables).toBeUndefined();
    expect((await put(id, DEV_ADMIN_TOKEN, { panels: [perHost], variables: [host] })).status).toBe(200);
    for (const viewer of viewers) expect(await viewer.nth("config")).toEqual({ type: "config", title: `Test ${id}`, panels: [perHost], variables: [host] });
    const late = await Viewer.open(id);
    expect((await late.nth("hello")).variables).toEqual([host]);
    [...viewers, late].forEach((viewer) => viewer.close());
  });

  it("can be changed without the panels, and removed once no panel uses them", async () => {
    const { id, token } = await createDashboard();
    expect((await put(id, token, { panels: [perHost], variables: [host, region] })).status).toBe(200);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    expect((await put(id, token, { variables: [{ ...host, multi: false, default: ["a"] }] })).status).toBe(200);
    expect(await viewer.nth("config")).toMatchObject({ panels: [perHost], variables: [{ ...host, multi: false, default: ["a"] }] });
    expect((await put(id, token, { panels: [], variables: [] })).status).toBe(200);
    const cleared = await viewer.nth("config", 2);
    expect(cleared).toEqual({ type: "config", title: `Test ${id}`, panels: [] });
    expect(await info(id)).not.toHaveProperty("variables");
    viewer.close();
  });

  it.each([
    [{ panels: [perHost], variables: [region] }, "panels.0.series.0"],
    [{ panels: [perHost] }, "panels.0.series.0"],
    [{ variables: [{ ...host, name: "2host" }] }, "variables.0.name"],
    [{ variables: [{ ...host, name: "h".repeat(33) }] }, "variables.0.name"],
    [{ variables: [host, { ...region, name: "host" }] }, "variables.1.name"],
    [{ variables: [{ ...host, tag: "" }] }, "variables.0.tag"],
    [{ variables: [{ ...host, tag: "a\nb" }] }, "variables.0.tag"],
    [{ variables: [{ ...region, default: ["a", "b"] }] }, "variables.0.default"],
    [{ variables: [{ ...region, default: ["$__all"] }] }, "variables.0.default"],
    [{ variables: [{ ...region, color: "red" }] }, "variables.0"],
  ])("answers %j with 400 naming the field", async (body, field) => {
    const { id, token } = await createDashboard();
    const response = await put(id, token, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_body", field } });
  });

  it("refuses removing a variable a stored panel uses, and keeps the dashboard as it was", async () => {
    const { id, token } = await createDashboard();
    expect((await put(id, token, { panels: [perHost], variables: [host] })).status).toBe(200);
    const response = await put(id, token, { variables: [region] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_body", field: "variables", message: expect.stringContaining("$host") } });
    expect(await info(id)).toMatchObject({ variables: [host] });
  });

  it("travel in the definition, and a dashboard made from it has them", async () => {
    const { id, token } = await createDashboard();
    expect((await put(id, token, { panels: [perHost, perRegion], variables: [host, region] })).status).toBe(200);
    const definition = await (await SELF.fetch(`${BASE}/api/dashboards/${id}/definition`)).json();
    expect(definition).toMatchObject({ pulseboardDefinition: 1, variables: [host, region] });
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ definition }),
    });
    expect(created.status).toBe(201);
    const copy = await created.json<{ id: string }>();
    expect(await info(copy.id)).toMatchObject({ panels: [perHost, perRegion], variables: [host, region] });
    const viewer = await Viewer.open(copy.id);
    expect((await viewer.nth("hello")).variables).toEqual([host, region]);
    viewer.close();
  });

  it("are refused in a definition whose panels name a variable it lacks", async () => {
    const definition = { pulseboardDefinition: 1, title: "T", panels: [perHost], private: false };
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ definition }),
    });
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({ error: { code: "invalid_body", field: "definition.panels.0.series.0" } });
  });
});
