// Runs twice: in project "workerd", where viewers connect to the dashboard's own object, and in
// "workerd-relays", where every viewer is on a relay, one per relay, two relays per object (so
// a third viewer is on a relay of a relay; test/worker/vitest.config.ts).
import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../src/common/protocol";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { directoryShard, shardOf } from "../../src/directory/directory-contract";
import type { Directory } from "../../src/directory/directory-object";
import type { Relay } from "../../src/relay/relay-object";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard, postMetrics, uniqueId } from "./api";
import { audience, eventually, relayOf, socketsOnRelays } from "./relay-sockets";
import { Viewer } from "./viewer";

const admin = { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` };
/** Whether this project sends every viewer to a relay. */
const relayed = (env.RELAY_AFTER_VIEWERS as string) === "0";

type Footprint = { tables: string[]; alarm: number | null };

/** What an object keeps: its tables and its alarm. */
function footprint(stub: DurableObjectStub): Promise<Footprint> {
  return runInDurableObject(stub, async (_instance, state) => ({
    tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master").toArray().map((row) => row.name),
    alarm: await state.storage.getAlarm(),
  }));
}

/** Footprints of the dashboard `id`'s object and of its first `relays` relays. */
async function footprints(id: string, relays: number): Promise<Footprint[]> {
  return Promise.all([footprint(env.DASHBOARD.getByName(id)), ...Array.from({ length: relays }, (_, index) => footprint(relayOf(id, index)))]);
}

const EMPTY: Footprint = { tables: [], alarm: null };

/** `DELETE /api/dashboards/:id` with `token` (the admin's by default; null: none). */
function remove(id: string, token: string | null = DEV_ADMIN_TOKEN): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}`, { method: "DELETE", headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
}

/** A new token of `scope` for dashboard `id`, made by the admin: its secret. */
async function makeToken(id: string, scope: "write" | "edit" | "read"): Promise<string> {
  const response = await SELF.fetch(`${BASE}/api/dashboards/${id}/tokens`, {
    method: "POST",
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ name: `a ${scope} token`, scope }),
  });
  expect(response.status).toBe(201);
  return (await response.json<{ token: string }>()).token;
}



/** Opens `count` viewers one at a time, each once the dashboard counts the one before (relayed: each on a relay of its own). */
async function openViewers(id: string, count: number): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  for (let i = 0; i < count; i++) {
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewers.push(viewer);
    await eventually(async () => (await audience(id)) === i + 1, `the dashboard counting ${i + 1} viewers`);
  }
  if (relayed) expect(await socketsOnRelays(id, count)).toEqual(Array.from({ length: count }, () => 1));
  return viewers;
}

async function closedAsDeleted(viewers: Viewer[]): Promise<void> {
  for (const viewer of viewers) {
    await viewer.until(() => viewer.closed !== null, "the close");
    expect(viewer.closed).toEqual({ code: CloseCode.deleted, reason: "the dashboard was deleted" });
  }
}

/** Relays whose `destroy` fails, while in this set (wrapped on the prototype: RPC ignores an instance's own properties). */
const failing = new WeakSet<object>();

async function failDestroy(stub: DurableObjectStub<Relay>, fail: boolean): Promise<void> {
  await runInDurableObject(stub, (relay: Relay) => {
    const prototype = Object.getPrototypeOf(relay) as { destroy: (...args: unknown[]) => unknown; failable?: true };
    if (!prototype.failable) {
      prototype.failable = true;
      const original = prototype.destroy;
      prototype.destroy = function (this: object, ...args: unknown[]) {
        if (failing.has(this)) throw new Error("the relay is unreachable");
        return original.apply(this, args);
      };
    }
    if (fail) failing.add(relay);
    else failing.delete(relay);
  });
}

function shardEntries(id: string): Promise<string[]> {
  return runInDurableObject(directoryShard(env, shardOf(id)), (shard: Directory) => shard.list("", id, 100).map((entry) => entry.id));
}

describe(`deleting a dashboard (${relayed ? "every viewer on a relay" : "viewers on the dashboard"})`, () => {
  it("closes every viewer with 4404 and deletes its storage, alarm, relays and directory entry", async () => {
    const { id, token } = await createDashboard(uniqueId("deleted"));
    expect((await postMetrics(id, token, { name: "temp", value: 1, ts: Date.now() - 1000 })).status).toBe(200);
    const viewers = await openViewers(id, 3);
    const before = await footprints(id, 3);
    expect(before[0]!.tables).toContain("chunks");
    expect(before[0]!.alarm).not.toBeNull();
    if (relayed) for (const relay of before.slice(1)) expect(relay.tables).not.toEqual([]);
    expect(await shardEntries(id)).toEqual([id]);

    const response = await remove(id);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await closedAsDeleted(viewers);
    expect(await footprints(id, 3)).toEqual([EMPTY, EMPTY, EMPTY, EMPTY]);
    expect(await shardEntries(id)).toEqual([]);
    const listing = await SELF.fetch(`${BASE}/api/dashboards?q=${id}`, { headers: admin });
    expect((await listing.json<{ dashboards: unknown[] }>()).dashboards).toEqual([]);
  });

  it("answers 404 afterwards to every kind of request, leaving nothing behind", async () => {
    const { id, token } = await createDashboard(uniqueId("gone"));
    expect((await postMetrics(id, token, { name: "temp", value: 1 })).status).toBe(200);
    expect((await remove(id)).status).toBe(204);

    const requests = [
      SELF.fetch(`${BASE}/api/dashboards/${id}`),
      SELF.fetch(`${BASE}/api/dashboards/${id}/series?names=*`),
      Viewer.handshake(id),
      postMetrics(id, token, { name: "temp", value: 2 }),
      SELF.fetch(`${BASE}/api/dashboards/${id}`, { method: "PUT", headers: { ...admin, "Content-Type": "application/json" }, body: JSON.stringify({ title: "x" }) }),
      remove(id),
    ];
    for (const response of await Promise.all(requests)) {
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "dashboard_not_found" } });
    }
    expect(await footprints(id, 1)).toEqual([EMPTY, EMPTY]);
  });

  it("lets the same id be created again, empty", async () => {
    const { id, token } = await createDashboard(uniqueId("again"));
    expect((await postMetrics(id, token, [{ name: "old", value: 1 }])).status).toBe(200);
    const [viewer] = await openViewers(id, 1);
    expect((await remove(id)).status).toBe(204);
    await closedAsDeleted([viewer!]);

    const again = await createDashboard(id);
    expect(again.token).not.toBe(token);
    expect(await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json()).toMatchObject({ seq: 0, series: [], viewers: 0 });
    const [fresh] = await openViewers(id, 1);
    expect((await fresh!.nth("snapshot")).series).toEqual([]);
    expect((await postMetrics(id, token, { name: "new", value: 2 })).status).toBe(403);
    const stored = await postMetrics(id, again.token, { name: "new", value: 2 });
    expect(await stored.json()).toMatchObject({ accepted: 1, seq: { from: 1, to: 1 } });
    expect((await fresh!.nth("points")).series.map((series) => series.key)).toEqual(["new"]);
    expect(await shardEntries(id)).toEqual([id]);
    fresh!.close();
  });

  it("works while points are being written: every write is stored before or refused after, none fails", async () => {
    const { id, token } = await createDashboard(uniqueId("busy"));
    const viewers = await openViewers(id, 2);
    const statuses: number[] = [];
    let clock = Date.now() - 60_000;
    // Three writers, each writing until it is told the dashboard is gone.
    const writers = Array.from({ length: 3 }, async (_, writer) => {
      for (;;) {
        const response = await postMetrics(id, token, { name: `w${writer}`, value: 1, ts: clock++ });
        await response.body?.cancel();
        statuses.push(response.status);
        if (response.status !== 200) return;
      }
    });
    await eventually(async () => statuses.length >= 15, "some writes stored");
    expect((await remove(id)).status).toBe(204);
    await Promise.all(writers);

    expect(new Set(statuses)).toEqual(new Set([200, 404]));
    await closedAsDeleted(viewers);
    expect(await footprints(id, 2)).toEqual([EMPTY, EMPTY, EMPTY]);
    await createDashboard(id);
    expect(await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json()).toMatchObject({ seq: 0, series: [] });
  });

  it("closes hibernated viewers with 4404 too", async () => {
    const { id, token } = await createDashboard(uniqueId("asleep"));
    expect((await postMetrics(id, token, { name: "temp", value: 1 })).status).toBe(200);
    const viewers = await openViewers(id, 3);
    await evictDurableObject(env.DASHBOARD.getByName(id), { webSockets: "hibernate" });
    if (relayed) for (let index = 0; index < 3; index++) await evictDurableObject(relayOf(id, index), { webSockets: "hibernate" });
    for (const viewer of viewers) expect(viewer.closed).toBeNull();

    expect((await remove(id)).status).toBe(204);
    await closedAsDeleted(viewers);
    expect(await footprints(id, 3)).toEqual([EMPTY, EMPTY, EMPTY, EMPTY]);
  });

  it.skipIf(!relayed)("keeps the dashboard when a relay cannot be reached (503), and deletes it when sent again", async () => {
    const { id, token } = await createDashboard(uniqueId("unreachable"));
    expect((await postMetrics(id, token, { name: "temp", value: 1 })).status).toBe(200);
    const viewers = await openViewers(id, 3);
    await failDestroy(relayOf(id, 1), true);
    try {
      const refused = await remove(id);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("Retry-After")).toBe("1");
      expect(await refused.json()).toMatchObject({ error: { code: "delete_incomplete" } });
    } finally {
      await failDestroy(relayOf(id, 1), false);
    }
    expect(await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json()).toMatchObject({ seq: 1, series: [{ key: "temp" }] });
    expect(await shardEntries(id)).toEqual([id]);
    expect(viewers[1]!.closed).toBeNull();

    expect((await remove(id)).status).toBe(204);
    await closedAsDeleted(viewers);
    expect(await footprints(id, 3)).toEqual([EMPTY, EMPTY, EMPTY, EMPTY]);
  });

  it("answers 404 for an unknown id, creating nothing", async () => {
    const id = uniqueId("never");
    const response = await remove(id);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "dashboard_not_found", field: "id" } });
    expect(await footprint(env.DASHBOARD.getByName(id))).toEqual(EMPTY);
  });

  it("is for the admin and the dashboard's edit tokens: one of those deletes it, closing its viewers", async () => {
    const { id, token } = await createDashboard(uniqueId("edited"));
    const editor = await makeToken(id, "edit");
    expect((await postMetrics(id, token, { name: "temp", value: 1 })).status).toBe(200);
    const viewers = await openViewers(id, 2);

    const response = await remove(id, editor);
    expect(response.status).toBe(204);
    await closedAsDeleted(viewers);
    expect(await footprints(id, 2)).toEqual([EMPTY, EMPTY, EMPTY]);
    expect(await shardEntries(id)).toEqual([]);
    // The token went with the dashboard: it deletes nothing more, nor the dashboard's first token.
    for (const gone of [editor, token]) expect(await (await remove(id, gone)).json()).toMatchObject({ error: { code: "dashboard_not_found" } });
  });

  it("is refused to a write or read token (403 insufficient_scope), another dashboard's edit token (403 invalid_token) and no token (401), deleting nothing", async () => {
    const { id, token } = await createDashboard(uniqueId("kept"));
    const other = await createDashboard(uniqueId("other"));
    expect((await postMetrics(id, token, { name: "temp", value: 1 })).status).toBe(200);
    const [viewer] = await openViewers(id, 1);
    const refusals: [string | null, number, object][] = [
      [null, 401, { code: "missing_token" }],
      [await makeToken(id, "write"), 403, { code: "insufficient_scope", required: "edit" }],
      [await makeToken(id, "read"), 403, { code: "insufficient_scope", required: "edit" }],
      [other.token, 403, { code: "invalid_token" }],
      ["pb_not-a-token-of-anyone", 403, { code: "invalid_token" }],
    ];
    for (const [credential, status, error] of refusals) {
      const response = await remove(id, credential);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error });
    }
    expect(await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json()).toMatchObject({ seq: 1, series: [{ key: "temp" }] });
    expect(await shardEntries(id)).toEqual([id]);
    expect(viewer!.closed).toBeNull();
    expect((await SELF.fetch(`${BASE}/api/dashboards/${other.id}`)).status).toBe(200);
    viewer!.close();
  });
});
