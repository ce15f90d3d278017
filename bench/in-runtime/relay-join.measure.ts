// What a crowd joining costs the dashboard's object, with the settings as deployed (wrangler.toml:
// relays after 1,000 viewers, 1,000 viewers per relay, the routing answer reused for a second):
// 4,000 viewers open sockets to a 20-series dashboard 100 at a time, and every call into the
// dashboard's object (the Worker's upgrades and routing questions, the relays' attaches, fetches
// and count reports) is counted. Every viewer's snapshot is checked.
// Command: npx vitest run --config bench/in-runtime/vitest.config.ts bench/in-runtime/relay-join.measure.ts
import { expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "../../test/worker/api";
import { callsSoFar, countCalls } from "../../test/worker/dashboard-calls";
import { socketsOnRelays } from "../../test/worker/relay-sockets";
import { Viewer } from "../../test/worker/viewer";

const CROWD = 4_000;

it(`counts the dashboard's calls while ${CROWD} viewers join`, async () => {
  const { id, token } = await createDashboard(uniqueId("join"));
  const now = Date.now();
  const points = Array.from({ length: 20 }, (_, s) => Array.from({ length: 30 }, (_, i) => ({ name: `s${s}`, value: i, ts: now - (30 - i) * 1000 }))).flat();
  expect((await postMetrics(id, token, points)).status).toBe(200);
  await countCalls(id);

  const began = performance.now();
  const viewers: Viewer[] = [];
  for (let i = 0; i < CROWD; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, CROWD - i) }, () => Viewer.open(id)));
    await Promise.all(batch.map((viewer) => viewer.nth("snapshot")));
    viewers.push(...batch);
  }
  const ms = performance.now() - began;
  const calls = await callsSoFar(id);
  const relays = await socketsOnRelays(id, 8);
  const direct = CROWD - relays.reduce((sum, count) => sum + count, 0);
  const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
  console.log(`${CROWD} viewers joined in ${(ms / 1000).toFixed(1)} s: ${direct} on the dashboard, relays ${relays.join(", ")}`);
  console.log(`calls into the dashboard: ${total} in all, ${JSON.stringify(calls)}`);
  viewers.forEach((viewer) => viewer.close());
  // The closes reach the objects before the runtime is torn down.
  await new Promise((resolve) => setTimeout(resolve, 1000));
}, 600_000);
