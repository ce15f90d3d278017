/** The landing page at `/`: it explains Pulseboard and gives commands that work as shown. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesKey } from "../../src/shared/protocol.ts";
import { launchBrowser, openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { DashboardView } from "./dashboard-view.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";
import { hasCurl, runInShell } from "./shell-command.ts";

describe.skipIf(skipBrowserTests)("the landing page", () => {
  let server: DevServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startDevServer();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it("shows the curl commands with the real host filled in", async () => {
    const { page, errors, close } = await openPage(browser, `${server.url}/`);
    const create = (await page.textContent('[data-command="create"] code')) ?? "";
    expect(create).toContain(`curl -X POST ${server.url}/api/dashboards`);
    expect(create).toContain("Authorization: Bearer dev-admin-token");
    expect(create).toContain(`'{"id":"demo","title":"Demo"}'`);
    const send = (await page.textContent('[data-command="send"] code')) ?? "";
    expect(send).toContain(`curl -X POST ${server.url}/api/dashboards/demo/metrics`);
    expect(await page.getAttribute("a[data-demo-link]", "href")).toBe(`${server.url}/d/demo`);
    expect(await page.textContent("body")).not.toContain("your-host");
    await saveScreenshot(page, "landing-page");
    expect(errors).toEqual([]);
    await close();
  });

  it.skipIf(!hasCurl)("gives commands that create the demo dashboard and fill it when pasted", async () => {
    const { page, errors } = await openPage(browser, `${server.url}/`);
    const create = (await page.textContent('[data-command="create"] code')) ?? "";
    const send = (await page.textContent('[data-command="send"] code')) ?? "";
    expect(JSON.parse(await runInShell(create))).toMatchObject({ id: "demo", title: "Demo" });
    expect(JSON.parse(await runInShell(send))).toMatchObject({ accepted: 1 });

    await page.click("main a[data-demo-link]");
    await page.waitForURL(`${server.url}/d/demo`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitForLatest(seriesKey("cpu.load", { host: "a" }), "0.42");
    await saveScreenshot(page, "landing-demo-dashboard");
    expect(errors).toEqual([]);
  });
});
