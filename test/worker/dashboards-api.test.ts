import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/worker/app";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard, uniqueId } from "./api";

async function create(body: unknown, token: string | null = DEV_ADMIN_TOKEN, base = BASE, bindings: Env = env): Promise<Response> {
  const request = new Request(`${base}/api/dashboards`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return bindings === env ? SELF.fetch(request) : await app.fetch(request, bindings);
}

describe("creating a dashboard", () => {
  it("returns its id, title, urls and an ingest token once", async () => {
    const id = uniqueId();
    const response = await create({ id, title: "Boiler room" });
    expect(response.status).toBe(201);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      id,
      title: "Boiler room",
      urls: { dashboard: `${BASE}/d/${id}`, metrics: `${BASE}/api/dashboards/${id}/metrics`, ws: `ws://localhost/api/dashboards/${id}/ws` },
    });
    expect(body.ingestToken).toMatch(/^pb_[A-Za-z0-9_-]{43}$/);
    const info = await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json();
    expect(JSON.stringify(info)).not.toContain(body.ingestToken as string);
  });

  it("makes up an id when none is given", async () => {
    const response = await create({});
    expect(response.status).toBe(201);
    const { id, title } = await response.json<{ id: string; title: string }>();
    expect(id).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
    expect(title).toBe(id);
  });

  it("refuses an id that exists with 409", async () => {
    const { id } = await createDashboard();
    const response = await create({ id });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: "dashboard_exists", field: "id" } });
  });

  it.each([
    [{ id: "Has-Capitals" }, "id"],
    [{ id: "-leading-dash" }, "id"],
    [{ id: "x".repeat(65) }, "id"],
    [{ title: "" }, "title"],
    [{ title: 42 }, "title"],
    [{ colour: "red" }, undefined],
  ])("answers 400 naming the field for %j", async (body, field) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { code: string; field?: string; message: string } }>();
    expect(error.code).toBe("invalid_body");
    expect(error.field).toBe(field);
    expect(error.message.length).toBeGreaterThan(5);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const response = await create("{oops");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_json" } });
  });

  it("needs the admin token: 401 without one, 403 with a wrong one", async () => {
    const missing = await create({ id: uniqueId() }, null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(await missing.json()).toMatchObject({ error: { code: "missing_token" } });
    const wrong = await create({ id: uniqueId() }, "not-the-token");
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: "invalid_token" } });
  });

  it("is refused by a deployed Worker that has no ADMIN_TOKEN, even with the local default", async () => {
    const response = await create({ id: uniqueId() }, DEV_ADMIN_TOKEN, "https://pulseboard.example.com", { ...env, ADMIN_TOKEN: undefined });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "admin_not_configured" } });
  });

  it.each(["http://localhost", "http://127.0.0.1:8787", "http://[::1]:8787"])(
    "is refused at %s when no ADMIN_TOKEN is bound: a loopback Host header makes no token valid",
    async (base) => {
      const response = await create({ id: uniqueId() }, DEV_ADMIN_TOKEN, base, { ...env, ADMIN_TOKEN: undefined });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "admin_not_configured" } });
    },
  );

  it("uses the ADMIN_TOKEN secret when one is set, locally too", async () => {
    const bindings = { ...env, ADMIN_TOKEN: "s3cret-admin" };
    expect((await create({ id: uniqueId() }, DEV_ADMIN_TOKEN, BASE, bindings)).status).toBe(403);
    expect((await create({ id: uniqueId() }, "s3cret-admin", "https://pulseboard.example.com", bindings)).status).toBe(201);
  });
});

describe("reading a dashboard", () => {
  it("describes title, series and viewers", async () => {
    const { id } = await createDashboard();
    const response = await SELF.fetch(`${BASE}/api/dashboards/${id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, title: `Test ${id}`, seq: 0, viewers: 0, series: [] });
  });

  it("answers 404 with a JSON error for an unknown dashboard, and does not create it", async () => {
    const id = uniqueId("ghost");
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await SELF.fetch(`${BASE}/api/dashboards/${id}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "dashboard_not_found", field: "id" } });
    }
  });

  it("answers 404 for an id that cannot exist", async () => {
    const response = await SELF.fetch(`${BASE}/api/dashboards/NOT_VALID`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "dashboard_not_found" } });
  });
});

describe("other routes", () => {
  it("reports health", async () => {
    const response = await SELF.fetch(`${BASE}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it("answers an unknown API path with a JSON 404", async () => {
    const response = await SELF.fetch(`${BASE}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("answers a plain GET of the WebSocket route with 426", async () => {
    const { id } = await createDashboard();
    const response = await SELF.fetch(`${BASE}/api/dashboards/${id}/ws`);
    expect(response.status).toBe(426);
    expect(response.headers.get("Upgrade")).toBe("websocket");
    expect(await response.json()).toMatchObject({ error: { code: "upgrade_required" } });
  });

  it("refuses a viewer of an unknown dashboard with 404", async () => {
    const response = await SELF.fetch(`${BASE}/api/dashboards/${uniqueId("ghost")}/ws`, { headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(404);
    expect(response.webSocket).toBeNull();
  });
});

describe("writing with no ADMIN_TOKEN bound", () => {
  const unbound = { ...env, ADMIN_TOKEN: undefined };
  const send = (base: string, id: string, token: string) =>
    app.fetch(
      new Request(`${base}/api/dashboards/${id}/metrics`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "a", value: 1 }),
      }),
      unbound,
    );

  it.each(["https://pulseboard.example.com", "http://localhost", "http://127.0.0.1:8787"])(
    "at %s takes the built-in development token for a wrong ingest token, and the dashboard's own token still writes",
    async (base) => {
      const { id, token } = await createDashboard();
      const refused = await send(base, id, DEV_ADMIN_TOKEN);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: "invalid_token" } });
      expect((await send(base, id, token)).status).toBe(200);
    },
  );
});
