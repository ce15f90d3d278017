import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import type { DirectoryListing } from "../../src/common/directory-listing";
import { DIRECTORY_SHARDS, directoryShard, shardOf } from "../../src/directory/directory-contract";
import type { Directory } from "../../src/directory/directory-object";
import { app } from "../../src/worker/app";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard, postMetrics, uniqueId } from "./api";
import { Viewer } from "./viewer";

const admin = { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` };

type Page = DirectoryListing;

/** `GET /api/dashboards` with `query`, as the admin. */
async function list(query: Record<string, string>): Promise<Page> {
  const response = await SELF.fetch(`${BASE}/api/dashboards?${new URLSearchParams(query)}`, { headers: admin });
  expect(response.status).toBe(200);
  return response.json<Page>();
}

/** The ids a search for `q` lists, every page of `limit` followed. */
async function listedIds(q: string, limit = 50): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list({ q, limit: String(limit), ...(cursor === null ? {} : { cursor }) });
    ids.push(...page.dashboards.map((dashboard) => dashboard.id));
    cursor = page.next;
  } while (cursor !== null);
  return ids;
}

async function create(body: object): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards`, { method: "POST", headers: { ...admin, "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The entries shard `index` holds for a search of `q`, read inside the shard. */
function shardEntries(id: string): Promise<string[]> {
  return runInDurableObject(directoryShard(env, shardOf(id)), (shard: Directory) => shard.list("", id, 100).map((entry) => entry.id));
}

/** Shards whose `put` fails, for as long as they are in this set (wrapped on the prototype: RPC ignores an instance's own properties). */
const failing = new WeakSet<object>();

async function failPuts(id: string, fail: boolean): Promise<void> {
  await runInDurableObject(directoryShard(env, shardOf(id)), (shard: Directory) => {
    const prototype = Object.getPrototypeOf(shard) as { put: (...args: unknown[]) => unknown; failable?: true };
    if (!prototype.failable) {
      prototype.failable = true;
      const original = prototype.put;
      prototype.put = function (this: object, ...args: unknown[]) {
        if (failing.has(this)) throw new Error("the shard is down");
        return original.apply(this, args);
      };
    }
    if (fail) failing.add(shard);
    else failing.delete(shard);
  });
}

describe("the directory of dashboards", () => {
  it("lists a dashboard with its title, privacy, creation time and live facts asked of it", async () => {
    const before = Date.now();
    const { id, token } = await createDashboard(uniqueId("facts"));
    const now = Date.now();
    const response = await postMetrics(id, token, [
      { name: "temp", value: 1, ts: now - 3000 },
      { name: "temp", value: 2, ts: now - 1000 },
      { name: "load", value: 3, ts: now - 2000 },
    ]);
    expect(response.status).toBe(200);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");

    const [listed] = (await list({ q: id })).dashboards;
    const size = await runInDurableObject(env.DASHBOARD.getByName(id), (_dashboard: Dashboard, state) => state.storage.sql.databaseSize);
    expect(listed).toEqual({
      id,
      title: `Test ${id}`,
      private: false,
      createdAt: expect.any(Number),
      stats: { seq: 3, lastPointAt: now - 1000, viewers: 1, series: 2, storageBytes: size },
    });
    expect(listed!.createdAt).toBeGreaterThanOrEqual(before);
    expect(listed!.createdAt).toBeLessThanOrEqual(now);
    viewer.close();

    const privateId = uniqueId("facts-private");
    expect((await create({ id: privateId, private: true })).status).toBe(201);
    expect((await list({ q: privateId })).dashboards).toEqual([
      { id: privateId, title: privateId, private: true, createdAt: expect.any(Number), stats: { seq: 0, lastPointAt: null, viewers: 0, series: 0, storageBytes: expect.any(Number) } },
    ]);
  });

  it("finds dashboards by a part of their id or title, in any case", async () => {
    const word = uniqueId("word");
    const byId = `${word}-pumps`;
    const byTitle = uniqueId("other");
    const neither = uniqueId("neither");
    expect((await create({ id: byId, title: "Pumps" })).status).toBe(201);
    expect((await create({ id: byTitle, title: `Boiler ${word.toUpperCase()} room` })).status).toBe(201);
    expect((await create({ id: neither, title: "Boiler room" })).status).toBe(201);

    const found = (await list({ q: word.toUpperCase().replace("WORD", "Word") })).dashboards;
    expect(found.map((dashboard) => dashboard.id)).toEqual([byId, byTitle].sort());
    expect(found.find((dashboard) => dashboard.id === byTitle)?.title).toBe(`Boiler ${word.toUpperCase()} room`);
  });

  it("pages through dashboards of every shard in id order, each once", async () => {
    const prefix = uniqueId("page");
    const ids = Array.from({ length: 7 }, (_, i) => `${prefix}-${i}`);
    for (const id of [...ids].reverse()) await createDashboard(id);
    // The seven live in several shards, so the pages merge shards.
    expect(new Set(ids.map(shardOf)).size).toBeGreaterThan(1);

    const first = await list({ q: prefix, limit: "3" });
    expect(first.dashboards.map((dashboard) => dashboard.id)).toEqual(ids.slice(0, 3));
    expect(first.next).toEqual(expect.any(String));
    const second = await list({ q: prefix, limit: "3", cursor: first.next! });
    expect(second.dashboards.map((dashboard) => dashboard.id)).toEqual(ids.slice(3, 6));
    const third = await list({ q: prefix, limit: "3", cursor: second.next! });
    expect(third.dashboards.map((dashboard) => dashboard.id)).toEqual(ids.slice(6));
    expect(third.next).toBeNull();
    expect(await listedIds(prefix, 2)).toEqual(ids);
  });

  it("lists 50 dashboards to a page unless asked otherwise", async () => {
    const prefix = uniqueId("fifty");
    const ids = Array.from({ length: 51 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
    await Promise.all(ids.map((id) => createDashboard(id)));
    const page = await list({ q: prefix });
    expect(page.dashboards.map((dashboard) => dashboard.id)).toEqual(ids.slice(0, 50));
    expect((await list({ q: prefix, cursor: page.next! })).dashboards.map((dashboard) => dashboard.id)).toEqual(ids.slice(50));
  });

  it.each([
    [{ limit: "0" }, "limit"],
    [{ limit: "101" }, "limit"],
    [{ limit: "ten" }, "limit"],
    [{ limit: "" }, "limit"],
    [{ q: "x".repeat(121) }, "q"],
    [{ cursor: "not a cursor" }, "cursor"],
    [{ cursor: btoa("Not An Id") }, "cursor"],
  ])("answers 400 naming the parameter for %j", async (query, field) => {
    const response = await SELF.fetch(`${BASE}/api/dashboards?${new URLSearchParams(query)}`, { headers: admin });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_parameter", field } });
  });

  it("is for the admin only", async () => {
    const { token } = await createDashboard();
    const none = await SELF.fetch(`${BASE}/api/dashboards`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "missing_token" } });
    const ingest = await SELF.fetch(`${BASE}/api/dashboards`, { headers: { Authorization: `Bearer ${token}` } });
    expect(ingest.status).toBe(403);
    expect(await ingest.json()).toMatchObject({ error: { code: "invalid_token" } });
  });

  it("is refused by a Worker with no ADMIN_TOKEN bound, which deletes a dashboard only with its edit token", async () => {
    const { id, token } = await createDashboard();
    const unbound = { ...env, ADMIN_TOKEN: undefined } as Env;
    const listing = await app.fetch(new Request(`${BASE}/api/dashboards`, { headers: admin }), unbound);
    expect(listing.status).toBe(403);
    expect(await listing.json()).toMatchObject({ error: { code: "admin_not_configured" } });
    // Without a binding the admin's token is no token of the dashboard's.
    const byAdmin = await app.fetch(new Request(`${BASE}/api/dashboards/${id}`, { method: "DELETE", headers: admin }), unbound);
    expect(byAdmin.status).toBe(403);
    expect(await byAdmin.json()).toMatchObject({ error: { code: "invalid_token" } });
    expect((await SELF.fetch(`${BASE}/api/dashboards/${id}`)).status).toBe(200);
    const byEditor = await app.fetch(new Request(`${BASE}/api/dashboards/${id}`, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } }), unbound);
    expect(byEditor.status).toBe(204);
    expect((await SELF.fetch(`${BASE}/api/dashboards/${id}`)).status).toBe(404);
  });

  it("follows a title change at once, in the listing and its search", async () => {
    const { id, token } = await createDashboard(uniqueId("renamed"));
    const word = uniqueId("newtitle");
    const response = await SELF.fetch(`${BASE}/api/dashboards/${id}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: `Renamed ${word}` }),
    });
    expect(response.status).toBe(200);
    expect((await list({ q: word })).dashboards.map((dashboard) => [dashboard.id, dashboard.title])).toEqual([[id, `Renamed ${word}`]]);
  });
});

describe("the directory's shards", () => {
  it("hold each id in one of 16, the same each time, spread evenly", () => {
    const counts = new Array<number>(DIRECTORY_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const id = `dashboard-${i.toString(36)}`;
      expect(shardOf(id)).toBe(shardOf(id));
      counts[shardOf(id)]!++;
    }
    expect(DIRECTORY_SHARDS).toBe(16);
    // 1,000 each on average; a fair hash keeps every shard well within a fifth of that.
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(200);
  });
});

describe("the directory and the dashboards kept in step", () => {
  it("lists a dashboard whose listing failed when it was created, after its next request", async () => {
    const id = uniqueId("unlisted");
    await failPuts(id, true);
    try {
      expect((await create({ id })).status).toBe(201);
      expect(await shardEntries(id)).toEqual([]);
      expect((await list({ q: id })).dashboards).toEqual([]);
    } finally {
      await failPuts(id, false);
    }
    // A failed attempt is tried again by a request a second later.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await SELF.fetch(`${BASE}/api/dashboards/${id}`)).status).toBe(200);
    await eventually(async () => (await shardEntries(id)).length === 1, "the dashboard in its shard");
    expect((await list({ q: id })).dashboards.map((dashboard) => dashboard.id)).toEqual([id]);
  });

  it("lists a dashboard made without the directory, as before it existed, after its first request", async () => {
    const id = uniqueId("older");
    const stub = env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>;
    expect(await stub.create({ id, title: "Older", tokenHash: "0".repeat(64), viewKeyHash: null, now: Date.now() })).toBe(true);
    await evictDurableObject(stub);
    expect((await list({ q: id })).dashboards).toEqual([]);
    expect((await SELF.fetch(`${BASE}/api/dashboards/${id}/series?names=*`)).status).toBe(200);
    await eventually(async () => (await shardEntries(id)).length === 1, "the dashboard in its shard");
    expect((await list({ q: id })).dashboards).toMatchObject([{ id, title: "Older", private: false }]);
  });

  it("lists an unlisted dashboard once its alarm has run, with no request in between", async () => {
    const id = uniqueId("alarmed");
    const stub = env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>;
    expect(await stub.create({ id, title: "Alarmed", tokenHash: "0".repeat(64), viewKeyHash: null, now: Date.now() })).toBe(true);
    await runInDurableObject(stub, (_dashboard: Dashboard, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await shardEntries(id)).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await eventually(async () => (await shardEntries(id)).length === 1, "the dashboard in its shard");
  });

  it("leaves out, and removes, an entry whose dashboard no longer exists, creating nothing for it", async () => {
    const { id } = await createDashboard(uniqueId("wiped"));
    expect(await shardEntries(id)).toEqual([id]);
    const stub = env.DASHBOARD.getByName(id);
    await runInDurableObject(stub, async (_dashboard: Dashboard, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await evictDurableObject(stub);

    expect((await list({ q: id })).dashboards).toEqual([]);
    expect(await shardEntries(id)).toEqual([]);
    const tables = await runInDurableObject(stub, (_dashboard: Dashboard, state) => state.storage.sql.exec("SELECT name FROM sqlite_master").toArray());
    expect(tables).toEqual([]);
  });
});
