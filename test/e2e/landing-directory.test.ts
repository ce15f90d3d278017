/**
 * The landing page's "All dashboards", for the admin: the directory with each dashboard's live
 * facts, searched and paged, Export of a definition and Delete after typing the id; the admin
 * token entered once, in the one field the create form uses too, kept for the tab only and
 * forgotten when refused.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, devAdminToken, postMetrics, uniqueId } from "./api.ts";
import { openPage, saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

const adminHeaders = { authorization: `Bearer ${devAdminToken}` };

/** One dashboard as `GET /api/dashboards` lists it. */
interface Listed {
  id: string;
  title: string;
  private: boolean;
  stats: { lastPointAt: number | null; viewers: number; series: number; storageBytes: number } | null;
}

/** The directory's first page for `q`, as the API gives it. */
async function listed(base: string, q: string): Promise<Listed[]> {
  const response = await fetch(`${base}/api/dashboards?q=${encodeURIComponent(q)}`, { headers: adminHeaders });
  expect(response.status).toBe(200);
  return ((await response.json()) as { dashboards: Listed[] }).dashboards;
}

/** Shows the list searched for `q` and waits until the page has shown the answer. */
async function search(page: Page, q: string): Promise<void> {
  await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === "/api/dashboards" && new URL(response.url()).searchParams.get("q") === q),
    page.fill("#directory-search", q),
  ]);
  await page.waitForFunction(() => !/^Loading/.test(document.getElementById("directory-status")?.textContent ?? "Loading"));
}

/** The ids of the rows shown, in order. */
function shownIds(page: Page): Promise<string[]> {
  return page.$$eval("#directory-rows tr", (rows) => rows.map((row) => (row as HTMLElement).dataset.dashboardId ?? ""));
}

/** The texts of the row of `id`, cell by cell. */
function rowCells(page: Page, id: string): Promise<string[]> {
  return page.$$eval(`#directory-rows tr[data-dashboard-id="${id}"] td`, (cells) => cells.map((cell) => cell.textContent?.trim() ?? ""));
}

describe.skipIf(skipBrowserTests)("the landing page's directory", () => {
  const suite = browserSuite();

  it("lists the dashboards a search matches with their live facts, each linking to its page", async () => {
    const prefix = uniqueId("dir");
    const fed = await createDashboard(suite.server.url, `${prefix}-fed`, "Fed one");
    await createDashboard(suite.server.url, `${prefix}-idle`, "Idle one");
    await postMetrics(suite.server.url, fed.id, fed.ingestToken, [
      { name: "a", value: 1 },
      { name: "b", value: 2 },
    ]);
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    await search(page, prefix.toUpperCase());
    expect(await shownIds(page)).toEqual([`${prefix}-fed`, `${prefix}-idle`]);

    const answer = await listed(suite.server.url, prefix);
    const [fedCells, idleCells] = [await rowCells(page, `${prefix}-fed`), await rowCells(page, `${prefix}-idle`)];
    const fedStats = answer.find((d) => d.id === fed.id)!.stats!;
    expect(fedCells.slice(0, 3)).toEqual([fed.id, "Fed one", "public"]);
    expect(fedCells[4]).not.toBe("none yet");
    expect(fedCells[6]).toBe(String(fedStats.series));
    expect(fedStats.series).toBe(2);
    expect(fedCells[5]).toBe(String(fedStats.viewers));
    expect(fedCells[7]).toMatch(/^\d[\d.,]* (B|KiB|MiB)$/);
    expect(idleCells[4]).toBe("none yet");
    expect(idleCells[6]).toBe("0");
    expect(await page.getAttribute(`#directory-rows tr[data-dashboard-id="${fed.id}"] a`, "href")).toBe(`/d/${fed.id}`);
    expect(await page.isHidden("#directory-more")).toBe(true);
    await saveScreenshot(page, "landing-directory");

    await search(page, `${prefix}-nothing`);
    expect(await shownIds(page)).toEqual([]);
    expect(await page.textContent("#directory-status")).toContain(`No dashboard's id or title contains "${prefix}-nothing"`);
    expect(await page.isHidden("#directory-table-box")).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it("shows the next page with More, from where the last one ended", async () => {
    const prefix = uniqueId("paged");
    const ids = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    for (const id of ids) await createDashboard(suite.server.url, id);
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`, async (page) => {
      // Pages of 2 rather than 50, so that three pages take five dashboards.
      await page.route(/\/api\/dashboards\?/, (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set("limit", "2");
        return route.continue({ url: url.toString() });
      });
    });
    await search(page, prefix);
    expect(await shownIds(page)).toEqual(ids.slice(0, 2));
    for (const count of [4, 5]) {
      await page.click("#directory-more");
      await page.waitForFunction((count) => document.querySelectorAll("#directory-rows tr").length === count, count);
    }
    expect(await shownIds(page)).toEqual(ids);
    expect(await page.isHidden("#directory-more")).toBe(true);
    expect(errors).toEqual([]);
    await close();
  });

  it("keeps the admin token for the tab only, and forgets it and hides the list when the server refuses it", async () => {
    const prefix = uniqueId("kept");
    await createDashboard(suite.server.url, `${prefix}-a`);
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    await search(page, prefix);
    expect(await shownIds(page)).toEqual([`${prefix}-a`]);
    expect(await page.evaluate(() => sessionStorage.getItem("pulseboard:admin-token"))).toBe(devAdminToken);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(devAdminToken);
    expect(page.url()).not.toContain(devAdminToken);

    // A reload of the tab lists at once with the kept token.
    await page.reload();
    await page.waitForSelector(`#directory-rows tr[data-dashboard-id="${prefix}-a"]`);

    await page.fill("#admin-token", "not-the-token");
    await page.click('#directory-form button[type="submit"]');
    await page.waitForSelector("#admin-token-error:not([hidden])");
    expect(await page.textContent("#admin-token-error")).toContain("refused the admin token");
    expect(await page.getAttribute("#admin-token", "aria-invalid")).toBe("true");
    expect(await page.isHidden("#directory-table-box")).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("pulseboard:admin-token"))).toBeNull();
    expect(errors).toEqual([]);
    await close();
  });

  it("asks for the admin token in one field, which creating and listing both use, entered once for the tab", async () => {
    const prefix = uniqueId("onefield");
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    expect(await page.$$eval("main input[type=password]", (inputs) => inputs.map((input) => input.id))).toEqual(["admin-token"]);
    const sent: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/dashboards") sent.push(`${request.method()} ${request.headers()["authorization"]}`);
    });
    await page.fill("#admin-token", ` ${devAdminToken} `);
    await page.fill("#create-id", `${prefix}-made`);
    await page.click('#create-form button[type="submit"]');
    await page.waitForSelector('[data-testid="create-result"]:not([hidden])');
    // Accepted by the create form: kept for the tab, and the listing takes it from the same field.
    expect(await page.evaluate(() => sessionStorage.getItem("pulseboard:admin-token"))).toBe(devAdminToken);
    await search(page, prefix);
    expect(await shownIds(page)).toEqual([`${prefix}-made`]);
    expect(sent).toEqual([`POST Bearer ${devAdminToken}`, `GET Bearer ${devAdminToken}`]);

    // Refused by the listing: the one field says so, and the create form is refused there too.
    await page.fill("#admin-token", "not-the-token");
    await page.click('#directory-form button[type="submit"]');
    await page.waitForSelector("#admin-token-error:not([hidden])");
    await page.fill("#admin-token", "still-not-the-token");
    await page.fill("#create-id", `${prefix}-refused`);
    await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === "/api/dashboards" && response.request().method() === "POST"),
      page.click('#create-form button[type="submit"]'),
    ]);
    await page.waitForFunction(() => document.activeElement?.id === "admin-token");
    expect(await page.textContent("#admin-token-error")).toContain("the admin token is not valid");
    expect(await page.getAttribute("#admin-token", "aria-invalid")).toBe("true");
    expect(sent.at(-1)).toBe("POST Bearer still-not-the-token");
    expect(await page.evaluate(() => sessionStorage.getItem("pulseboard:admin-token"))).toBeNull();
    expect(errors).toEqual([]);
    await close();
  });

  it("deletes a dashboard only once its id is typed, and removes its row", async () => {
    const prefix = uniqueId("del");
    const doomed = await createDashboard(suite.server.url, `${prefix}-doomed`);
    await createDashboard(suite.server.url, `${prefix}-kept`);
    // Opened once in this browser, so "Dashboards you know" lists it until it is deleted.
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/d/${doomed.id}`);
    await new DashboardView(page).waitForState("live");
    await page.goto(`${suite.server.url}/`);
    await page.waitForSelector(`#known-list li[data-dashboard-id="${doomed.id}"]`);
    const deletes: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "DELETE") deletes.push(new URL(request.url()).pathname);
    });
    await search(page, prefix);
    await page.click(`#directory-rows tr[data-dashboard-id="${doomed.id}"] button.danger`);
    expect(await page.isVisible("#delete-dialog")).toBe(true);
    expect(await page.textContent("#delete-dialog-title")).toContain(doomed.id);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("delete-confirm");

    await page.fill("#delete-confirm", `${prefix}-kept`);
    await page.click('#delete-form button[type="submit"]');
    expect(await page.textContent("#delete-error")).toContain(`Type ${doomed.id} exactly`);
    expect(deletes).toEqual([]);

    await page.fill("#delete-confirm", doomed.id);
    await page.click('#delete-form button[type="submit"]');
    await page.waitForSelector(`#directory-rows tr[data-dashboard-id="${doomed.id}"]`, { state: "detached" });
    expect(deletes).toEqual([`/api/dashboards/${doomed.id}`]);
    expect(await page.isVisible("#delete-dialog")).toBe(false);
    expect(await shownIds(page)).toEqual([`${prefix}-kept`]);
    expect(await page.textContent("#directory-status")).toContain(`Deleted ${doomed.id}`);
    expect(await page.$(`#known-list li[data-dashboard-id="${doomed.id}"]`)).toBeNull();
    expect((await fetch(`${suite.server.url}/api/dashboards/${doomed.id}`)).status).toBe(404);
    expect(errors).toEqual([]);
    await close();
  });

  it("keeps the dialog open and the row listed when the server does not finish a delete, saying why", async () => {
    const prefix = uniqueId("undeleted");
    const id = `${prefix}-a`;
    const message = "a relay of the dashboard could not be reached; nothing was deleted, send it again";
    await createDashboard(suite.server.url, id);
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`, async (page) => {
      // A relay that cannot be reached makes the server answer 503 delete_incomplete; here that
      // answer is given in its place, since a relay cannot be made unreachable from a page.
      await page.route(`**/api/dashboards/${id}`, (route) =>
        route.request().method() === "DELETE"
          ? route.fulfill({
              status: 503,
              headers: { "retry-after": "1" },
              contentType: "application/json",
              body: JSON.stringify({ error: { code: "delete_incomplete", message } }),
            })
          : route.continue(),
      );
    });
    await search(page, prefix);
    await page.click(`#directory-rows tr[data-dashboard-id="${id}"] button.danger`);
    await page.fill("#delete-confirm", id);
    await page.click('#delete-form button[type="submit"]');
    await page.locator("#delete-error:not(:empty)").waitFor();
    expect(await page.textContent("#delete-error")).toBe(`${id} was not deleted: ${message}.`);
    expect(await page.isVisible("#delete-dialog")).toBe(true);
    expect(await shownIds(page)).toEqual([id]);
    expect(errors).toEqual([]);
    await close();
  });

  it("exports a private dashboard's definition as <id>.pulseboard.json, read with the admin token", async () => {
    const prefix = uniqueId("export");
    const id = `${prefix}-private`;
    const created = await fetch(`${suite.server.url}/api/dashboards`, {
      method: "POST",
      headers: { ...adminHeaders, "content-type": "application/json" },
      body: JSON.stringify({ id, title: "Secret plant", private: true }),
    });
    expect(created.status).toBe(201);
    const { page, errors, close } = await openPage(suite.browser, `${suite.server.url}/`);
    await search(page, prefix);
    expect((await rowCells(page, id))[2]).toBe("private");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`#directory-rows tr[data-dashboard-id="${id}"] button:not(.danger)`),
    ]);
    expect(download.suggestedFilename()).toBe(`${id}.pulseboard.json`);
    const saved = JSON.parse(await readFile((await download.path())!, "utf8")) as unknown;
    const definition = await fetch(`${suite.server.url}/api/dashboards/${id}/definition`, { headers: adminHeaders });
    expect(saved).toEqual(await definition.json());
    expect(saved).toMatchObject({ title: "Secret plant", private: true });
    expect(errors).toEqual([]);
    await close();
  });
});
