/** The landing page at `/`: it explains Pulseboard and gives commands that work as shown. */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { createDashboard, devAdminToken, uniqueId, updateDashboard } from "./api.ts";
import { openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";
import { hasCurl, runInShell } from "./shell-command.ts";

/** Fills in the landing page's create form and submits it. */
async function submitCreateForm(page: Page, fields: { id?: string; title?: string; private?: boolean }): Promise<void> {
  await page.fill("#create-id", fields.id ?? "");
  await page.fill("#create-title-input", fields.title ?? "");
  await page.setChecked("#create-private", fields.private ?? false);
  await page.click('#create-form button[type="submit"]');
}

/** Creates a dashboard through the form and waits for the result to show. */
async function createThroughForm(page: Page, fields: { id: string; title?: string; private?: boolean }): Promise<void> {
  await submitCreateForm(page, fields);
  await page.waitForSelector('[data-testid="create-result"]:not([hidden]) [data-secret="ingest-token"]');
}

async function shown(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector))?.trim() ?? "";
}

describe.skipIf(skipBrowserTests)("the landing page", () => {
  const suite = browserSuite();


  it("shows the curl commands with the real host filled in", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const create = (await page.textContent('[data-command="create"] code')) ?? "";
    expect(create).toContain(`curl -X POST ${suite.server.url}/api/dashboards`);
    expect(create).toContain("Authorization: Bearer dev-admin-token");
    expect(create).toContain(`'{"id":"first-steps","title":"First steps"}'`);
    const send = (await page.textContent('[data-command="send"] code')) ?? "";
    expect(send).toContain(`curl -X POST ${suite.server.url}/api/dashboards/first-steps/metrics`);
    expect(await page.getAttribute("a[data-demo-link]", "href")).toBe(`${suite.server.url}/d/demo`);
    expect(await page.getAttribute("a[data-first-link]", "href")).toBe(`${suite.server.url}/d/first-steps`);
    expect(await page.textContent("body")).not.toContain("your-host");
    await saveScreenshot(page, "landing-page");
    expect(errors).toEqual([]);
    await close();
  });

  it("loads its scripts without the editor's validation library: under 64 KiB of script in all", async () => {
    const scripts: Promise<number>[] = [];
    const { errors, close } = await openPage(suite.browser, `${suite.server.url}/`, async (page) => {
      page.on("response", (response) => {
        if (response.url().endsWith(".js")) scripts.push(response.body().then((body) => body.length));
      });
    });
    const bytes = (await Promise.all(scripts)).reduce((sum, size) => sum + size, 0);
    expect(scripts.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(64 * 1024);
    expect(errors).toEqual([]);
    await close();
  });

  it.skipIf(!hasCurl)("gives commands that create a first dashboard and fill it when pasted", async () => {
    const { page, errors } = await openPage(suite.browser, `${suite.server.url}/`);
    const create = (await page.textContent('[data-command="create"] code')) ?? "";
    const send = (await page.textContent('[data-command="send"] code')) ?? "";
    expect(JSON.parse(await runInShell(create))).toMatchObject({ id: "first-steps", title: "First steps" });
    expect(JSON.parse(await runInShell(send))).toMatchObject({ accepted: 1 });

    await page.click("main a[data-first-link]");
    await page.waitForURL(`${suite.server.url}/d/first-steps`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitForLatest(seriesKey("cpu.load", { host: "a" }), "0.42");
    await saveScreenshot(page, "landing-demo-dashboard");
    expect(errors).toEqual([]);
  });

  it("creates a dashboard from the form and shows its token once, its link and commands with the token filled in", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    // The server was started with ADMIN_TOKEN=dev-admin-token, as `npm start` writes it; the
    // hint says where the prefilled token comes from.
    expect(await page.inputValue("#admin-token")).toBe("dev-admin-token");
    expect(await shown(page, "#admin-token-hint")).toContain("npm start writes to .dev.vars");
    expect(await page.getAttribute("#admin-token", "type")).toBe("password");
    const id = uniqueId("form");
    await createThroughForm(page, { id, title: "From the form" });

    expect(await page.evaluate(() => document.activeElement?.id)).toBe("create-result-title");
    expect(await shown(page, "#create-result-title")).toContain("From the form");
    expect(await shown(page, "#create-result .warning")).toContain("shown only once");
    const token = await shown(page, '[data-secret="ingest-token"] code');
    expect(token).toMatch(/^pb_/);
    expect(await page.$('[data-secret="view-key"]')).toBeNull();
    expect(await page.getAttribute('[data-testid="dashboard-link"]', "href")).toBe(`${suite.server.url}/d/${id}`);

    const json = await shown(page, '[data-feed="json"] code');
    expect(json).toContain(`${suite.server.url}/api/dashboards/${id}/metrics`);
    expect(json).toContain(`Authorization: Bearer ${token}`);
    const lines = await shown(page, '[data-feed="line-protocol"] code');
    expect(lines).toContain("Content-Type: text/plain");
    expect(lines).toContain(`Authorization: Bearer ${token}`);
    const telegraf = await shown(page, '[data-feed="telegraf"] code');
    expect(telegraf).toContain("[[outputs.influxdb_v2]]");
    expect(telegraf).toContain(`urls = ["${suite.server.url}"]`);
    expect(telegraf).toContain(`token = "${token}"`);
    expect(telegraf).toContain('organization = "any"');
    expect(telegraf).toContain(`bucket = "${id}"`);
    await saveScreenshot(page, "landing-created-dashboard");
    expect(errors).toEqual([]);
    await close();
  });

  it("shows the view key beside the token for a private dashboard", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const id = uniqueId("private");
    await createThroughForm(page, { id, private: true });
    expect(await shown(page, '[data-secret="view-key"] code')).toMatch(/^pbv_/);
    expect(await shown(page, "#create-result .warning")).toContain("ingest token and view key are shown only once");
    expect(await page.getAttribute('[data-testid="dashboard-link"]', "href")).toMatch(new RegExp(`/d/${id}#key=pbv_`));
    expect(errors).toEqual([]);
    await close();
  });

  it.skipIf(!hasCurl)("gives feed commands for the new dashboard that make points appear on its page when pasted", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const id = uniqueId("fed");
    await createThroughForm(page, { id });
    const json = await shown(page, '[data-feed="json"] code');
    const lines = await shown(page, '[data-feed="line-protocol"] code');
    expect(JSON.parse(await runInShell(json))).toMatchObject({ accepted: 1 });
    expect(JSON.parse(await runInShell(lines))).toMatchObject({ accepted: 1 });

    await page.click('[data-testid="dashboard-link"]');
    await page.waitForURL(`${suite.server.url}/d/${id}`);
    const view = new DashboardView(page);
    await view.waitForState("live");
    await view.waitForLatest(seriesKey("cpu.load", { host: "a" }), "0.42");
    await view.waitForLatest(seriesKey("cpu.load", { host: "b" }), "0.58");
    expect(errors).toEqual([]);
    await close();
  });

  it("can be filled in and sent with the keyboard alone", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const id = uniqueId("keys");
    await page.focus("#admin-token");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("create-id");
    await page.keyboard.type(id);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("create-title-input");
    await page.keyboard.type("Typed");
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="create-result"]:not([hidden])');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("create-result-title");
    expect(await page.getAttribute('[data-testid="dashboard-link"]', "href")).toBe(`${suite.server.url}/d/${id}`);
    expect(errors).toEqual([]);
    await close();
  });

  it("shows the server's message on the id field when the id is taken", async () => {
    const id = uniqueId("taken");
    await createDashboard(suite.server.url, id);
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    await submitCreateForm(page, { id });
    await page.waitForSelector("#create-id-error:not([hidden])");
    expect(await shown(page, "#create-id-error")).toBe(`dashboard "${id}" already exists`);
    expect(await page.getAttribute("#create-id", "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("create-id");
    expect(await page.isHidden('[data-testid="create-result"]')).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it("refuses a malformed id before sending it, and a wrong admin token on the token field", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const requests: string[] = [];
    page.on("request", (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
    await submitCreateForm(page, { id: "-Bad id" });
    expect(await shown(page, "#create-id-error")).toContain("a-z 0-9 - _");
    expect(requests).not.toContain("POST /api/dashboards");

    await page.fill("#admin-token", "not-the-token");
    await submitCreateForm(page, { id: uniqueId("refused") });
    await page.waitForSelector("#admin-token-error:not([hidden])");
    expect(await shown(page, "#admin-token-error")).toContain("the admin token is not valid");
    expect(await page.getAttribute("#admin-token", "aria-invalid")).toBe("true");
    expect(await page.isHidden("#create-id-error")).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it("lists the dashboards this browser created under \"Dashboards you know\", also after a reload", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    expect(await page.isVisible("#known-empty")).toBe(true);
    const id = uniqueId("known");
    await createThroughForm(page, { id, title: "Known one" });
    await page.reload();
    const link = `#known-list li[data-dashboard-id="${id}"] a`;
    await page.waitForSelector(link);
    expect(await shown(page, link)).toBe("Known one");
    expect(await page.getAttribute(link, "href")).toBe(`${suite.server.url}/d/${id}`);
    expect(await page.isHidden("#known-empty")).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });
  it("creates a dashboard from a definition file, with the form's id, and shows its new secrets once", async () => {
    const source = await createDashboard(suite.server.url, uniqueId("source"), "Boiler room");
    await updateDashboard(suite.server.url, source.id, source.ingestToken, {
      panels: [
        { id: "temp", title: "Temperature", type: "line", series: ["boiler.temp*"], unit: "celsius" },
        { id: "now", title: "Now", type: "stat", series: ["boiler.temp"] },
      ],
    });
    const exported = (await (await fetch(`${suite.server.url}/api/dashboards/${source.id}/definition`)).json()) as Record<string, unknown>;
    const file = { ...exported, private: true };

    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const id = uniqueId("imported");
    const posted: unknown[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/dashboards") posted.push(request.postDataJSON());
    });
    await page.setInputFiles("#create-definition", { name: "boiler.pulseboard.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
    expect(await page.isVisible("#create-definition-clear")).toBe(true);
    await createThroughForm(page, { id });
    expect(posted).toEqual([{ definition: file, id }]);
    expect(await shown(page, "#create-result-title")).toContain("Boiler room");
    expect(await shown(page, '[data-secret="ingest-token"] code')).toMatch(/^pb_/);
    expect(await shown(page, '[data-secret="view-key"] code')).toMatch(/^pbv_/);
    expect(await page.getAttribute('[data-testid="dashboard-link"]', "href")).toMatch(new RegExp(`/d/${id}#key=pbv_`));
    const made = await fetch(`${suite.server.url}/api/dashboards/${id}/definition`, { headers: { authorization: `Bearer ${devAdminToken}` } });
    expect(await made.json()).toEqual(file);
    expect(errors).toEqual([]);
    await close();
  });

  it("names the field of a definition file the server refuses, and refuses a file that is not JSON before sending it", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") posts.push(new URL(request.url()).pathname);
    });
    const id = uniqueId("badfile");
    await page.setInputFiles("#create-definition", { name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{not json") });
    await submitCreateForm(page, { id });
    await page.waitForSelector("#create-definition-error:not([hidden])");
    expect(await shown(page, "#create-definition-error")).toContain("broken.json is not JSON");
    expect(posts).toEqual([]);

    const definition = { pulseboardDefinition: 1, title: "Odd", private: false, panels: [{ id: "p", title: "P", type: "pie", series: ["x"] }] };
    await page.setInputFiles("#create-definition", { name: "odd.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(definition)) });
    await submitCreateForm(page, { id });
    await page.waitForFunction(() => !(document.getElementById("create-definition-error")?.textContent ?? "").includes("not JSON") && !document.getElementById("create-definition-error")?.hidden);
    expect(await shown(page, "#create-definition-error")).toContain("In the file, panels.0.type:");
    expect(await page.getAttribute("#create-definition", "aria-invalid")).toBe("true");
    expect(await page.isHidden('[data-testid="create-result"]')).toBe(true);
    expect(posts).toEqual(["/api/dashboards"]);
    expect((await fetch(`${suite.server.url}/api/dashboards/${id}`)).status).toBe(404);

    // Without the file, the same form creates a plain dashboard.
    await page.click("#create-definition-clear");
    expect(await page.isHidden("#create-definition-clear")).toBe(true);
    await createThroughForm(page, { id });
    expect(await shown(page, "#create-result-title")).toContain(id);
    expect(errors).toEqual([]);
    await close();
  });
  it("reopens a private dashboard created here from \"Dashboards you know\" with its key, in a new tab too, until it is forgotten", async () => {
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    const id = uniqueId("known-private");
    await createThroughForm(page, { id, private: true });
    const viewKey = await shown(page, '[data-secret="view-key"] code');
    await page.reload();
    const link = `#known-list li[data-dashboard-id="${id}"] a`;
    await page.waitForSelector(link);
    expect(await page.getAttribute(link, "href")).toBe(`${suite.server.url}/d/${id}#key=${viewKey}`);

    // A new tab shares localStorage but not the first tab's session: the kept key alone opens it.
    const tab = await page.context().newPage();
    await tab.goto(`${suite.server.url}/`);
    await tab.click(link);
    await tab.waitForURL(`${suite.server.url}/d/${id}`);
    await new DashboardView(tab).waitForState("live");
    await tab.close();

    await page.click(`#known-list li[data-dashboard-id="${id}"] button`);
    expect(await page.$(`#known-list li[data-dashboard-id="${id}"]`)).toBeNull();
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(viewKey);
    await page.reload();
    await page.waitForSelector("#known-empty:not([hidden])");
    expect(errors).toEqual([]);
    await close();
  });

  it("keeps the view key a private dashboard was opened with, never a token that writes, and drops a key the server refuses", async () => {
    const id = uniqueId("opened-private");
    const response = await fetch(`${suite.server.url}/api/dashboards`, {
      method: "POST",
      headers: { authorization: `Bearer ${devAdminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id, private: true }),
    });
    const { viewKey, ingestToken } = (await response.json()) as { viewKey: string; ingestToken: string };
    const known = `#known-list li[data-dashboard-id="${id}"]`;
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/d/${id}#key=${ingestToken}`);
    // The ingest token reads the dashboard too, but is not kept.
    await new DashboardView(page).waitForState("live");
    await page.goto(`${suite.server.url}/`);
    expect(await page.getAttribute(`${known} a`, "href")).toBe(`${suite.server.url}/d/${id}`);
    expect(await shown(page, `${known} .tag`)).toBe("private, key not kept");

    await page.goto(`${suite.server.url}/d/${id}#key=${viewKey}`);
    await new DashboardView(page).waitForState("live");
    await page.goto(`${suite.server.url}/`);
    expect(await page.getAttribute(`${known} a`, "href")).toBe(`${suite.server.url}/d/${id}#key=${viewKey}`);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(ingestToken);

    await page.goto(`${suite.server.url}/d/${id}#key=pbv_not-the-key`);
    await page.locator('[data-testid="wrong-key"]').waitFor();
    await page.goto(`${suite.server.url}/`);
    expect(await page.getAttribute(`${known} a`, "href")).toBe(`${suite.server.url}/d/${id}`);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(viewKey);
    expect(errors).toEqual([]);
    await close();
  });
});
