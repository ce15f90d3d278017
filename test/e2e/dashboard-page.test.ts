/**
 * The dashboard page against a real `wrangler dev`, in a real Chromium: what a person sees
 * when they open /d/<id> and metrics arrive over HTTP.
 */
import { describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { createDashboard, postMetrics, updateDashboard, uniqueId, type PointInput } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { hasCurl, runInShell } from "./shell-command.ts";

/** Whole seconds a minute ago: well inside the accepted time window, and easy to read. */
function recentTimes(count: number): number[] {
  const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  return Array.from({ length: count }, (_, i) => start + i * 1000);
}

describe.skipIf(skipBrowserTests)("the dashboard page", () => {
  const suite = browserSuite();

  it("shows values posted over HTTP without a reload", async () => {
    const id = uniqueId("live");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Live values");
    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    // A marker on the window: it survives only if the page is never reloaded.
    await page.evaluate("window.loadedOnce = true");

    const [t0, t1] = recentTimes(2) as [number, number];
    const cpu: PointInput = { name: "cpu.load", value: 0.42, ts: t0, tags: { host: "a" } };
    const mem: PointInput = { name: "mem.used", value: 512, ts: t0 };
    await postMetrics(suite.server.url, id, ingestToken, [cpu, mem]);

    const cpuKey = seriesKey("cpu.load", { host: "a" });
    await view.waitForLatest(cpuKey, "0.42");
    await view.waitForLatest("mem.used", "512");
    expect(await view.panelKeys()).toEqual([cpuKey, "mem.used"]);
    expect(await view.points(cpuKey)).toEqual({ ts: [t0], values: [0.42] });
    expect(await view.points("mem.used")).toEqual({ ts: [t0], values: [512] });

    await postMetrics(suite.server.url, id, ingestToken, [{ ...cpu, value: 0.87, ts: t1 }]);
    await view.waitForLatest(cpuKey, "0.87");
    expect(await view.points(cpuKey)).toEqual({ ts: [t0, t1], values: [0.42, 0.87] });
    expect(await view.latest("mem.used")).toBe("512");

    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    expect(await page.evaluate("window.loadedOnce")).toBe(true);
    expect(await view.state()).toBe("live");
    await saveScreenshot(page, "dashboard-live-values");
    expect(errors).toEqual([]);
  });

  it("shows series whose names hold spaces, commas and accents readably, and saved panels select them", async () => {
    const id = uniqueId("names");
    const { ingestToken } = await createDashboard(suite.server.url, id, "Names");
    const table = { id: "rooms", title: "Rooms", type: "table", series: ["temp?rature.*{pi?ce=*}"], decimals: 1 };
    await updateDashboard(suite.server.url, id, ingestToken, { panels: [table] });
    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");

    // Written as InfluxDB clients write them: line protocol, its escapes.
    const lines = String.raw`latency\ (p50\,\ ms),mount\ point=/var\,log used\ percent=71.5
température,pièce=salon valeur=19.5`;
    const response = await fetch(`${suite.server.url}/api/v2/write?bucket=${id}`, { method: "POST", headers: { authorization: `Token ${ingestToken}` }, body: lines });
    expect(response.status).toBe(204);

    const latency = seriesKey("latency (p50, ms).used percent", { "mount point": "/var,log" });
    const room = seriesKey("température.valeur", { pièce: "salon" });
    await view.waitForLatest(latency, "71.5");
    expect(await view.panelKeys()).toEqual([latency]);
    const heading = `[data-testid="panel"] .panel-title`;
    expect(await page.textContent(`${heading} .panel-name`)).toBe("latency (p50, ms).used percent");
    expect(await page.textContent(`${heading} .panel-tags`)).toBe("{mount point=/var\\,log}");
    await expect.poll(() => view.tableRows("rooms")).toEqual([`${room}=19.5`]);
    expect(errors).toEqual([]);
  });

  it("shows the recent history on first load", async () => {
    const id = uniqueId("history");
    const { ingestToken } = await createDashboard(suite.server.url, id, "History");
    const ts = recentTimes(30);
    const temperature = ts.map((t, i) => ({ name: "room.temp", value: 20 + Math.sin(i / 4), ts: t, tags: { room: "lab" } }));
    const requests = ts.map((t, i) => ({ name: "http.requests", value: 100 + i * 3, ts: t }));
    await postMetrics(suite.server.url, id, ingestToken, [...temperature, ...requests]);

    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    const tempKey = seriesKey("room.temp", { room: "lab" });
    await view.waitForLatest("http.requests", "187");
    expect(await view.panelKeys()).toEqual(["http.requests", tempKey]);
    expect(await view.points("http.requests")).toEqual({ ts, values: requests.map((p) => p.value) });
    expect(await view.points(tempKey)).toEqual({ ts, values: temperature.map((p) => p.value) });
    expect(await page.$('[data-testid="empty"]')).toBeNull();
    await saveScreenshot(page, "dashboard-history");
    expect(errors).toEqual([]);
  });

  it("counts every open page as a viewer", async () => {
    const id = uniqueId("viewers");
    await createDashboard(suite.server.url, id, "Viewers");
    const first = await suite.open(`/d/${id}`);
    await first.view.waitForState("live");
    await first.view.waitForViewers(1);

    const second = await suite.open(`/d/${id}`);
    await second.view.waitForState("live");
    await second.view.waitForViewers(2);
    await first.view.waitForViewers(2);
    await saveScreenshot(first.page, "dashboard-two-viewers");

    await second.close();
    await first.view.waitForViewers(1);
    expect(first.errors).toEqual([]);
  });

  it("says that an unknown dashboard does not exist and opens no socket", async () => {
    const id = uniqueId("missing");
    const { page, view, errors, sockets } = await suite.open(`/d/${id}`);
    const notFound = page.locator('[data-testid="not-found"]');
    await notFound.waitFor({ timeout: 15_000 });
    expect(await notFound.textContent()).toContain(`No dashboard named ${id}`);
    expect(await notFound.textContent()).toContain(`curl -X POST ${suite.server.url}/api/dashboards`);
    expect(await view.state()).toBe("refused");
    expect(await page.$('[data-testid="panel"]')).toBeNull();
    expect(sockets).toEqual([]);
    await saveScreenshot(page, "dashboard-not-found");
    expect(errors).toEqual([]);
  });

  it.skipIf(!hasCurl)("shows an empty dashboard a command that sends its first metric", async () => {
    const id = uniqueId("empty");
    await createDashboard(suite.server.url, id, "Empty");
    const { page, view, errors } = await suite.open(`/d/${id}`);
    await view.waitForState("live");
    const empty = page.locator('[data-testid="empty"]');
    await empty.waitFor({ timeout: 15_000 });
    await saveScreenshot(page, "dashboard-empty");

    const command = (await empty.locator("code").textContent()) ?? "";
    expect(command).toContain(`${suite.server.url}/api/dashboards/${id}/metrics`);
    await runInShell(command);
    await view.waitForLatest(seriesKey("cpu.load", { host: "a" }), "0.42");
    expect(await page.$('[data-testid="empty"]')).toBeNull();
    expect(errors).toEqual([]);
  });
});
