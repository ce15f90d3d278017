/**
 * A dashboard's tokens managed from its page, in real Chromium against a real `wrangler dev`:
 * listed with the dashboard's edit token, a new one made (its secret shown once, and it
 * writes), revoked (refused at once), and a token that may not manage them refused.
 */
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";

describe.skipIf(skipBrowserTests)("the Tokens dialog", () => {
  const suite = browserSuite();

  it("lists, makes and revokes the dashboard's tokens with its edit token", async () => {
    const id = uniqueId("tokens");
    const { ingestToken } = await createDashboard(suite.server.url, id);
    await postMetrics(suite.server.url, id, ingestToken, [{ name: "boiler.temp", value: 70, ts: Date.now() - 5000 }]);
    const open = await suite.open(`/d/${id}`);
    const { page, view } = open;
    const rows = () => page.$$eval('[data-testid="token-rows"] tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).slice(0, 2).map((td) => td.textContent).join(" / ")));
    try {
      await view.waitForState("live");
      await page.click('[data-testid="tokens"]');
      // A token that is not the dashboard's is refused, and said so.
      await page.fill('[data-testid="token-access"]', "pb_not-a-token");
      await page.click('[data-testid="token-load"]');
      await view.waitUntil("the refusal", async () => ((await page.textContent('[data-testid="token-manager-error"]')) ?? "") !== "");
      expect(await rows()).toEqual([]);

      await page.fill('[data-testid="token-access"]', ingestToken);
      await page.click('[data-testid="token-load"]');
      await view.waitUntil("the dashboard's first token listed", async () => (await rows()).length === 1);
      expect(await rows()).toEqual(["ingest token / edit: also title, panels and tokens"]);

      await page.fill('[data-testid="token-name"]', "boiler sensor");
      await page.selectOption('[data-testid="token-scope"]', "write");
      await page.click('[data-testid="token-make"]');
      await view.waitUntil("the new token listed", async () => (await rows()).length === 2);
      expect(await rows()).toEqual(["ingest token / edit: also title, panels and tokens", "boiler sensor / write: points and annotations"]);
      const secret = (await page.textContent('[data-testid="token-secret"] code')) ?? "";
      expect(secret).toMatch(/^pb_/);
      await saveScreenshot(page, "token-manager");
      const write = (value: number) =>
        fetch(`${suite.server.url}/api/dashboards/${id}/metrics`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: JSON.stringify({ name: "boiler.temp", value, ts: Date.now() - 4000 + value }),
        });
      expect((await write(1)).status).toBe(200);

      await page.click('[data-testid="token-rows"] tr:has-text("boiler sensor") button');
      await view.waitUntil("the token gone from the list", async () => (await rows()).length === 1);
      expect((await write(2)).status).toBe(403);
      expect(open.errors).toEqual([]);
    } finally {
      await open.close();
    }
  });
});
