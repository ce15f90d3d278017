// Run with every viewer sent to a relay (RELAY_AFTER_VIEWERS = 0), one viewer per relay, two
// relays per object (RELAY_FAN_OUT = 2: relays 0 and 1 take the dashboard's frames, 2 and 3
// relay 0's, 4 and 5 relay 1's, 6 relay 2's), and the routing answer never reused
// (test/worker/vitest.config.ts, project "workerd-relays").
import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import type { Relay } from "../../src/relay/relay-object";
import { CloseCode } from "../../src/common/protocol";
import { VIEW_KEY_PROTOCOL_PREFIX } from "../../src/common/http-contract";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";
import { BASE, createDashboard, postMetrics, uniqueId } from "./api";
import { callsSoFar, countCalls } from "./dashboard-calls";
import { storeOf } from "./object-store";
import { audience, eventually, relayOf, socketsOnRelays } from "./relay-sockets";
import { snapshotPointsPerSeries } from "../../src/dashboard/snapshot-budget";
import { seriesPerFetch } from "../../src/relay/relay-contract";
import { Viewer } from "./viewer";

/** Open sockets the dashboard's own object holds. */
function socketsOnDashboard(id: string): Promise<number> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (_dashboard: Dashboard, state) => state.getWebSockets().length);
}



/** Opens `count` viewers one at a time, each once the dashboard counts the one before, so each lands on a relay of its own. */
async function spreadViewers(id: string, count: number, query: Record<string, string> = {}): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  for (let i = 0; i < count; i++) {
    const viewer = await Viewer.open(id, query);
    await viewer.nth(query.since === undefined ? "snapshot" : "resumed");
    viewers.push(viewer);
    await eventually(async () => (await audience(id)) === i + 1, `the dashboard counting ${i + 1} viewers`);
  }
  return viewers;
}

/** A time of its own for each point posted without one (points at one series and time are one point). */
let clock = Date.now() - 600_000;
function timed(points: object | object[]): object | object[] {
  const stamp = (point: object) => ("ts" in point ? point : { ...point, ts: clock++ });
  return Array.isArray(points) ? points.map(stamp) : stamp(points);
}

async function post(id: string, token: string, points: object | object[]): Promise<number> {
  const response = await postMetrics(id, token, timed(points));
  expect(response.status).toBe(200);
  return (await response.json<{ seq: { to: number } }>()).seq.to;
}

describe("viewers on relays", () => {
  it("are spread over relays, none on the dashboard, and each gets every point exactly once, in order", async () => {
    const { id, token } = await createDashboard();
    await post(id, token, { name: "before", value: 1 });
    const viewers = await spreadViewers(id, 3);
    expect(await socketsOnRelays(id, 3)).toEqual([1, 1, 1]);
    expect(await socketsOnDashboard(id)).toBe(0);
    for (const viewer of viewers) expect((await viewer.nth("snapshot")).series.map((series) => series.key)).toEqual(["before"]);

    let last = 0;
    for (let i = 0; i < 30; i++) last = await post(id, token, [{ name: "n", value: i }, { name: "m", value: -1 - i, tags: { k: "v" } }]);
    for (const viewer of viewers) {
      await viewer.until(() => viewer.position() === last, "every point at the viewer");
      const received = viewer.receivedValues(1);
      expect(received.get("n")).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(received.get("m{k=v}")).toEqual(Array.from({ length: 30 }, (_, i) => -1 - i));
    }
    viewers.forEach((viewer) => viewer.close());
  });

  it("are counted across relays, and every viewer is told the whole audience", async () => {
    const { id } = await createDashboard();
    const viewers = await spreadViewers(id, 3);
    for (const viewer of viewers) await viewer.until(() => viewer.viewerCount() === 3, "the count of 3");
    viewers[0]!.close();
    await eventually(async () => (await audience(id)) === 2, "the dashboard counting 2");
    for (const viewer of viewers.slice(1)) await viewer.until(() => viewer.viewerCount() === 2, "the count of 2");
    viewers.slice(1).forEach((viewer) => viewer.close());
  });

  it("hear a config change at once", async () => {
    const { id, token } = await createDashboard();
    const viewers = await spreadViewers(id, 2);
    const response = await SELF.fetch(`${BASE}/api/dashboards/${id}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "Relayed" }),
    });
    expect(response.status).toBe(200);
    for (const viewer of viewers) expect(await viewer.nth("config")).toMatchObject({ type: "config", title: "Relayed" });
    // A viewer joining later is greeted with the new title.
    const late = await Viewer.open(id);
    expect(await late.nth("hello")).toMatchObject({ title: "Relayed" });
    [...viewers, late].forEach((viewer) => viewer.close());
  });

  it("get history answers as the dashboard gives them", async () => {
    const { id, token } = await createDashboard();
    const now = Date.now();
    await post(id, token, [
      { name: "h", value: 1, ts: now - 5000 },
      { name: "h", value: 3, ts: now - 4000 },
    ]);
    const [viewer] = await spreadViewers(id, 1);
    viewer!.send({ type: "history", id: "q", series: ["h"], from: now - 10_000, to: now, step: 60_000 });
    const answer = await viewer!.nth("history");
    const direct = await (await SELF.fetch(`${BASE}/api/dashboards/${id}/series?names=h&from=${now - 10_000}&to=${now}&step=60000`)).json();
    expect(answer).toEqual({ type: "history", id: "q", ...(direct as object) });
    viewer!.close();
  });
});

describe("relays of relays", () => {
  it("three levels of relays: every viewer gets every point once, in order, counted in the total, through an eviction in the middle", async () => {
    const { id, token } = await createDashboard();
    const viewers = await spreadViewers(id, 7);
    // Relay 6 takes its frames from relay 2, which takes them from relay 0.
    expect(await socketsOnRelays(id, 7)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    for (const viewer of viewers) await viewer.until(() => viewer.viewerCount() === 7, "the count of 7");
    const start = viewers[0]!.position();
    await post(id, token, { name: "t", value: 1 });
    // The relay in the middle of the deepest branch is evicted once its frames have stopped.
    await new Promise((resolve) => setTimeout(resolve, 2300));
    await evictDurableObject(relayOf(id, 2), { webSockets: "hibernate" });
    await post(id, token, { name: "t", value: 2 });
    const last = await post(id, token, [{ name: "t", value: 3 }, { name: "u", value: 4 }]);
    for (const viewer of viewers) {
      await viewer.until(() => viewer.position() === last, "every point at every level");
      expect(viewer.receivedValues(start).get("t")).toEqual([1, 2, 3]);
      expect(viewer.closed).toBeNull();
    }
    // A viewer joining the deepest relay later gets a snapshot of everything.
    viewers[6]!.close();
    await eventually(async () => (await audience(id)) === 6, "the count of 6");
    const late = await Viewer.open(id);
    const snapshot = await late.nth("snapshot");
    await late.until(() => late.position() === last, "the late viewer's snapshot and catch-up");
    const held = new Map(snapshot.series.map((series) => [series.key, series.values]));
    for (const [key, values] of late.receivedValues(snapshot.seq)) held.set(key, [...(held.get(key) ?? []), ...values]);
    expect(Object.fromEntries(held)).toEqual({ t: [1, 2, 3], u: [4] });
    expect(await socketsOnRelays(id, 7)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    [...viewers.slice(0, 6), late].forEach((viewer) => viewer.close());
  }, 20_000);
});

describe("a relay attaching to a dashboard of many series", () => {
  it("takes one fetch's worth of points with its attach and the rest in calls of the same size, and its viewer's snapshot is whole", async () => {
    const { id, token } = await createDashboard();
    const now = Date.now();
    // 40 series of 600 points: a snapshot holds `perSeries` of each, more than one fetch carries.
    const perSeries = snapshotPointsPerSeries(40);
    const carried = seriesPerFetch(perSeries);
    expect(carried).toBeLessThan(40);
    const keys = Array.from({ length: 40 }, (_, s) => `s${String(s).padStart(2, "0")}`);
    let last = 0;
    for (let from = 0; from < 600; from += 100) {
      last = await post(id, token, keys.flatMap((name, s) => Array.from({ length: 100 }, (_, i) => ({ name, value: s * 1000 + from + i, ts: now - 600_000 + (from + i) * 1000 }))));
    }
    // A relay attaches at the broadcast position: the snapshot holds every point once it is there.
    await eventually(() => runInDurableObject(env.DASHBOARD.getByName(id), (dashboard: Dashboard) => storeOf(dashboard).positions()!.broadcastSeq === last), "the last frame");
    await countCalls(id);
    const viewer = await Viewer.open(id);
    const snapshot = await viewer.nth("snapshot");
    expect(await socketsOnDashboard(id)).toBe(0);
    expect(snapshot.series.map((series) => series.key)).toEqual(keys);
    snapshot.series.forEach((series, s) => expect(series.values).toEqual(Array.from({ length: perSeries }, (_, i) => s * 1000 + 600 - perSeries + i)));
    const calls = await callsSoFar(id);
    expect(calls.attachRelay).toBe(1);
    expect(calls.relayRecent).toBe(Math.ceil((40 - carried) / carried));
    viewer.close();
  });
});

describe("resuming through a relay", () => {
  it("replays from a position inside the relay's window, from inside a frame, and from before the window", async () => {
    const { id, token } = await createDashboard();
    // Stored before the relay existed: outside its window, which starts where it attached.
    await post(id, token, [{ name: "x", value: 1 }, { name: "x", value: 2 }]);
    const [first] = await spreadViewers(id, 1);
    const frameEnd = await post(id, token, [{ name: "x", value: 3 }, { name: "x", value: 4 }, { name: "x", value: 5 }]);
    const last = await post(id, token, [{ name: "x", value: 6 }]);
    await first!.until(() => first!.position() === last, "the points at the first viewer");

    const cases: [since: number, expected: number[]][] = [
      [frameEnd, [6]], // a frame boundary the relay holds
      [frameEnd - 1, [5, 6]], // inside a frame: the relay fetches the rest of it
      [0, [1, 2, 3, 4, 5, 6]], // before the window: fetched from the dashboard
    ];
    for (const [since, expected] of cases) {
      const back = await Viewer.open(id, { since: String(since) });
      const resumed = await back.nth("resumed");
      expect(resumed).toMatchObject({ since, seq: last });
      expect(back.receivedValues(since).get("x") ?? []).toEqual(expected);
      expect(back.all("snapshot")).toEqual([]);
      back.close();
    }
    first!.close();
  });
});

describe("a relay or a dashboard restarting", () => {
  it("a relay evicted with hibernated viewers after frames stopped goes on where they were, without a gap", async () => {
    const { id, token } = await createDashboard();
    const [viewer] = await spreadViewers(id, 1);
    const start = viewer!.position();
    await post(id, token, { name: "e", value: 1 });
    // The relay notes its viewers' position once frames have stopped for 2 s.
    await new Promise((resolve) => setTimeout(resolve, 2300));
    await evictDurableObject(relayOf(id, 0), { webSockets: "hibernate" });
    const last = await post(id, token, [{ name: "e", value: 2 }, { name: "e", value: 3 }]);
    await viewer!.until(() => viewer!.position() === last, "the points after the eviction");
    expect(viewer!.closed).toBeNull();
    expect(viewer!.receivedValues(start).get("e")).toEqual([1, 2, 3]);
    viewer!.close();
  }, 10_000);

  it("a relay evicted while frames flow closes its viewers to resume (1012), and the resume fills the gap", async () => {
    const { id, token } = await createDashboard();
    const [viewer] = await spreadViewers(id, 1);
    const start = viewer!.position();
    await post(id, token, { name: "f", value: 1 });
    await viewer!.until(() => viewer!.position() > start, "the first point");
    // The test runtime evicts an object only once its timers have run, by which time the relay
    // has noted its viewers' position; an eviction while frames flow leaves the record as the
    // relay wrote it when frames started: not settled.
    await new Promise((resolve) => setTimeout(resolve, 2300));
    await runInDurableObject(relayOf(id, 0), (_relay: Relay, state) => {
      state.storage.kv.put("relay", { ...state.storage.kv.get<object>("relay"), settled: false });
    });
    await evictDurableObject(relayOf(id, 0), { webSockets: "hibernate" });
    const last = await post(id, token, { name: "f", value: 2 });
    await viewer!.until(() => viewer!.closed !== null, "the close");
    expect(viewer!.closed!.code).toBe(CloseCode.restarted);
    const back = await Viewer.open(id, { since: String(viewer!.position()) });
    await back.until(() => back.position() === last, "the resume");
    expect([...viewer!.receivedValues(start).get("f")!, ...back.receivedValues(viewer!.position()).get("f")!]).toEqual([1, 2]);
    back.close();
  }, 10_000);

  it("the dashboard evicted mid-stream: relayed viewers go on without a gap", async () => {
    const { id, token } = await createDashboard();
    const viewers = await spreadViewers(id, 2);
    const start = viewers[0]!.position();
    await post(id, token, { name: "d", value: 1 });
    await evictDurableObject(env.DASHBOARD.getByName(id));
    await post(id, token, { name: "d", value: 2 });
    const last = await post(id, token, { name: "d", value: 3 });
    for (const viewer of viewers) {
      await viewer.until(() => viewer.position() === last, "the points after the dashboard's eviction");
      expect(viewer.receivedValues(start).get("d")).toEqual([1, 2, 3]);
    }
    viewers.forEach((viewer) => viewer.close());
  });

  it("a relay that missed a push refills from the dashboard before forwarding anything later", async () => {
    const { id, token } = await createDashboard();
    const [viewer] = await spreadViewers(id, 1);
    const start = viewer!.position();
    // The next frame's push is lost on its way to the relay.
    await runInDurableObject(env.DASHBOARD.getByName(id), (dashboard: Dashboard) => {
      const fleet = (dashboard as unknown as { relays: { framed: (run: unknown) => void } }).relays;
      const framed = fleet.framed.bind(fleet);
      fleet.framed = () => {
        fleet.framed = framed;
      };
    });
    await post(id, token, [{ name: "g", value: 1 }, { name: "g", value: 2 }]);
    const last = await post(id, token, { name: "g", value: 3 });
    await viewer!.until(() => viewer!.position() === last, "the points after the lost push");
    expect(viewer!.receivedValues(start).get("g")).toEqual([1, 2, 3]);
    viewer!.close();
  });
});

describe("who reaches a relay", () => {
  it("a private dashboard's viewer needs its view key before a relay sees the socket", async () => {
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id: uniqueId("private"), private: true }),
    });
    const { id, viewKey } = await created.json<{ id: string; viewKey: string }>();
    const refused = await Viewer.handshake(id);
    expect(refused.status).toBe(401);
    const wrong = await Viewer.handshake(id, {}, { "Sec-WebSocket-Protocol": `${VIEW_KEY_PROTOCOL_PREFIX}nope` });
    expect(wrong.status).toBe(403);
    expect(await socketsOnRelays(id, 1)).toEqual([0]);
    const viewer = await Viewer.open(id, {}, { "Sec-WebSocket-Protocol": `${VIEW_KEY_PROTOCOL_PREFIX}${viewKey}` });
    await viewer.nth("snapshot");
    expect(await socketsOnRelays(id, 1)).toEqual([1]);
    viewer.close();
  });

  it("a revoked key's viewers are closed on every relay, a relay's relay too, and its next upgrade is refused", async () => {
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id: uniqueId("private"), private: true }),
    });
    const { id, viewKey } = await created.json<{ id: string; viewKey: string }>();
    const keyed = { "Sec-WebSocket-Protocol": `${VIEW_KEY_PROTOCOL_PREFIX}${viewKey}` };
    const viewers: Viewer[] = [];
    // Relays 0 and 1 below the dashboard, relay 2 below relay 0.
    for (let i = 0; i < 3; i++) {
      const viewer = await Viewer.open(id, {}, keyed);
      await viewer.nth("snapshot");
      viewers.push(viewer);
      await eventually(async () => (await (await SELF.fetch(`${BASE}/api/dashboards/${id}`, { headers: { "X-Pulseboard-View-Key": viewKey } })).json<{ viewers: number }>()).viewers === i + 1, `${i + 1} viewers`);
    }
    expect(await socketsOnRelays(id, 3)).toEqual([1, 1, 1]);
    const tokens = await (await SELF.fetch(`${BASE}/api/dashboards/${id}/tokens`, { headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` } })).json<{ tokens: { id: string; scope: string }[] }>();
    const key = tokens.tokens.find((token) => token.scope === "read")!;
    const revoked = await SELF.fetch(`${BASE}/api/dashboards/${id}/tokens/${key.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` } });
    expect(revoked.status).toBe(204);
    for (const viewer of viewers) {
      await viewer.until(() => viewer.closed !== null, "the close");
      expect(viewer.closed!.code).toBe(CloseCode.revoked);
    }
    expect((await Viewer.handshake(id, {}, keyed)).status).toBe(403);
  });

  it("a relay refuses a viewer a Worker admitted with a revoked token, whether it held viewers then or attached since", async () => {
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id: uniqueId("private"), private: true }),
    });
    const { id, viewKey } = await created.json<{ id: string; viewKey: string }>();
    const first = await Viewer.open(id, {}, { "Sec-WebSocket-Protocol": `${VIEW_KEY_PROTOCOL_PREFIX}${viewKey}` });
    await first.nth("snapshot");
    // A token made after relay 0 attached: the relay asks the dashboard about it.
    const made = await SELF.fetch(`${BASE}/api/dashboards/${id}/tokens`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "screen", scope: "read" }),
    });
    const screen = await made.json<{ id: string }>();
    // What a Worker sends a relay for a viewer it admitted, as one holding an old routing answer would.
    const upgrade = (index: number) => relayOf(id, index).fetch(`${BASE}/api/dashboards/${id}/ws`, { headers: { Upgrade: "websocket", "X-Pulseboard-Viewer-Token": screen.id } });
    const admitted = await upgrade(0);
    expect(admitted.status).toBe(101);
    admitted.webSocket!.accept();
    const closed = new Promise<number>((resolve) => admitted.webSocket!.addEventListener("close", (event) => resolve(event.code)));
    const revoked = await SELF.fetch(`${BASE}/api/dashboards/${id}/tokens/${screen.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}` } });
    expect(revoked.status).toBe(204);
    expect(await closed).toBe(CloseCode.revoked);
    // Relay 0 held viewers when the token was revoked; relay 5 attaches only now.
    for (const index of [0, 5]) {
      const refused = await upgrade(index);
      expect(refused.status, `relay ${index}`).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: "invalid_view_key" } });
    }
    expect(first.closed).toBeNull();
    first.close();
  });

  it("a relay takes the token that let a viewer in only from the Worker, never from the client", async () => {
    const created = await SELF.fetch(`${BASE}/api/dashboards`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ id: uniqueId("public") }),
    });
    const { id } = await created.json<{ id: string }>();
    const viewer = await Viewer.open(id, {}, { "X-Pulseboard-Viewer-Token": "tk_AAAAAAAAAAAA" });
    await viewer.nth("snapshot");
    const tags = await runInDurableObject(relayOf(id, 0), (_relay: Relay, state) => state.getWebSockets().map((socket) => state.getTags(socket)));
    expect(tags).toEqual([[]]);
    viewer.close();
  });

  it("an unknown dashboard's upgrade is refused and creates no relay", async () => {
    const id = uniqueId("unknown");
    const response = await Viewer.handshake(id);
    expect(response.status).toBe(404);
    const footprint = await runInDurableObject(relayOf(id, 0), (_relay: Relay, state) => ({
      tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master").toArray().map((row) => row.name),
      sockets: state.getWebSockets().length,
    }));
    expect(footprint).toEqual({ tables: [], sockets: 0 });
  });

  it("a Relay object whose name names no relay takes no viewer", async () => {
    const stray = env.RELAY.getByName(`${uniqueId("stray")}-not-a-relay`);
    const response = await stray.fetch(`${BASE}/api/dashboards/x/ws`, { headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "relays are reached through their dashboard" } });
  });
});
