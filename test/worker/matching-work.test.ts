import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { socketBudgetLimits } from "../../src/dashboard/socket-budget";
import { matchingWork } from "../../src/dashboard/snapshot-budget";
import { CloseCode } from "../../src/common/protocol";
import { createDashboard, postMetrics } from "./api";
import { storeFleet } from "./direct-ingest";
import { Viewer } from "./viewer";

/** 20 globs of 200 characters that match no series but never stop matching a prefix. */
const HEAVY = Array.from({ length: 20 }, (_, p) => `*${"s?*".repeat(66)}${p}!`.slice(0, 200));

describe("matching a subscription's globs", () => {
  it("costs nothing for everything or for exact names, and in proportion to series x glob characters otherwise", () => {
    expect(matchingWork(["*"], 1000)).toBe(0);
    expect(matchingWork(["cpu{host=a}", "mem"], 1000)).toBe(0);
    expect(matchingWork(HEAVY, 1000)).toBeGreaterThan(socketBudgetLimits.work / 2);
    expect(matchingWork(["cpu.*"], 1000)).toBeLessThan(1000);
  });

  it("is charged to the socket even when its globs match nothing: repeated heavy subscribes close it with 4529", async () => {
    const { id, token } = await createDashboard();
    await runInDurableObject(env.DASHBOARD.getByName(id), (instance: Dashboard) => storeFleet(instance, 1000));
    const [abuser, watcher] = await Promise.all([Viewer.open(id, { series: "system.cpu{host=h1}" }), Viewer.open(id)]);
    await Promise.all([abuser.nth("snapshot"), watcher.nth("snapshot")]);
    // Far fewer messages than the message allowance: only the matching work can close it.
    for (let n = 0; n < 5; n++) abuser.send({ type: "subscribe", series: HEAVY });
    await abuser.until(() => abuser.closed !== null, "the abuser's close");
    expect(abuser.closed!.code).toBe(CloseCode.overBudget);
    expect(abuser.all("snapshot").length).toBeLessThan(5);

    expect((await postMetrics(id, token, { name: "system.cpu", value: -1, tags: { host: "h0" } })).status).toBe(200);
    await watcher.until(() => watcher.receivedValues(1000).get("system.cpu{host=h0}")?.length === 1, "the next point at the watcher");
    watcher.close();
  });
});
