/**
 * Resume across a restart of the server: the points and positions live in the dashboard's
 * SQLite storage, so a viewer that comes back to a restarted `wrangler dev` (same persisted
 * state) gets exactly what it missed.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";
import { NodeViewer } from "./node-viewer.ts";

const servers: DevServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.dispose();
});

describe("resuming across a wrangler dev restart", () => {
  it("replays exactly the 1,000 points sent while the viewer was away, in order, once", async () => {
    const first = await startDevServer();
    servers.push(first);
    const dashboard = await createDashboard(first.url, uniqueId("restart"));
    await postMetrics(first.url, dashboard.id, dashboard.ingestToken, [{ name: "n", value: -1 }]);
    const viewer = await NodeViewer.open(first.url, dashboard.id);
    await viewer.until(() => viewer.position() === 1, "the first point");
    viewer.close();
    await first.stop();

    const second = await startDevServer({ port: first.port, persistTo: first.persistTo });
    servers.push(second);
    const sent: string[] = [];
    // Each point at a time of its own: points at one series and time are one point.
    const start = Date.now() - 60_000;
    for (let request = 0; request < 50; request++) {
      const points = Array.from({ length: 20 }, (_, i) => ({ name: "n", value: request * 20 + i, ts: start + request * 20 + i }));
      points.forEach((point) => sent.push(`n=${point.value}`));
      await postMetrics(second.url, dashboard.id, dashboard.ingestToken, points);
    }

    const back = await NodeViewer.open(second.url, dashboard.id, 1);
    await back.until(() => back.position() === 1001, "all 1,000 missed points");
    expect(back.frames.some((frame) => frame.type === "snapshot")).toBe(false);
    expect(back.points()).toEqual(sent);
    const resumed = back.frames.find((frame) => frame.type === "resumed");
    expect(resumed).toMatchObject({ since: 1 });
    back.close();
  });
});
