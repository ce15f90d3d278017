import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { deferredCloseLimits } from "../../src/dashboard/deferred-closes";
import { socketBudgetLimits } from "../../src/dashboard/socket-budget";
import type { ViewerAttachment } from "../../src/dashboard/viewer-registry";
import { SNAPSHOT_MAX_POINTS } from "../../src/dashboard/snapshot-budget";
import { SeriesBatchBuilder } from "../../src/ingest/series-batch-builder";
import { CloseCode } from "../../src/common/protocol";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

/**
 * Stores `seriesCount` tagged series of `perSeries` points each (times one second apart,
 * ending now) straight through the object's ingest, in one request: a dashboard fed like a
 * fleet, without a thousand round trips through the Worker.
 */
async function feedFleet(id: string, seriesCount: number, perSeries: number): Promise<number> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => {
    const builder = new SeriesBatchBuilder();
    const end = Date.now();
    let item = 0;
    for (let s = 0; s < seriesCount; s++) {
      const host = `host-${String(Math.floor(s / 4)).padStart(3, "0")}`;
      const name = `fleet.${["cpu", "mem", "disk", "net"][s % 4]}`;
      for (let i = 0; i < perSeries; i++) builder.add(`${name}{host=${host}}`, name, { host }, end - (perSeries - i) * 1000, Math.random() * 100, item++);
    }
    const answer = instance.ingest({ credential: { kind: "admin" }, series: builder.build(), rejected: [], unit: "index", total: item });
    if (answer.status !== "stored") throw new Error(`fleet not stored: ${JSON.stringify(answer)}`);
    return answer.seq!.to;
  });
}

const resumeAt = (since: number) => ({ type: "resume", since });

describe.each([
  ["while the object stays in memory", false],
  ["across a hibernation of the object", true],
])("a socket's budget %s", (_when, evict) => {
  const hibernate = async (id: string) => {
    if (evict) await evictDurableObject(env.DASHBOARD.getByName(id), { webSockets: "hibernate" });
  };

  it("closes a socket that sends more messages than a window allows with 4529, and the other viewers keep every point", async () => {
    const { id, token } = await createDashboard();
    await postMetrics(id, token, { name: "a", value: 1 });
    const [abuser, watcher] = await Promise.all([Viewer.open(id), Viewer.open(id)]);
    await Promise.all([abuser.nth("snapshot"), watcher.nth("snapshot")]);
    const half = Math.floor(socketBudgetLimits.messages / 2);
    for (let n = 0; n < half; n++) abuser.send(resumeAt(1));
    await abuser.nth("resumed", half);
    await hibernate(id);
    for (let n = 0; n < socketBudgetLimits.messages * 3; n++) abuser.send(resumeAt(1));
    await abuser.until(() => abuser.closed !== null, "the abuser's close");
    expect(abuser.closed!.code).toBe(CloseCode.overBudget);
    // The message over the budget was not served.
    expect(abuser.all("resumed")).toHaveLength(socketBudgetLimits.messages);

    await postMetrics(id, token, { name: "a", value: 2 });
    await watcher.until(() => watcher.position() === 2, "the next point at the watcher");
    expect(watcher.receivedValues(1).get("a")).toEqual([2]);
    watcher.close();
  });

  it("counts invalid messages per window: valid messages between them do not clear the count", async () => {
    const { id } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    for (let n = 0; n < socketBudgetLimits.invalid - 1; n++) {
      viewer.send("nonsense");
      viewer.send(resumeAt(0));
      await viewer.nth("resumed", n + 1);
      if (n === 3) await hibernate(id);
    }
    expect(viewer.closed).toBeNull();
    viewer.send("nonsense");
    await viewer.until(() => viewer.closed !== null, "the close");
    expect(viewer.closed!.code).toBe(CloseCode.tooManyInvalidMessages);
    expect(viewer.all("error")).toHaveLength(socketBudgetLimits.invalid);
  });

  it("closes a socket that asks for more snapshot points than a window allows with 4529", async () => {
    const { id } = await createDashboard();
    await feedFleet(id, 100, 600);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    await hibernate(id);
    // Each subscribe asks for a whole snapshot (the join's counts too).
    const snapshots = Math.floor(socketBudgetLimits.work / SNAPSHOT_MAX_POINTS);
    for (let n = 0; n < snapshots + 1; n++) viewer.send({ type: "subscribe", series: ["*"] });
    await viewer.until(() => viewer.closed !== null, "the close");
    expect(viewer.closed!.code).toBe(CloseCode.overBudget);
    expect(viewer.all("subscribed").length).toBeLessThanOrEqual(snapshots);
  });
});

describe("a newer request", () => {
  it("replaces a snapshot still being sent: only the newer subscription's snapshot arrives", async () => {
    const { id } = await createDashboard();
    await feedFleet(id, 100, 600);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send({ type: "subscribe", series: ["fleet.*"] });
    viewer.send({ type: "subscribe", series: ["fleet.cpu{host=host-007}"] });
    const newer = await viewer.nth("snapshot", 2);
    expect(newer.series.map((series) => series.key)).toEqual(["fleet.cpu{host=host-007}"]);
    // Whatever the older subscription had left is never sent, even later.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(viewer.all("subscribed")).toHaveLength(2);
    expect(viewer.all("snapshot")).toHaveLength(2);
    viewer.close();
  });

  it("replaces a replay still being sent: its remaining frames and its resumed never arrive", async () => {
    const { id } = await createDashboard();
    const seq = await feedFleet(id, 100, 600);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send(resumeAt(0));
    viewer.send({ type: "subscribe", series: ["fleet.mem{host=host-001}"] });
    await viewer.nth("snapshot", 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(viewer.all("resumed")).toEqual([]);
    const replayed = viewer.all("points").filter((frame) => frame.replay);
    expect(replayed.reduce((sum, frame) => sum + frame.to - frame.from + 1, 0)).toBeLessThan(seq);
    viewer.close();
  });
});

describe("a socket being closed", () => {
  it("has the messages it sent after its last allowed one ignored, not acted on", async () => {
    const { id } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    const stub = env.DASHBOARD.getByName(id);
    // Counts what the object acts on, on the live instance.
    await runInDurableObject(stub, (instance) => {
      const target = (instance as unknown as { stream: { handle: (...args: unknown[]) => void; handled: number } }).stream;
      const handle = target.handle.bind(target);
      target.handled = 0;
      target.handle = (...args: unknown[]) => {
        target.handled++;
        handle(...args);
      };
    });
    for (let n = 0; n < socketBudgetLimits.invalid; n++) viewer.send("nonsense");
    for (let n = 0; n < 20; n++) viewer.send(resumeAt(0));
    await viewer.until(() => viewer.closed !== null, "the close");
    expect(viewer.closed!.code).toBe(CloseCode.tooManyInvalidMessages);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runInDurableObject(stub, (instance) => (instance as unknown as { stream: { handled: number } }).stream.handled)).toBe(0);
  });

  it("stays open while its messages keep coming, gets nothing more, leaves the viewer count at once, and is closed once they stop", async () => {
    const { id, token } = await createDashboard();
    const [abuser, watcher] = await Promise.all([Viewer.open(id), Viewer.open(id)]);
    await Promise.all([abuser.nth("snapshot"), watcher.nth("snapshot")]);
    await watcher.until(() => watcher.viewerCount() === 2, "both viewers counted");
    for (let n = 0; n <= socketBudgetLimits.messages; n++) abuser.send(resumeAt(0));
    await watcher.until(() => watcher.viewerCount() === 1, "the abuser leaving the count");
    const heard = abuser.frames.length;
    // Closing a socket with its messages still in flight stalls the object: it waits for them to stop.
    const sendingFor = 4 * deferredCloseLimits.quietMs;
    for (let waited = 0; waited < sendingFor; waited += deferredCloseLimits.quietMs / 5) {
      abuser.send(resumeAt(0));
      await new Promise((resolve) => setTimeout(resolve, deferredCloseLimits.quietMs / 5));
      expect(abuser.closed).toBeNull();
    }
    expect((await postMetrics(id, token, { name: "a", value: 1 })).status).toBe(200);
    await watcher.until(() => watcher.position() === 1, "the point at the watcher");
    const stopped = Date.now();
    await abuser.until(() => abuser.closed !== null, "the abuser's close");
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(deferredCloseLimits.quietMs / 2);
    expect(abuser.closed!.code).toBe(CloseCode.overBudget);
    // Not the live point, and no answer to anything it sent once over its budget.
    expect(abuser.frames.slice(heard).map((frame) => frame.type)).toEqual([]);
  });

  it("that keeps sending is closed at the latest mostMs after it went over its budget", async () => {
    const { id } = await createDashboard();
    const abuser = await Viewer.open(id);
    await abuser.nth("snapshot");
    for (let n = 0; n <= socketBudgetLimits.messages; n++) abuser.send(resumeAt(0));
    const over = Date.now();
    while (abuser.closed === null && Date.now() - over < 2 * deferredCloseLimits.mostMs) {
      abuser.send(resumeAt(0));
      await new Promise((resolve) => setTimeout(resolve, deferredCloseLimits.quietMs / 5));
    }
    expect(abuser.closed?.code).toBe(CloseCode.overBudget);
    expect(Date.now() - over).toBeGreaterThanOrEqual(deferredCloseLimits.mostMs - 500);
  }, 20_000);

  // Looks inside the dashboard's object at the viewer's socket, which a relayed viewer's is not in.
  it.skipIf((env.RELAY_AFTER_VIEWERS as string) === "0")("is closed at once by the instance after an eviction, which finds it condemned in its attachment", async () => {
    const { id, token } = await createDashboard();
    const stub = env.DASHBOARD.getByName(id);
    // Told apart inside the object by their subscriptions.
    const [abuser, watcher] = await Promise.all([Viewer.open(id, { series: "a" }), Viewer.open(id)]);
    await Promise.all([abuser.nth("snapshot"), watcher.nth("snapshot")]);
    // What an instance evicted before its deferred close leaves behind: the attachment says
    // the socket is closing (the runtime keeps attachments; the timer is gone).
    await runInDurableObject(stub, (_instance: Dashboard, state) => {
      const socket = state.getWebSockets().find((open) => (open.deserializeAttachment() as ViewerAttachment).series[0] === "a")!;
      const attachment = socket.deserializeAttachment() as ViewerAttachment;
      socket.serializeAttachment({ ...attachment, closing: { code: CloseCode.overBudget, reason: "over budget: reconnect later" } } satisfies ViewerAttachment);
    });
    await evictDurableObject(stub, { webSockets: "hibernate" });
    expect((await postMetrics(id, token, { name: "a", value: 1 })).status).toBe(200);
    await watcher.until(() => watcher.position() === 1, "the point at the watcher");
    await abuser.until(() => abuser.closed !== null, "the abuser's close");
    expect(abuser.closed!.code).toBe(CloseCode.overBudget);
    expect(abuser.all("points")).toEqual([]);
  });
});

describe("a join of a dashboard fed like a fleet (1,000 series of 600 points)", () => {
  it("gets a snapshot under 2 MB holding every series' newest points, saying how many each carries", async () => {
    const { id } = await createDashboard();
    const seq = await feedFleet(id, 1000, 600);
    const viewer = await Viewer.open(id);
    const snapshot = await viewer.nth("snapshot");
    const bytes = viewer.sizes[viewer.frames.indexOf(snapshot)]!;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expect(snapshot.seq).toBe(seq);
    expect(snapshot.series).toHaveLength(1000);
    expect(snapshot.perSeries).toBeLessThan(600);
    for (const series of snapshot.series) {
      expect(series.ts).toHaveLength(snapshot.perSeries);
      // The newest points: the last is the series' last, one second before the feed's end.
      expect(series.ts.at(-1)! - series.ts[0]!).toBe((snapshot.perSeries - 1) * 1000);
    }
    viewer.close();
  });

  it("then gets the live points stored while its snapshot was read, without gap or overlap", async () => {
    const { id, token } = await createDashboard();
    // One series short of the cap, leaving room for the live one; few enough points per
    // series to leave the ingest rate limit room for the live points.
    await feedFleet(id, 999, 100);
    const viewer = await Viewer.open(id);
    for (let n = 1; n <= 5; n++) expect((await postMetrics(id, token, { name: "live", value: n })).status).toBe(200);
    const snapshot = await viewer.nth("snapshot");
    await viewer.until(() => viewer.receivedValues(snapshot.seq).get("live")?.length === 5 - (snapshot.series.find((s) => s.key === "live")?.values.length ?? 0), "the live points");
    const live = [...(snapshot.series.find((s) => s.key === "live")?.values ?? []), ...viewer.receivedValues(snapshot.seq).get("live")!];
    expect(live).toEqual([1, 2, 3, 4, 5]);
    viewer.close();
  });
});
