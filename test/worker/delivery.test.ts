import { env, evictDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode, MAX_CLIENT_MESSAGE_BYTES, MAX_INVALID_MESSAGES } from "../../src/common/protocol";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

const SERIES = ["cpu{host=a}", "cpu{host=b}", "temp"];
/** The time of the points `ingestCounting` numbers 0, 1, ... (a millisecond each). */
const EPOCH = Date.now() - 600_000;

/** Posts `requests` batches of `perRequest` points spread over three series; values count up. */
async function ingestCounting(id: string, token: string, requests: number, perRequest: number, startAt = 0): Promise<Map<string, number[]>> {
  const sent = new Map<string, number[]>(SERIES.map((key) => [key, []]));
  let value = startAt;
  for (let request = 0; request < requests; request++) {
    const points = Array.from({ length: perRequest }, () => {
      const n = value++;
      const key = SERIES[n % SERIES.length]!;
      sent.get(key)!.push(n);
      const [name, tag] = key === "temp" ? ["temp", undefined] : ["cpu", key.slice(9, 10)];
      // Each point at a time of its own: points at one series and time are one point.
      const ts = EPOCH + n;
      return tag ? { name, value: n, ts, tags: { host: tag } } : { name, value: n, ts };
    });
    const response = await postMetrics(id, token, points);
    expect(response.status).toBe(200);
  }
  return sent;
}

describe("resuming after a disconnect", () => {
  it.each([
    ["with the object kept in memory", false],
    ["across an eviction with the other viewers' sockets hibernated", true],
  ])("replays exactly the 1,000 missed points, in order, once, %s", async (_when, evict) => {
    const { id, token } = await createDashboard();
    await ingestCounting(id, token, 5, 10);
    const watcher = await Viewer.open(id);
    const leaver = await Viewer.open(id);
    await leaver.until(() => leaver.position() === 50, "the first 50 points");
    await watcher.until(() => watcher.position() === 50, "the first 50 points");
    const since = leaver.position();
    leaver.close();

    const sent = await ingestCounting(id, token, 50, 20, 1000);
    if (evict) await evictDurableObject(env.DASHBOARD.getByName(id), { webSockets: "hibernate" });

    const back = await Viewer.open(id, { since: String(since) });
    await back.until(() => back.position() === since + 1000, "all 1,000 missed points", 5000);
    expect(back.all("snapshot")).toEqual([]);
    expect(back.receivedValues(since)).toEqual(sent);
    const resumed = await back.nth("resumed");
    expect(resumed.since).toBe(since);
    await watcher.until(() => watcher.position() === since + 1000, "the watcher sees all 1,000 too");
    expect(watcher.receivedValues(50)).toEqual(sent);
    watcher.close();
    back.close();
  });

  it("resumes through a message as well as through the URL", async () => {
    const { id, token } = await createDashboard();
    await ingestCounting(id, token, 2, 3);
    const viewer = await Viewer.open(id);
    await viewer.until(() => viewer.position() === 6, "both batches");
    viewer.send({ type: "resume", since: 2 });
    const resumed = await viewer.nth("resumed");
    expect(resumed).toEqual({ type: "resumed", since: 2, seq: 6, points: 4 });
    expect(viewer.all("points").filter((frame) => frame.replay)).toMatchObject([{ from: 3, to: 6 }]);
    viewer.close();
  });

  it("gets a snapshot marked reset when it claims a position the stream never reached", async () => {
    const { id, token } = await createDashboard();
    await ingestCounting(id, token, 1, 3);
    const viewer = await Viewer.open(id, { since: "999" });
    expect(await viewer.nth("snapshot")).toMatchObject({ seq: 3, reset: true });
    expect(viewer.all("resumed")).toEqual([]);
    viewer.close();
  });

  it("refuses a since that is not a sequence number with 400", async () => {
    const { id } = await createDashboard();
    const response = await SELF.fetch(`http://localhost/api/dashboards/${id}/ws?since=-1`, { headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_parameter", field: "since" } });
  });
});

describe("coalescing", () => {
  it("delivers every point of a burst of 5,000 single-point requests within the frame-rate bound", async () => {
    const { id, token } = await createDashboard();
    const viewers = await Promise.all([Viewer.open(id), Viewer.open(id), Viewer.open(id)]);
    await Promise.all(viewers.map((viewer) => viewer.nth("snapshot")));
    const total = 5000;
    const started = Date.now();
    let next = 0;
    // Twenty senders at once, as many sensors would.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let n = next++; n < total; n = next++) {
          // Times of their own, arriving out of order across the senders.
          const response = await postMetrics(id, token, { name: "burst", value: n, ts: EPOCH + n });
          if (response.status !== 200) throw new Error(`post ${n}: ${response.status}`);
        }
      }),
    );
    for (const viewer of viewers) {
      await viewer.until(() => viewer.position() === total, "every point", 5000);
      // The span over which frames went out: from the first request to the last arrival.
      const seconds = (Date.now() - started) / 1000;
      const values = viewer.receivedValues(0).get("burst")!;
      expect(values).toHaveLength(total);
      expect(new Set(values).size).toBe(total);
      const frames = viewer.all("points").length;
      expect(frames).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
      console.log(`burst: ${total} points in ${seconds.toFixed(2)} s reached a viewer in ${frames} frames (bound ${Math.ceil(seconds * 10) + 2})`);
    }
    viewers.forEach((viewer) => viewer.close());
  }, 120_000);
});

describe("subscriptions", () => {
  it("a viewer subscribed through the URL never receives series outside its patterns", async () => {
    const { id, token } = await createDashboard();
    const viewer = await Viewer.open(id, { series: "cpu*,temp" });
    const everything = await Viewer.open(id);
    await Promise.all([viewer.nth("snapshot"), everything.nth("snapshot")]);
    await postMetrics(id, token, [
      { name: "cpu", value: 1, tags: { host: "a" } },
      { name: "mem", value: 2 },
      { name: "temp", value: 3 },
      { name: "temperature", value: 4 },
    ]);
    await viewer.until(() => viewer.position() === 4, "the frame");
    await everything.until(() => everything.position() === 4, "the frame");
    expect([...viewer.receivedValues(0).keys()].sort()).toEqual(["cpu{host=a}", "temp"]);
    expect([...everything.receivedValues(0).keys()].sort()).toEqual(["cpu{host=a}", "mem", "temp", "temperature"]);
    viewer.close();
    everything.close();
  });

  it("a subscribe message narrows the stream and answers with a snapshot of the new set", async () => {
    const { id, token } = await createDashboard();
    await postMetrics(id, token, [
      { name: "a.x", value: 1 },
      { name: "b.y", value: 2 },
    ]);
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send({ type: "subscribe", series: ["b.*"] });
    expect(await viewer.nth("subscribed")).toEqual({ type: "subscribed", series: ["b.*"] });
    const snapshot = await viewer.nth("snapshot", 2);
    expect(snapshot.series.map((series) => series.key)).toEqual(["b.y"]);
    await postMetrics(id, token, [
      { name: "a.x", value: 3 },
      { name: "b.y", value: 4 },
    ]);
    await viewer.until(() => viewer.position() === 4, "the next frame");
    expect(viewer.all("points").flatMap((frame) => frame.series.map((series) => series.key))).toEqual(["b.y"]);
    viewer.close();
  });
});

describe("client messages", () => {
  it.each([
    ["an unknown type", { type: "dance" }, "type must be one of"],
    ["a resume without since", { type: "resume" }, "since"],
    ["a subscribe with no patterns", { type: "subscribe", series: [] }, "at least one pattern"],
    ["an extra field", { type: "resume", since: 1, extra: true }, "extra"],
    ["an oversized message", { type: "subscribe", series: ["x".repeat(MAX_CLIENT_MESSAGE_BYTES)] }, `at most ${MAX_CLIENT_MESSAGE_BYTES} bytes`],
  ])("answers %s with an error frame saying why, and keeps the socket open", async (_what, message, reason) => {
    const { id } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send(message);
    const error = await viewer.nth("error");
    expect(error.code).toBe("invalid_message");
    expect(error.message).toContain(reason);
    viewer.send({ type: "resume", since: 0 });
    await viewer.nth("resumed");
    expect(viewer.closed).toBeNull();
    viewer.close();
  });

  it("closes with 4008 after too many invalid messages in a row", async () => {
    const { id } = await createDashboard();
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    for (let n = 0; n < MAX_INVALID_MESSAGES; n++) viewer.send("nonsense");
    await viewer.until(() => viewer.closed !== null, "the close");
    expect(viewer.closed!.code).toBe(CloseCode.tooManyInvalidMessages);
    expect(viewer.all("error")).toHaveLength(MAX_INVALID_MESSAGES);
  });

  it("answers a history request with buckets and the request's id", async () => {
    const { id, token } = await createDashboard();
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    await postMetrics(id, token, [0, 1, 2, 3].map((n) => ({ name: "h", value: n, ts: base + n * 30_000 })));
    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send({ type: "history", id: "q1", series: ["h"], from: base, to: base + 120_000, step: 60_000 });
    const history = await viewer.nth("history");
    expect(history).toMatchObject({ id: "q1", source: "raw", step: 60_000, series: [{ key: "h", ts: [base, base + 60_000], min: [0, 2], max: [1, 3], avg: [0.5, 2.5], last: [1, 3], count: [2, 2] }] });
    viewer.close();
  });
});
