// Run with every viewer sent to a relay (RELAY_AFTER_VIEWERS = 0), 100 viewers per relay, and
// the Worker reusing a routing answer for a second (test/worker/vitest.config.ts, project
// "workerd-relay-crowd"), as a deployment with a large audience has it.
import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api";
import { callsSoFar, countCalls } from "./dashboard-calls";
import { socketsOnRelays } from "./relay-sockets";
import { Viewer } from "./viewer";

it("400 viewers joining a relayed dashboard at once cost it requests per relay, not per viewer, and each gets the same snapshot", async () => {
  const { id, token } = await createDashboard(uniqueId("crowd"));
  const now = Date.now();
  const points = Array.from({ length: 20 }, (_, s) => Array.from({ length: 30 }, (_, i) => ({ name: `s${s}`, value: i, ts: now - (30 - i) * 1000 }))).flat();
  expect((await postMetrics(id, token, points)).status).toBe(200);
  await countCalls(id);

  const crowd = 400;
  const viewers: Viewer[] = [];
  for (let i = 0; i < crowd; i += 50) viewers.push(...(await Promise.all(Array.from({ length: Math.min(50, crowd - i) }, () => Viewer.open(id)))));
  const snapshots = await Promise.all(viewers.map((viewer) => viewer.nth("snapshot")));
  for (const snapshot of snapshots) expect(snapshot.series.map((series) => series.values.length)).toEqual(Array.from({ length: 20 }, () => 30));

  const calls = await callsSoFar(id);
  console.log(`dashboard calls while ${crowd} viewers joined: ${JSON.stringify(calls)}`);
  // Routing: the Worker asks once, then reuses the answer for a second.
  expect(calls.fetch).toBeLessThan(20);
  // The crowd fills relays at 100 each, and each relay attaches once and reads its base then;
  // the viewers' snapshots come from the relays.
  const spread = await socketsOnRelays(id, 6);
  expect(spread.reduce((sum, count) => sum + count, 0)).toBe(crowd);
  expect(Math.max(...spread)).toBeLessThanOrEqual(150);
  expect(calls.attachRelay).toBeLessThanOrEqual(6);
  expect(calls.relayRange + calls.relayRecent).toBeLessThanOrEqual(8);
  viewers.forEach((viewer) => viewer.close());
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await SELF.fetch("http://localhost/healthz").then((response) => response.status)).toBe(200);
}, 60_000);

it("a flood of messages from a relayed socket is handled by its relay: the dashboard hears next to none of it", async () => {
  const { id, token } = await createDashboard(uniqueId("flood"));
  await postMetrics(id, token, [{ name: "a", value: 1 }]);
  const flooder = await Viewer.open(id);
  await flooder.nth("snapshot");
  await countCalls(id);
  for (let i = 0; i < 2000; i++) flooder.send(i % 2 ? { type: "subscribe", series: ["*"] } : { type: "resume", since: 0 });
  await flooder.until(() => flooder.closed !== null, "the flooder's close", 10_000);
  const calls = await callsSoFar(id);
  console.log(`dashboard calls during a 2,000-message flood on a relay: ${JSON.stringify(calls)}`);
  // The first `since=0` fetches the one point stored before the relay attached; the rest are
  // served from what the relay then holds.
  expect(calls.relayRange).toBeLessThanOrEqual(1);
  expect(calls.relayRecent + calls.relayHistory + calls.attachRelay + calls.fetch).toBe(0);
}, 30_000);
