/**
 * A point written again at its time (a retry, a correction) replaces the value the page
 * shows, in a real Chromium against a real `wrangler dev`: the chart holds one point per
 * time, the latest value is the new one, and a page opened afterwards draws the same.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

describe.skipIf(skipBrowserTests)("a replaced value in the page", () => {
  const suite = browserSuite();

  it("takes the old value's place in the chart and the latest value, live and after a reload", async () => {
    const id = uniqueId("replaced");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    const at = Date.now() - 10_000;
    await postMetrics(suite.server.url, id, ingestToken, [
      { name: "boiler.temp", value: 70, ts: at },
      { name: "boiler.temp", value: 71, ts: at + 1000 },
    ]);
    const open = await suite.open(`/d/${id}`);
    try {
      const { view } = open;
      await view.waitForState("live");
      await view.waitForLatest("boiler.temp", "71");
      // The newest point is corrected, then an older one, each written again at its time.
      await postMetrics(suite.server.url, id, ingestToken, [{ name: "boiler.temp", value: 75.5, ts: at + 1000 }]);
      await view.waitForLatest("boiler.temp", "75.5");
      await postMetrics(suite.server.url, id, ingestToken, [{ name: "boiler.temp", value: 60, ts: at }]);
      const held = () => view.points("boiler.temp");
      await view.waitUntil("the older correction to arrive", async () => (await held()).values[0] === 60);
      expect(await held()).toEqual({ ts: [at, at + 1000], values: [60, 75.5] });
      expect((await view.drawn("boiler.temp"))?.values.filter((v) => Number.isFinite(v))).toEqual([60, 75.5]);

      await open.page.reload();
      await view.waitForState("live");
      await view.waitForLatest("boiler.temp", "75.5");
      expect(await held()).toEqual({ ts: [at, at + 1000], values: [60, 75.5] });
      expect(open.errors).toEqual([]);
    } finally {
      await open.close();
    }
  });
});
