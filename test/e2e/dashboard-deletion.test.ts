/**
 * Deleting a dashboard from its own page, in real Chromium against a real `wrangler dev`, at a
 * desktop's and a phone's size: "Delete dashboard…" in the Tokens dialog opens a dialog that
 * asks for the dashboard's edit token (or the admin token) and its id, typed; while the request is under
 * way the dialog says so and takes no second press; once deleted, this page and every other
 * one watching show the dashboard as gone. A token that may not delete is refused with the
 * server's reason, deleting nothing; a wall screen (`?kiosk`) has no Delete at all.
 */
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, devAdminToken, postMetrics, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

const sizes = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

type Size = (typeof sizes)[number];

/** A page of `url` in a context of its own at `size`, watched for errors and DELETE requests. */
async function openAt(browser: Browser, size: Size, url: string, prepare?: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
  const page = await context.newPage();
  const errors: string[] = [];
  const deletes: string[] = [];
  page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
  page.on("request", (request) => {
    if (request.method() === "DELETE") deletes.push(new URL(request.url()).pathname);
  });
  await prepare?.(page);
  await page.goto(url);
  return { page, errors, deletes, view: new DashboardView(page), close: () => context.close() };
}

/** A dashboard with a point, and its ingest token (scope `edit`). */
async function fedDashboard(base: string, prefix: string): Promise<{ id: string; ingestToken: string }> {
  const id = uniqueId(prefix);
  const { ingestToken } = await createDashboard(base, id, "Boiler room");
  await postMetrics(base, id, ingestToken, [{ name: "boiler.temp", value: 70, ts: Date.now() - 2_000 }]);
  return { id, ingestToken };
}

/** A new token of `scope` for dashboard `id`, made with the admin token: its secret. */
async function makeToken(base: string, id: string, scope: "write" | "read"): Promise<string> {
  const response = await fetch(`${base}/api/dashboards/${id}/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${devAdminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `a ${scope} token`, scope }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

/** The ids of the landing page's "Dashboards you know", as this browser keeps them. */
const knownIds = (page: Page) =>
  page.evaluate(() => (JSON.parse(localStorage.getItem("pulseboard.known-dashboards") ?? "[]") as { id: string }[]).map((known) => known.id));

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

/** Whether the element of `selector` lies inside the window's width. */
async function insideWidth(page: Page, selector: string, width: number): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  return box !== null && box.x >= 0 && box.x + box.width <= width;
}

describe.skipIf(skipBrowserTests)("deleting a dashboard from its page", () => {
  const suite = browserSuite();

  for (const size of sizes) {
    it(`deletes it with its edit token once the id is typed, saying so while it works, and shows it gone here and to everyone watching (${size.name})`, async () => {
      const { id, ingestToken } = await fedDashboard(suite.server.url, `gone-${size.name}`);
      const other = await openAt(suite.browser, sizes[0], `${suite.server.url}/d/${id}`);
      // The DELETE is held until the test has seen the dialog at work.
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const open = await openAt(suite.browser, size, `${suite.server.url}/d/${id}`, async (page) => {
        await page.route(`**/api/dashboards/${id}`, async (route) => {
          if (route.request().method() === "DELETE") await held;
          await route.continue();
        });
      });
      const { page, view } = open;
      try {
        await view.waitForState("live");
        await other.view.waitForState("live");
        expect(await knownIds(page)).toContain(id);
        await page.click('[data-testid="tokens"]');
        expect(await insideWidth(page, '[data-testid="delete-dashboard"]', size.width)).toBe(true);
        await page.click('[data-testid="delete-dashboard"]');
        expect(await page.isVisible('[data-testid="token-manager"]')).toBe(false);
        expect(await page.isVisible('[data-testid="dashboard-deleter"]')).toBe(true);
        expect(await page.textContent("#dashboard-deleter-title")).toContain(id);
        expect(await insideWidth(page, '[data-testid="dashboard-deleter"]', size.width)).toBe(true);
        // No token kept in this tab: the token field asks first.
        expect(await activeId(page)).toBe("delete-token");

        await page.fill('[data-testid="delete-token"]', ingestToken);
        await page.fill('[data-testid="delete-confirm-id"]', `${id}-not`);
        await page.click('[data-testid="delete-submit"]');
        expect(await page.textContent('[data-testid="delete-error"]')).toBe(`Type ${id} exactly to delete it.`);
        expect(await page.getAttribute('[data-testid="delete-confirm-id"]', "aria-invalid")).toBe("true");
        expect(await activeId(page)).toBe("delete-confirm-id");
        expect(open.deletes).toEqual([]);

        await page.fill('[data-testid="delete-confirm-id"]', id);
        await page.click('[data-testid="delete-submit"]');
        await view.waitUntil("the DELETE sent", async () => open.deletes.length === 1);
        expect(await page.textContent('[data-testid="delete-submit"]')).toBe("Deleting…");
        expect(await page.isDisabled('[data-testid="delete-submit"]')).toBe(true);
        expect(await page.textContent('[data-testid="delete-progress"]')).toBe(`Deleting ${id} and all its data…`);
        expect(await page.getAttribute("#dashboard-deleter-form", "aria-busy")).toBe("true");
        // Escape does not close it while the request is under way.
        await page.keyboard.press("Escape");
        expect(await page.isVisible('[data-testid="dashboard-deleter"]')).toBe(true);
        await saveScreenshot(page, `dashboard-deleting-${size.name}`);
        release();

        await page.locator('[data-testid="not-found"]').waitFor();
        expect(await page.isVisible('[data-testid="dashboard-deleter"]')).toBe(false);
        expect(await page.textContent('[data-testid="deleted"]')).toBe(`You deleted ${id} with all its data; everyone watching it was told.`);
        expect(await activeId(page)).toBe("");
        expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe("deleted");
        expect(await view.state()).toBe("refused");
        expect(open.deletes).toEqual([`/api/dashboards/${id}`]);
        expect((await fetch(`${suite.server.url}/api/dashboards/${id}`)).status).toBe(404);
        // No longer one of the landing page's "Dashboards you know".
        expect(await knownIds(page)).not.toContain(id);
        await saveScreenshot(page, `dashboard-deleted-${size.name}`);
        // Another page watching it is closed with 4404 and says so too, without the note.
        await other.page.locator('[data-testid="not-found"]').waitFor();
        expect(await other.page.$('[data-testid="deleted"]')).toBeNull();
        expect(open.errors).toEqual([]);
        expect(other.errors).toEqual([]);
      } finally {
        release();
        await open.close();
        await other.close();
      }
    });

    it(`refuses a write or read token with the server's reason, keeping the dialog open and the dashboard live (${size.name})`, async () => {
      const { id } = await fedDashboard(suite.server.url, `kept-${size.name}`);
      const open = await openAt(suite.browser, size, `${suite.server.url}/d/${id}`);
      const { page, view } = open;
      try {
        await view.waitForState("live");
        // A token typed in the Tokens dialog is the one offered.
        const write = await makeToken(suite.server.url, id, "write");
        await page.click('[data-testid="tokens"]');
        await page.fill('[data-testid="token-access"]', write);
        await page.click('[data-testid="delete-dashboard"]');
        expect(await page.inputValue('[data-testid="delete-token"]')).toBe(write);
        expect(await activeId(page)).toBe("delete-confirm-id");
        for (const scope of ["write", "read"] as const) {
          if (scope === "read") await page.fill('[data-testid="delete-token"]', await makeToken(suite.server.url, id, scope));
          await page.fill('[data-testid="delete-confirm-id"]', id);
          await page.click('[data-testid="delete-submit"]');
          await view.waitUntil(`the ${scope} token refused`, async () => ((await page.textContent('[data-testid="delete-error"]')) ?? "").includes("scope"));
          expect(await page.textContent('[data-testid="delete-error"]')).toContain(`${id} was not deleted: this token's scope does not allow this`);
          expect(await page.getAttribute('[data-testid="delete-token"]', "aria-invalid")).toBe("true");
          expect(await page.isEnabled('[data-testid="delete-submit"]')).toBe(true);
          expect(await page.textContent('[data-testid="delete-submit"]')).toBe("Delete dashboard");
        }
        expect(await page.isVisible('[data-testid="dashboard-deleter"]')).toBe(true);
        await page.click('[data-testid="delete-cancel"]');
        expect(await page.isVisible('[data-testid="dashboard-deleter"]')).toBe(false);
        expect(await view.state()).toBe("live");
        expect((await fetch(`${suite.server.url}/api/dashboards/${id}`)).status).toBe(200);
        expect(open.errors).toEqual([]);
      } finally {
        await open.close();
      }
    });
  }

  it("offers the admin token this tab keeps from the landing page, in Tokens and in Delete, so only the id is asked", async () => {
    const { id } = await fedDashboard(suite.server.url, "admin");
    const open = await openAt(suite.browser, sizes[0], `${suite.server.url}/`);
    const { page, view } = open;
    try {
      // The landing page keeps the admin token for the tab once the server accepts it.
      await page.fill("#directory-search", id);
      await page.locator(`#directory-rows tr[data-dashboard-id="${id}"]`).waitFor();
      await page.goto(`${suite.server.url}/d/${id}`);
      await view.waitForState("live");
      await page.click('[data-testid="tokens"]');
      expect(await page.inputValue('[data-testid="token-access"]')).toBe(devAdminToken);
      await page.locator('[data-testid="token-rows"] tr').first().waitFor();
      await page.click('[data-testid="delete-dashboard"]');
      expect(await page.inputValue('[data-testid="delete-token"]')).toBe(devAdminToken);
      expect(await activeId(page)).toBe("delete-confirm-id");
      await page.keyboard.type(id);
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="deleted"]').waitFor();
      expect((await fetch(`${suite.server.url}/api/dashboards/${id}`)).status).toBe(404);
      expect(open.errors).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it("shows no way to Delete on a wall screen (?kiosk)", async () => {
    const { id } = await fedDashboard(suite.server.url, "kiosk");
    const open = await openAt(suite.browser, sizes[0], `${suite.server.url}/d/${id}?kiosk`);
    try {
      await open.view.waitForState("live");
      expect(await open.page.isVisible('[data-testid="tokens"]')).toBe(false);
      expect(await open.page.isVisible('[data-testid="delete-dashboard"]')).toBe(false);
      expect(open.errors).toEqual([]);
    } finally {
      await open.close();
    }
  });
});
