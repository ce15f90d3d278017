import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, postMetrics, uniqueId } from "./api";

const admin = { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" };

function createWith(body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards`, { method: "POST", headers: admin, body: JSON.stringify(body) });
}

function exported(id: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/definition`, { headers });
}

const panels = [
  { id: "temp", title: "Temperature", type: "line", series: ["boiler.temp*"], unit: "°C", decimals: 1 },
  { id: "pressure", title: "Pressure", type: "gauge", series: ["boiler.pressure"], min: 0, max: 4, thresholds: [{ value: 3, color: "#ff0000" }] },
];

/** A dashboard with a title and panels (set as any operator does), and its ingest token. */
async function laidOut(isPrivate = false): Promise<{ id: string; token: string; viewKey?: string }> {
  const id = uniqueId("def");
  const created = await createWith({ id, title: "Boiler room", private: isPrivate });
  expect(created.status).toBe(201);
  const { ingestToken, viewKey } = await created.json<{ ingestToken: string; viewKey?: string }>();
  const put = await SELF.fetch(`${BASE}/api/dashboards/${id}`, { method: "PUT", headers: { ...admin, Authorization: `Bearer ${ingestToken}` }, body: JSON.stringify({ panels }) });
  expect(put.status).toBe(200);
  return { id, token: ingestToken, ...(viewKey === undefined ? {} : { viewKey }) };
}

describe("a dashboard's definition", () => {
  it("is its title, panels and privacy, versioned, with none of its data or secrets", async () => {
    const { id, token } = await laidOut();
    expect((await postMetrics(id, token, { name: "boiler.temp", value: 61.5 })).status).toBe(200);
    const response = await exported(id);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ pulseboardDefinition: 1, title: "Boiler room", panels, private: false });
    expect(text).not.toContain(token);
    expect(text).not.toContain("61.5");
  });

  it("of a private dashboard is read as the dashboard is: with one of its tokens", async () => {
    const { id, token, viewKey } = await laidOut(true);
    expect((await exported(id)).status).toBe(401);
    expect((await exported(id, { "X-Pulseboard-View-Key": "pbv_wrong" })).status).toBe(403);
    const readers: Record<string, string>[] = [{ "X-Pulseboard-View-Key": viewKey! }, { Authorization: `Bearer ${token}` }, { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` }];
    for (const headers of readers) {
      const response = await exported(id, headers);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ private: true, panels });
    }
    expect((await exported("no-such-dashboard")).status).toBe(404);
  });

  it("makes a new dashboard like the first when posted back, with new tokens", async () => {
    const source = await laidOut(true);
    const definition = await (await exported(source.id, { "X-Pulseboard-View-Key": source.viewKey! })).json();
    const id = uniqueId("copy");
    const created = await createWith({ id, definition });
    expect(created.status).toBe(201);
    const body = await created.json<{ id: string; title: string; ingestToken: string; viewKey?: string }>();
    expect(body).toMatchObject({ id, title: "Boiler room" });
    expect(body.ingestToken).not.toBe(source.token);
    expect(body.viewKey).toMatch(/^pbv_/);
    expect(body.viewKey).not.toBe(source.viewKey);
    const copy = await exported(id, { "X-Pulseboard-View-Key": body.viewKey! });
    expect(await copy.json()).toEqual(definition);
    expect((await exported(id, { "X-Pulseboard-View-Key": source.viewKey! })).status).toBe(403);
  });

  it("keeps the panels' places on the grid through export and import", async () => {
    const { id } = await laidOut();
    const arranged = panels.map((panel, i) => ({ ...panel, layout: { x: i * 6, y: 0, w: 6, h: 5 } }));
    const put = await SELF.fetch(`${BASE}/api/dashboards/${id}`, { method: "PUT", headers: admin, body: JSON.stringify({ panels: arranged }) });
    expect(put.status).toBe(200);
    const definition = await (await exported(id)).json<{ panels: unknown }>();
    expect(definition.panels).toEqual(arranged);
    const copy = uniqueId("copy");
    expect((await createWith({ id: copy, definition })).status).toBe(201);
    expect((await (await exported(copy)).json<{ panels: unknown }>()).panels).toEqual(arranged);
  });

  it("is imported with the id, title and privacy given beside it taking precedence", async () => {
    const definition = { pulseboardDefinition: 1, title: "Shared layout", panels, private: true };
    const created = await createWith({ definition, private: false, title: "Mine" });
    expect(created.status).toBe(201);
    const body = await created.json<{ id: string; title: string; viewKey?: string }>();
    expect(body.title).toBe("Mine");
    expect(body.viewKey).toBeUndefined();
    expect(await (await exported(body.id)).json()).toEqual({ ...definition, title: "Mine", private: false });
  });

  it("is refused when invalid, naming the field inside the definition, and creates nothing", async () => {
    const id = uniqueId("bad");
    const wrongPanels = [...panels, { id: "x", title: "X", type: "line", series: ["a"] }, { id: "y", title: "Y", type: "pie", series: ["a"] }];
    for (const [definition, field] of [
      [{ pulseboardDefinition: 1, title: "T", panels: wrongPanels, private: false }, "definition.panels.3.type"],
      [{ pulseboardDefinition: 1, title: "", panels: [], private: false }, "definition.title"],
      [{ pulseboardDefinition: 1, title: "T", panels: [], private: false, points: [] }, "definition"],
      [{ pulseboardDefinition: 1, title: "T", panels: [panels[0], panels[0]], private: false }, "definition.panels"],
      ["not an object", "definition"],
    ] as const) {
      const response = await createWith({ id, definition });
      expect(response.status, JSON.stringify(definition)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_body", field } });
    }
    expect((await exported(id)).status).toBe(404);
  });

  it("of a newer version is refused with a clear 400", async () => {
    const response = await createWith({ definition: { pulseboardDefinition: 2, title: "From the future", panels: [], private: false } });
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { code: string; message: string; field: string } }>();
    expect(error).toMatchObject({ code: "unsupported_definition_version", field: "definition.pulseboardDefinition" });
    expect(error.message).toContain("version 2");
  });
});
