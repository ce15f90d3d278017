import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../../src/worker/app";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, postMetrics, uniqueId } from "./api";
import { Viewer } from "./viewer";

async function createPrivate(): Promise<{ id: string; token: string; viewKey: string; dashboardUrl: string }> {
  const id = uniqueId("private");
  const response = await SELF.fetch(`${BASE}/api/dashboards`, {
    method: "POST",
    headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id, private: true }),
  });
  expect(response.status).toBe(201);
  const body = await response.json<{ ingestToken: string; viewKey: string; urls: { dashboard: string } }>();
  return { id, token: body.ingestToken, viewKey: body.viewKey, dashboardUrl: body.urls.dashboard };
}

const read = (id: string, headers: Record<string, string> = {}) => SELF.fetch(`${BASE}/api/dashboards/${id}`, { headers });
const history = (id: string, headers: Record<string, string> = {}) => SELF.fetch(`${BASE}/api/dashboards/${id}/series?names=*`, { headers });

describe("a private dashboard", () => {
  it("hands out its view key once, in the fragment of the dashboard link", async () => {
    const { id, viewKey, dashboardUrl } = await createPrivate();
    expect(viewKey).toMatch(/^pbv_[A-Za-z0-9_-]{43}$/);
    expect(dashboardUrl).toBe(`${BASE}/d/${id}#key=${viewKey}`);
    const info = await read(id, { "X-Pulseboard-View-Key": viewKey });
    expect(await info.json()).toMatchObject({ id, private: true });
  });

  it("refuses readers without the key (401) or with a wrong one (403), with a JSON error", async () => {
    const { id } = await createPrivate();
    for (const [headers, status, code] of [
      [{}, 401, "view_key_required"],
      [{ "X-Pulseboard-View-Key": "pbv_wrong" }, 403, "invalid_view_key"],
    ] as const) {
      for (const response of [await read(id, headers), await history(id, headers)]) {
        expect(response.status).toBe(status);
        expect(await response.json()).toMatchObject({ error: { code } });
      }
    }
  });

  it("lets in the key's holders, and its admin and ingest tokens", async () => {
    const { id, token, viewKey } = await createPrivate();
    expect((await read(id, { "X-Pulseboard-View-Key": viewKey })).status).toBe(200);
    expect((await history(id, { "X-Pulseboard-View-Key": viewKey })).status).toBe(200);
    expect((await read(id, { Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await read(id, { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` })).status).toBe(200);
  });

  it.each(["https://pulseboard.example.com", "http://localhost"])(
    "at %s with no ADMIN_TOKEN bound stays closed to the built-in development token, and open to its own tokens",
    async (base) => {
      const { id, token, viewKey } = await createPrivate();
      const unbound = { ...env, ADMIN_TOKEN: undefined };
      const readAt = (headers: Record<string, string>) => app.fetch(new Request(`${base}/api/dashboards/${id}`, { headers }), unbound);
      const refused = await readAt({ Authorization: `Bearer ${DEV_ADMIN_TOKEN}` });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: "invalid_view_key" } });
      expect((await readAt({ Authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await readAt({ "X-Pulseboard-View-Key": viewKey })).status).toBe(200);
    },
  );

  it("takes viewers only with the key as a subprotocol, and selects the pulseboard protocol", async () => {
    const { id, token, viewKey } = await createPrivate();
    const refused = await Viewer.handshake(id);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "view_key_required" } });
    const wrong = await Viewer.handshake(id, {}, { "Sec-WebSocket-Protocol": "pulseboard, pulseboard.view-key.pbv_wrong" });
    expect(wrong.status).toBe(403);

    const accepted = await Viewer.handshake(id, {}, { "Sec-WebSocket-Protocol": `pulseboard, pulseboard.view-key.${viewKey}` });
    expect(accepted.status).toBe(101);
    expect(accepted.headers.get("Sec-WebSocket-Protocol")).toBe("pulseboard");
    accepted.webSocket!.accept();
    accepted.webSocket!.close(1000, "done");

    const viewer = await Viewer.open(id, {}, { "Sec-WebSocket-Protocol": `pulseboard, pulseboard.view-key.${viewKey}` });
    await viewer.nth("snapshot");
    await postMetrics(id, token, { name: "secret.metric", value: 7 });
    expect(await viewer.nth("points")).toMatchObject({ series: [{ key: "secret.metric", values: [7] }] });
    viewer.close();
  });

  it("leaves public dashboards open to everyone", async () => {
    const id = uniqueId("public");
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id }),
    });
    expect(await created.json()).not.toHaveProperty("viewKey");
    expect(await (await read(id)).json()).toMatchObject({ private: false });
    expect((await Viewer.handshake(id)).status).toBe(101);
  });
});
