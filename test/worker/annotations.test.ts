import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/common/limits";
import type { Annotation } from "../../src/common/protocol";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { dashboardSettings } from "../../src/dashboard/dashboard-settings";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard } from "./api";
import { Viewer } from "./viewer";

function annotate(id: string, token: string | null, body: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/annotations`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

async function read(id: string, query = "", headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/annotations${query}`, { headers });
}

function remove(id: string, token: string, annotation: number | string): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/annotations/${annotation}`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
}

describe("annotations", () => {
  it("are written with the ingest token, read back in time order by range, and removed by id", async () => {
    const { id, token } = await createDashboard();
    const now = Date.now();
    const one = await annotate(id, token, { text: "deploy 1.4", ts: now - 60_000, tags: { service: "api" } });
    expect(one.status).toBe(201);
    const [deploy] = (await one.json<{ annotations: Annotation[] }>()).annotations;
    expect(deploy).toEqual({ id: expect.any(Number), ts: now - 60_000, text: "deploy 1.4", tags: { service: "api" } });
    const many = await annotate(id, DEV_ADMIN_TOKEN, [
      { text: "later", ts: new Date(now - 1000).toISOString() },
      { text: "  serviced  ", ts: now - 3_600_000 },
    ]);
    expect(many.status).toBe(201);
    const added = (await many.json<{ annotations: Annotation[] }>()).annotations;
    expect(added.map((a) => a.text)).toEqual(["serviced", "later"]);

    const all = await (await read(id)).json<{ annotations: Annotation[]; more: boolean }>();
    expect(all.annotations.map((a) => a.text)).toEqual(["serviced", "deploy 1.4", "later"]);
    expect(all.more).toBe(false);
    const recent = await (await read(id, `?from=${now - 120_000}&to=${now - 30_000}`)).json<{ annotations: Annotation[] }>();
    expect(recent.annotations.map((a) => a.text)).toEqual(["deploy 1.4"]);

    expect((await remove(id, token, deploy!.id)).status).toBe(204);
    expect((await remove(id, token, deploy!.id)).status).toBe(404);
    const left = await (await read(id)).json<{ annotations: Annotation[] }>();
    expect(left.annotations.map((a) => a.text)).toEqual(["serviced", "later"]);
  });

  it.each([
    ["no text", { ts: 1 }, "text"],
    ["an empty text", { text: "   " }, "text"],
    ["an over-long text", { text: "x".repeat(limits.maxAnnotationText + 1) }, "text"],
    ["a time that is not a date", { text: "a", ts: "yesterday" }, "ts"],
    ["a time far in the future", { text: "a", ts: Date.now() + 2 * limits.maxFutureMs }, "ts"],
    ["an unknown field", { text: "a", colour: "red" }, undefined],
    ["a numeric tag value", { text: "a", tags: { host: 1 } }, "tags.host"],
    ["an empty array", [], undefined],
    ["too many at once", Array.from({ length: limits.maxAnnotationsPerRequest + 1 }, () => ({ text: "a" })), undefined],
    ["a bad item of an array", [{ text: "ok" }, { text: "" }], "1.text"],
  ])("refuses %s with 400 naming the field, storing nothing", async (_what, body, field) => {
    const { id, token } = await createDashboard();
    const response = await annotate(id, token, body);
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: { code: string; field?: string; message: string } }>();
    expect(error.code).toBe("invalid_body");
    expect(error.field).toBe(field);
    expect((await (await read(id)).json<{ annotations: Annotation[] }>()).annotations).toEqual([]);
  });

  it("refuses a wrong token (403), a missing one (401) and an unknown dashboard (404), and a read of a dashboard without any makes no table", async () => {
    const { id } = await createDashboard();
    expect((await annotate(id, "pb_wrong", { text: "a" })).status).toBe(403);
    expect((await annotate(id, null, { text: "a" })).status).toBe(401);
    expect((await annotate("no-such-dashboard", DEV_ADMIN_TOKEN, { text: "a" })).status).toBe(404);
    expect((await read("no-such-dashboard")).status).toBe(404);
    expect((await remove(id, DEV_ADMIN_TOKEN, "x")).status).toBe(400);
    expect((await read(id)).status).toBe(200);
    const tables = await runInDurableObject(env.DASHBOARD.getByName(id), (_i: Dashboard, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'annotations'").toArray(),
    );
    expect(tables).toEqual([]);
  });

  it("of a private dashboard are read with its view key (or a token that may write to it) only", async () => {
    const response = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ private: true }),
    });
    const { id, ingestToken, viewKey } = await response.json<{ id: string; ingestToken: string; viewKey: string }>();
    expect((await annotate(id, ingestToken, { text: "secret" })).status).toBe(201);
    expect((await read(id)).status).toBe(401);
    expect((await read(id, "", { "X-Pulseboard-View-Key": "pbv_wrong" })).status).toBe(403);
    expect((await read(id, "", { Authorization: `Bearer ${ingestToken}` })).status).toBe(200);
    const allowed = await read(id, "", { "X-Pulseboard-View-Key": viewKey });
    expect(allowed.status).toBe(200);
    expect((await allowed.json<{ annotations: Annotation[] }>()).annotations.map((a) => a.text)).toEqual(["secret"]);
  });

  it("reach every viewer at once as they are added and removed", async () => {
    const { id, token } = await createDashboard();
    const viewers = [await Viewer.open(id), await Viewer.open(id)];
    for (const viewer of viewers) await viewer.nth("snapshot");
    const added = (await (await annotate(id, token, { text: "restart", tags: { host: "a" } })).json<{ annotations: Annotation[] }>()).annotations;
    for (const viewer of viewers) expect(await viewer.nth("annotations")).toEqual({ type: "annotations", added, removed: [] });
    expect((await remove(id, token, added[0]!.id)).status).toBe(204);
    for (const viewer of viewers) expect(await viewer.nth("annotations", 2)).toEqual({ type: "annotations", added: [], removed: [added[0]!.id] });
    viewers.forEach((viewer) => viewer.close());
  });

  it("keeps at most its limit, refusing a request that would go over it whole (422), and forgets those older than the rollups' retention", async () => {
    const { id, token } = await createDashboard();
    const settings = dashboardSettings({});
    const old = Date.now() - settings.rollupRetentionMs - 60_000;
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
      const batch = Array.from({ length: limits.maxAnnotationsPerDashboard - 1 }, (_, i) => ({ ts: old + i, text: `n${i}`, tags: {} }));
      expect(instance.annotate({ kind: "admin" }, batch)).toMatchObject({ status: "ok" });
    });
    const over = await annotate(id, token, [{ text: "a" }, { text: "b" }]);
    expect(over.status).toBe(422);
    expect(await over.json()).toMatchObject({ error: { code: "annotations_full", room: 1 } });
    expect((await annotate(id, token, { text: "fits" })).status).toBe(201);
    // Maintenance removes those older than the rollups' retention, a slice per pass.
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
      for (let pass = 0; pass < 20 && instance.maintain(Date.now()).more; pass++);
    });
    const left = await (await read(id, `?from=0&to=${Date.now() + 1000}`)).json<{ annotations: Annotation[] }>();
    expect(left.annotations.map((a) => a.text)).toEqual(["fits"]);
  });
});
