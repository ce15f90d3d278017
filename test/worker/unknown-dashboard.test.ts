import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { remoteWriteBody } from "../support/remote-write-encode";
import { BASE, createDashboard, uniqueId } from "./api";

/** What an object keeps: its tables, its database's size and its alarm. */
async function footprint(id: string): Promise<{ tables: string[]; size: number; alarm: number | null }> {
  return runInDurableObject(env.DASHBOARD.getByName(id), async (_instance: Dashboard, state) => ({
    tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master").toArray().map((row) => row.name),
    size: state.storage.sql.databaseSize,
    alarm: await state.storage.getAlarm(),
  }));
}

const admin = { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` };

/** One request of each kind that reaches a dashboard's object, to the dashboard `id`. */
const requests: Record<string, (id: string) => Promise<Response>> = {
  "a describe request": (id) => SELF.fetch(`${BASE}/api/dashboards/${id}`),
  "a history request": (id) => SELF.fetch(`${BASE}/api/dashboards/${id}/series?names=*&from=0&to=${Date.now()}`),
  "a WebSocket upgrade": (id) => SELF.fetch(`${BASE}/api/dashboards/${id}/ws`, { headers: { Upgrade: "websocket" } }),
  "a native ingest request": (id) =>
    SELF.fetch(`${BASE}/api/dashboards/${id}/metrics`, {
      method: "POST",
      headers: { ...admin, "Content-Type": "application/json", "Idempotency-Key": "k1" },
      body: JSON.stringify({ name: "a", value: 1 }),
    }),
  "an InfluxDB write": (id) => SELF.fetch(`${BASE}/api/v2/write?bucket=${id}`, { method: "POST", headers: { Authorization: `Token ${DEV_ADMIN_TOKEN}` }, body: "a value=1" }),
  "a Prometheus remote write": (id) =>
    SELF.fetch(`${BASE}/api/v1/write?dashboard=${id}`, {
      method: "POST",
      headers: { ...admin, "Content-Type": "application/x-protobuf", "Content-Encoding": "snappy" },
      body: remoteWriteBody({ timeseries: [{ labels: [{ name: "__name__", value: "a" }], samples: [{ value: 1, timestamp: BigInt(Date.now()) }] }] }),
    }),
  "a PUT of the title": (id) =>
    SELF.fetch(`${BASE}/api/dashboards/${id}`, { method: "PUT", headers: { ...admin, "Content-Type": "application/json" }, body: JSON.stringify({ title: "x" }) }),
};

describe("a dashboard id nobody created", () => {
  it("has no storage when never addressed", async () => {
    expect(await footprint(uniqueId("fresh"))).toMatchObject({ tables: [], alarm: null });
  });

  for (const [kind, request] of Object.entries(requests)) {
    it(`is left without tables, bytes or an alarm by ${kind}`, async () => {
      const fresh = await footprint(uniqueId("fresh"));
      const id = uniqueId("unknown");
      const response = await request(id);
      await response.body?.cancel();
      expect(response.status).toBe(404);
      expect(await footprint(id)).toEqual({ tables: [], size: fresh.size, alarm: null });
    });
  }

  it("gets its tables only when created, and then answers every kind of request", async () => {
    const fresh = await footprint(uniqueId("fresh"));
    const { id } = await createDashboard();
    const made = await footprint(id);
    expect(made.tables).toEqual(expect.arrayContaining(["dashboard", "series", "chunks", "rollups", "idempotency"]));
    expect(made.size).toBeGreaterThan(fresh.size);
    const describe = await SELF.fetch(`${BASE}/api/dashboards/${id}`);
    expect(describe.status).toBe(200);
  });
});
