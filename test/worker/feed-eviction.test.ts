import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import type { ViewerAttachment } from "../../src/dashboard/viewer-registry";
import { CloseCode } from "../../src/common/protocol";
import { createDashboard, postMetrics } from "./api";
import { storeFleet } from "./direct-ingest";
import { Viewer } from "./viewer";

/** Every viewer socket's attachment, read inside the object. */
function attachments(id: string): Promise<ViewerAttachment[]> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => state.getWebSockets().map((socket) => socket.deserializeAttachment() as ViewerAttachment));
}

describe("a viewer's snapshot or replay cut off by an eviction", () => {
  it("is noted in the viewer's attachment only while it is being sent", async () => {
    const { id } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => storeFleet(instance, 1000, 40));
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    await viewer.until(() => viewer.position() === 40_000, "the snapshot's end");
    expect((await attachments(id)).map((attachment) => attachment.fedBy)).toEqual([undefined]);
    viewer.close();
  });

  it("makes the next instance close that viewer with 1012 instead of sending it live frames, and it resumes whole", async () => {
    const { id, token } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    const stored = await runInDurableObject(stub, (instance: Dashboard) => storeFleet(instance, 10, 5));
    const closed = await Viewer.open(id);
    await closed.nth("snapshot");
    // What an instance evicted in the middle of this viewer's feed leaves behind: the
    // attachment still names it as feeding the viewer (the runtime keeps attachments).
    await runInDurableObject(stub, (_instance: Dashboard, state) => {
      const socket = state.getWebSockets()[0]!;
      socket.serializeAttachment({ ...(socket.deserializeAttachment() as ViewerAttachment), fedBy: "an-evicted-instance" } satisfies ViewerAttachment);
    });
    const open = await Viewer.open(id);
    await open.nth("snapshot");
    await evictDurableObject(stub, { webSockets: "hibernate" });
    expect((await postMetrics(id, token, { name: "system.cpu", value: -1, tags: { host: "h0" } })).status).toBe(200);

    await closed.until(() => closed.closed !== null, "the cut-off viewer's close");
    expect(closed.closed!.code).toBe(CloseCode.restarted);
    expect(closed.all("points")).toEqual([]);
    // The other viewer goes on as if nothing happened.
    await open.until(() => open.position() === stored.seq!.to + 1, "the next point at the other viewer");
    expect(open.receivedValues(stored.seq!.to).get("system.cpu{host=h0}")).toEqual([-1]);

    const back = await Viewer.open(id, { since: String(closed.position()) });
    await back.until(() => back.all("resumed").length === 1, "the resume");
    expect([...back.receivedValues(closed.position()).values()].flat()).toEqual([-1]);
    back.close();
    open.close();
  });
});
