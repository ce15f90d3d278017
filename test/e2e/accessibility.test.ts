/**
 * The pages against axe-core's rules (WCAG 2.x A and AA, and axe's best practices), in a real
 * Chromium against a real `wrangler dev`: the landing page, its directory listed and its delete
 * dialog open; a dashboard with live data in
 * light and dark colour schemes, zoomed (by mouse, and by keyboard on a focused chart), and with
 * the editor open (its token prompt, its form, a panel's preview), the time picker open, arranging panels, on a phone (with the editor and the time picker too) and in kiosk mode; and the pages that refuse to show a dashboard. Then the keyboard: every
 * control of the dashboard page is reached with Tab, works with Enter or Space, and shows where
 * the focus is.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults, Result } from "axe-core";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, devAdminToken, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import type { DashboardView } from "./dashboard-view.ts";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe over the whole page as it is now; returns its violations, one line per rule. */
async function audit(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the pages' `script-src 'self'` does not
  // govern; a <script> tag injected into the page would be refused by it.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(document, {
      resultTypes: ["violations"],
    }),
  );
  return results.violations.map(describeViolation);
}

function describeViolation(violation: Result): string {
  const nodes = violation.nodes.map((node) => `${node.target.join(" ")} (${node.failureSummary?.replaceAll("\n", " ")})`);
  return `${violation.id} [${violation.impact}]: ${violation.help}: ${nodes.join("; ")}`;
}

/** A dashboard with every panel type, automatic charts, and recent data in all of them. */
async function dashboardWithData(base: string, prefix: string): Promise<{ id: string; ingestToken: string }> {
  const id = uniqueId(prefix);
  const { ingestToken } = await createDashboard(base, id, "Plant floor");
  await updateDashboard(base, id, ingestToken, {
    panels: [
      { id: "cpu", title: "CPU", type: "line", series: ["cpu.*"], unit: "%" },
      { id: "load", title: "Load now", type: "stat", series: ["cpu.load{host=a}"], thresholds: [{ value: 5, color: "#d97706" }] },
      { id: "fill", title: "Tank fill", type: "gauge", series: ["tank.fill"], min: 0, max: 100, unit: "%" },
      { id: "latest", title: "Latest", type: "table", series: ["tank.fill", "cpu.load{host=b}"] },
    ],
  });
  const start = Math.floor(Date.now() / 1000) * 1000 - 30_000;
  const points = Array.from({ length: 30 }, (_, i) => [
    { name: "cpu.load", tags: { host: "a" }, value: (i % 9) + 0.5, ts: start + i * 1000 },
    { name: "cpu.load", tags: { host: "b" }, value: (i % 4) + 1, ts: start + i * 1000 },
    { name: "tank.fill", value: 40 + i, ts: start + i * 1000 },
    { name: "room.temp", value: 20 + (i % 3), ts: start + i * 1000 },
  ]).flat();
  await postMetrics(base, id, ingestToken, points);
  return { id, ingestToken };
}

/** Waits until the automatic chart of room.temp has drawn its points. */
async function waitForCharts(view: DashboardView): Promise<void> {
  await view.waitForState("live");
  await view.waitUntil("the charts to draw", async () => {
    const charts = await view.timeCharts();
    return charts.length === 2 && charts.every((c) => c.shown.times >= 30);
  });
}

/** The element with the focus: how tests name it, and whether a focus ring shows on it. */
interface Focused {
  /** `data-testid`, else `id`, else `aria-label`, else text; `body` when nothing has focus. */
  name: string;
  /** Whether the element draws an outline or a shadow while focused. */
  ring: boolean;
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { name: "body", ring: false };
    const name = element.dataset.testid || element.id || element.getAttribute("aria-label") || element.textContent?.trim() || element.tagName;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0;
    return { name, ring: element.matches(":focus-visible") && (outline || style.boxShadow !== "none") };
  });
}

/** Presses Tab until `name` has the focus (at most 80 times); fails naming what was passed. */
async function tabTo(page: Page, name: string): Promise<Focused> {
  const passed: string[] = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (now.name === name) return now;
    passed.push(now.name);
  }
  throw new Error(`Tab never reached ${name}; it went through ${passed.join(", ")}`);
}

/** Names of the controls inside `selector` that the keyboard should reach: visible and enabled. */
function controlsIn(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(`${selector} :is(a[href], button, input, select, textarea, summary)`, (found) =>
    found
      // A closed <details> shows only its summary.
      .filter((e) => e.tagName === "SUMMARY" || !e.closest("details:not([open])"))
      .filter((e) => !(e as HTMLButtonElement).disabled && (e as HTMLElement).offsetParent !== null)
      .map((e) => {
        const element = e as HTMLElement;
        return element.dataset.testid || element.id || element.getAttribute("aria-label") || element.textContent?.trim() || element.tagName;
      }),
  );
}

describe.skipIf(skipBrowserTests)("accessibility", () => {
  const suite = browserSuite();

  for (const colorScheme of ["light", "dark"] as const) {
    it(`the landing page has no axe violations in the ${colorScheme} colour scheme`, async () => {
      const { page, errors, close } = await suite.open("/");
      try {
        await page.emulateMedia({ colorScheme });
        await page.locator("#create-form").waitFor();
        expect(await audit(page)).toEqual([]);
        // With an error at a field: a wrong admin token is refused at the token input.
        await page.fill("#admin-token", "not-the-admin-token");
        await page.click('#create-form button[type="submit"]');
        await page.locator("#admin-token-error:not([hidden])").waitFor({ timeout: 10_000 });
        expect(await audit(page)).toEqual([]);
        // And with a created dashboard's token and commands shown.
        await page.fill("#admin-token", devAdminToken);
        await page.fill("#create-id", uniqueId(`a11y-created-${colorScheme}`));
        await page.click('#create-form button[type="submit"]');
        await page.locator('[data-testid="create-result"]:not([hidden])').waitFor({ timeout: 10_000 });
        expect(await audit(page)).toEqual([]);
        await saveScreenshot(page, `a11y-landing-${colorScheme}`);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  for (const colorScheme of ["light", "dark"] as const) {
    it(`a dashboard with live data has no axe violations in the ${colorScheme} colour scheme, nor when zoomed`, async () => {
      const { id } = await dashboardWithData(suite.server.url, `a11y-${colorScheme}`);
      const { page, view, errors, close } = await suite.open(`/d/${id}`);
      try {
        await page.emulateMedia({ colorScheme });
        await waitForCharts(view);
        expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(colorScheme === "dark");
        expect(await audit(page)).toEqual([]);
        await saveScreenshot(page, `a11y-dashboard-${colorScheme}`);

        await view.dragAcrossChart('[data-testid="panel"][data-metric="room.temp"]', 0.2, 0.6);
        await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
        expect(await audit(page)).toEqual([]);
        await saveScreenshot(page, `a11y-dashboard-${colorScheme}-zoomed`);
        // A chart focused and zoomed out from the keyboard.
        await page.focus('[data-testid="saved-panel"][data-panel-id="cpu"] .time-chart');
        const zoomed = JSON.stringify(await view.timeCharts());
        await page.keyboard.press("-");
        await view.waitUntil("the keyboard zoom to take", async () => JSON.stringify(await view.timeCharts()) !== zoomed);
        expect(await audit(page)).toEqual([]);
        // Paused as well (the button then reads "Resume live" in the warning colour).
        await view.togglePause();
        expect(await view.paused()).toBe(true);
        expect(await audit(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  for (const colorScheme of ["light", "dark"] as const) {
  it(`the dashboard page with the editor open has no axe violations in the ${colorScheme} colour scheme`, async () => {
    const { id, ingestToken } = await dashboardWithData(suite.server.url, "a11y-edit");
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await page.emulateMedia({ colorScheme });
      await waitForCharts(view);
      // The token prompt first, as asked and with a token refused at its field.
      await view.toggleEditing();
      await page.locator('[data-testid="token-gate"]').waitFor();
      expect(await audit(page)).toEqual([]);
      await page.fill('[data-testid="edit-token"]', "not-the-token");
      await page.click('[data-testid="token-submit"]');
      await view.waitUntil("the token to be refused", async () => ((await page.textContent('[data-testid="token-error"]')) ?? "") !== "");
      expect(await audit(page)).toEqual([]);
      await saveScreenshot(page, `a11y-editor-token-${colorScheme}`);
      await page.fill('[data-testid="edit-token"]', ingestToken);
      await page.click('[data-testid="token-submit"]');
      await page.locator('[data-testid="panel-editor"]').first().waitFor();
      expect(await audit(page)).toEqual([]);
      // A line panel's preview, then a stat's, then one that cannot be drawn.
      await page.click('[data-panel-id="cpu"] [data-testid="preview-panel"]');
      await view.waitUntil("the line preview to draw", async () => (await page.locator('[data-testid="panel-preview"] [data-testid="preview-view"] canvas').count()) === 1);
      expect(await audit(page)).toEqual([]);
      await page.click('[data-panel-id="load"] [data-testid="preview-panel"]');
      await view.waitUntil("the stat preview to draw", async () =>
        (await page.evaluate(() => document.querySelector('[data-testid="panel-preview"] [data-testid="stat-value"]')?.textContent ?? "")) !== "",
      );
      expect(await audit(page)).toEqual([]);
      await view.editField("load", "decimals", "eleven");
      await view.waitUntil("the preview to say why it cannot draw", async () => ((await page.textContent('[data-testid="preview-error"]')) ?? "") !== "");
      expect(await audit(page)).toEqual([]);
      await saveScreenshot(page, `a11y-editor-preview-${colorScheme}`);
      await view.editField("load", "decimals", "");
      // With errors shown at their fields too.
      await page.fill('[data-testid="dashboard-title"]', "");
      await page.click('[data-testid="save-panels"]');
      await view.waitUntil("the title error to show", async () => ((await page.textContent('[data-testid="title-error"]')) ?? "") !== "");
      expect(await audit(page)).toEqual([]);
      await saveScreenshot(page, `a11y-editor-${colorScheme}`);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
  }

  for (const colorScheme of ["light", "dark"] as const) {
    it(`the landing page's directory (listed, refused, its delete dialog open with an error) and a refused definition file have no axe violations in the ${colorScheme} colour scheme`, async () => {
      const prefix = uniqueId(`a11y-dir-${colorScheme}`);
      const { ingestToken } = await createDashboard(suite.server.url, `${prefix}-a`, "Listed");
      await postMetrics(suite.server.url, `${prefix}-a`, ingestToken, [{ name: "cpu.load", value: 1 }]);
      const { page, errors, close } = await suite.open("/");
      try {
        await page.emulateMedia({ colorScheme });
        await page.fill("#directory-search", prefix);
        await page.locator(`#directory-rows tr[data-dashboard-id="${prefix}-a"]`).waitFor();
        expect(await audit(page)).toEqual([]);
        await page.click(`#directory-rows tr[data-dashboard-id="${prefix}-a"] button.danger`);
        await page.click('#delete-form button[type="submit"]');
        await page.locator("#delete-error:not(:empty)").waitFor();
        expect(await audit(page)).toEqual([]);
        await page.click("#delete-cancel");
        // The create form's definition file, refused with its field named.
        await page.setInputFiles("#create-definition", { name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{") });
        await page.click('#create-form button[type="submit"]');
        await page.locator("#create-definition-error:not([hidden])").waitFor();
        expect(await audit(page)).toEqual([]);
        await page.fill("#admin-token", "not-the-admin-token");
        await page.click('#directory-form button[type="submit"]');
        await page.locator("#admin-token-error:not([hidden])").waitFor();
        expect(await audit(page)).toEqual([]);
        await saveScreenshot(page, `a11y-landing-directory-${colorScheme}`);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  for (const colorScheme of ["light", "dark"] as const) {
    it(`the Annotate dialog (an annotation listed, an error shown), the Tokens dialog, the Delete dialog (an error shown) and the time picker (open, an error shown) have no axe violations in the ${colorScheme} colour scheme`, async () => {
      const { id, ingestToken } = await dashboardWithData(suite.server.url, `a11y-annotate-${colorScheme}`);
      await fetch(`${suite.server.url}/api/dashboards/${id}/annotations`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ingestToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ text: "boiler serviced" }),
      });
      const { page, view, errors, close } = await suite.open(`/d/${id}`);
      try {
        await page.emulateMedia({ colorScheme });
        await waitForCharts(view);
        await page.click('[data-testid="annotate"]');
        await page.locator('[data-testid="annotation-list"] li[data-annotation]').first().waitFor();
        expect(await audit(page)).toEqual([]);
        await page.click('[data-testid="annotation-add"]');
        await view.waitUntil("the error to show", async () => ((await page.textContent('[data-testid="annotation-error"]')) ?? "") !== "");
        expect(await audit(page)).toEqual([]);
        // The Tokens dialog, its list shown.
        await page.click('[data-testid="annotation-close"]');
        await page.click('[data-testid="tokens"]');
        await page.fill('[data-testid="token-access"]', ingestToken);
        await page.click('[data-testid="token-load"]');
        await page.locator('[data-testid="token-rows"] tr').first().waitFor();
        expect(await audit(page)).toEqual([]);
        // The Delete dialog, from the Tokens dialog, the id typed wrong.
        await page.click('[data-testid="delete-dashboard"]');
        await page.fill('[data-testid="delete-confirm-id"]', "not-the-id");
        await page.click('[data-testid="delete-submit"]');
        await view.waitUntil("the delete error to show", async () => ((await page.textContent('[data-testid="delete-error"]')) ?? "") !== "");
        expect(await audit(page)).toEqual([]);
        // The Tokens dialog closed when Delete opened; Cancel closes the Delete dialog.
        await page.click('[data-testid="delete-cancel"]');
        // The time picker's dialog, open, then with a mistake shown at its field.
        await page.click('[data-testid="time-picker-open"]');
        await page.locator('[data-testid="time-picker"]').waitFor();
        expect(await audit(page)).toEqual([]);
        await page.fill('[data-testid="time-to-time"]', "25:00");
        await page.click('[data-testid="time-picker-apply"]');
        await page.locator('[data-testid="time-to-error"]:not(:empty)').waitFor();
        expect(await audit(page)).toEqual([]);
        await saveScreenshot(page, `a11y-time-picker-${colorScheme}`);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  for (const colorScheme of ["light", "dark"] as const) {
    it(`a dashboard on a phone and in kiosk mode has no axe violations in the ${colorScheme} colour scheme`, async () => {
      const { id, ingestToken } = await dashboardWithData(suite.server.url, `a11y-small-${colorScheme}`);
      for (const path of [`/d/${id}`, `/d/${id}?kiosk`]) {
        const { page, view, errors, close } = await suite.open(path);
        try {
          await page.setViewportSize({ width: 390, height: 844 });
          await page.emulateMedia({ colorScheme });
          await waitForCharts(view);
          expect(await audit(page)).toEqual([]);
          if (!path.endsWith("?kiosk")) {
            // The time picker open on a phone, then its range applied (the button reads it).
            await page.click('[data-testid="time-picker-open"]');
            await page.locator('[data-testid="time-picker"]').waitFor();
            expect(await audit(page)).toEqual([]);
            await page.click('[data-testid="time-picker-apply"]');
            await view.waitUntil("the custom range to load", async () => (await page.getAttribute('[data-testid="range"]', "data-loaded")) === "absolute");
            expect(await audit(page)).toEqual([]);
            // The editor's token prompt, then its form with a gauge's preview, at phone width.
            await view.toggleEditing();
            await page.locator('[data-testid="token-gate"]').waitFor();
            expect(await audit(page)).toEqual([]);
            await page.fill('[data-testid="edit-token"]', ingestToken);
            await page.click('[data-testid="token-submit"]');
            await page.click('[data-panel-id="fill"] [data-testid="preview-panel"]');
            await page.locator('[data-testid="panel-preview"] [data-testid="gauge-value"]').waitFor();
            expect(await audit(page)).toEqual([]);
            await saveScreenshot(page, `a11y-editor-phone-${colorScheme}`);
          }
          expect(errors).toEqual([]);
        } finally {
          await close();
        }
      }
    });
  }

  it("the private-dashboard refusal and the unknown-dashboard page have no axe violations", async () => {
    const id = uniqueId("a11y-private");
    const response = await fetch(`${suite.server.url}/api/dashboards`, {
      method: "POST",
      headers: { authorization: `Bearer ${devAdminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ id, title: "Private", private: true }),
    });
    expect(response.status).toBe(201);
    const refused = await suite.open(`/d/${id}`);
    try {
      await refused.page.locator('[data-testid="private"]').waitFor();
      expect(await audit(refused.page)).toEqual([]);
      await saveScreenshot(refused.page, "a11y-private");
      expect(refused.errors).toEqual([]);
    } finally {
      await refused.close();
    }

    const unknown = await suite.open(`/d/${uniqueId("a11y-nobody")}`);
    try {
      await unknown.page.locator('[data-testid="not-found"]').waitFor();
      expect(await audit(unknown.page)).toEqual([]);
      await saveScreenshot(unknown.page, "a11y-not-found");
      expect(unknown.errors).toEqual([]);
    } finally {
      await unknown.close();
    }
  });

  it("the connection badge and every chart have names for screen readers", async () => {
    const { id } = await dashboardWithData(suite.server.url, "a11y-names");
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await waitForCharts(view);
      const badge = page.getByRole("status", { name: "Connection status" });
      expect(await badge.textContent()).toContain("Live");
      const charts = await page.$$eval("canvas", (canvases) => canvases.map((c) => `${c.getAttribute("role")}: ${c.getAttribute("aria-label")}`));
      expect(charts).toEqual(["img: CPU: 2 series over time", "img: room.temp over time"]);
      // Each chart is a focusable group, named, whose description gives the mouse and keys.
      const groups = await page.$$eval(".time-chart", (found) =>
        found.map((g) => ({
          role: g.getAttribute("role"),
          name: g.getAttribute("aria-label"),
          tabIndex: (g as HTMLElement).tabIndex,
          description: document.getElementById(g.getAttribute("aria-describedby") ?? "")?.textContent ?? "",
        })),
      );
      expect(groups.map((g) => `${g.role}: ${g.name} (${g.tabIndex})`)).toEqual(["group: CPU: 2 series over time (0)", "group: room.temp over time (0)"]);
      for (const group of groups) {
        expect(group.description).toContain("Drag across the chart");
        expect(group.description).toContain("plus zooms in, minus zooms out");
        expect(group.description).toContain("left and right arrows");
        expect(group.description).toContain("Escape or 0 returns to now");
      }
      expect(await page.getByRole("region", { name: "Panels" }).count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`arranging panels (the token asked, refused, then arranging) has no axe violations in the ${colorScheme} colour scheme`, async () => {
      const { id, ingestToken } = await dashboardWithData(suite.server.url, "a11y-arrange");
      const { page, view, errors, close } = await suite.open(`/d/${id}`);
      try {
        await page.emulateMedia({ colorScheme });
        await waitForCharts(view);
        await page.click('[data-testid="arrange"]');
        await page.locator('[data-testid="arrange-token"]').waitFor();
        expect(await audit(page)).toEqual([]);
        await page.fill('[data-testid="arrange-token"]', "pb_wrong");
        await page.click('[data-testid="arrange-start"]');
        await view.waitUntil("the token to be refused", async () => ((await page.textContent('[data-testid="arrange-token-error"]')) ?? "") !== "");
        expect(await audit(page)).toEqual([]);
        await page.fill('[data-testid="arrange-token"]', ingestToken);
        await page.click('[data-testid="arrange-start"]');
        await view.waitUntil("arranging to start", async () => (await page.$(".saved-panels.arranging")) !== null);
        await page.click('[data-testid="arrange-move"][data-move="taller"]');
        await view.waitUntil("a move to save", async () => (await page.getAttribute('[data-testid="arrange-status"]', "data-state")) === "changed");
        expect(await audit(page)).toEqual([]);
        await saveScreenshot(page, `a11y-arrange-${colorScheme}`);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it("reaches every control of the dashboard page with Tab, works it with Enter and Space, and shows the focus", async () => {
    const { id, ingestToken } = await dashboardWithData(suite.server.url, "a11y-keys");
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await waitForCharts(view);

      // The header's controls, then the line panel's chart and legend, then the automatic
      // chart, in reading order, each with a ring.
      const order: Focused[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press("Tab");
        order.push(await focused(page));
      }
      expect(order.map((f) => f.name)).toEqual([
        "Pulseboard home",
        "range",
        "time-picker-open",
        "edit",
        "arrange",
        "pause",
        "annotate",
        "tokens",
        "CPU: 2 series over time",
        "cpu.load{host=a}",
        "cpu.load{host=b}",
        "room.temp over time",
      ]);
      for (const stop of order) expect(stop, `focus ring on ${stop.name}`).toMatchObject({ ring: true });

      // The focused automatic chart zooms in with "+", which shows Jump to now; Escape returns.
      await page.keyboard.press("+");
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      await page.keyboard.press("Escape");
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      expect((await focused(page)).name).toBe("room.temp over time");

      // Range picker: arrow keys pick a range, which loads.
      for (let i = 0; i < 10; i++) await page.keyboard.press("Shift+Tab");
      expect((await focused(page)).name).toBe("range");
      await page.keyboard.press("ArrowDown");
      await view.waitUntil("the 5 minute range to load", async () => (await page.getAttribute('[data-testid="range"]', "data-loaded")) === "5m");
      await page.keyboard.press("ArrowUp");
      await view.waitUntil("recent points again", async () => (await page.getAttribute('[data-testid="range"]', "data-loaded")) === "recent");

      // Annotate opens its dialog with Enter, the focus in its text; Escape closes it and the
      // focus goes back to the button.
      await tabTo(page, "annotate");
      await page.keyboard.press("Enter");
      expect((await focused(page)).name).toBe("annotation-text");
      await page.keyboard.press("Escape");
      expect((await focused(page)).name).toBe("annotate");

      // Pause with Space, then Jump to now (shown while paused) with Enter resumes.
      await tabTo(page, "pause");
      await page.keyboard.press("Space");
      expect(await view.paused()).toBe(true);
      expect(await tabTo(page, "jump-to-now")).toMatchObject({ ring: true });
      await page.keyboard.press("Enter");
      expect(await view.paused()).toBe(false);
      expect(await view.jumpToNowShown()).toBe(false);
      // The button went away under the focus, which moves to the range picker rather than get lost.
      expect((await focused(page)).name).toBe("range");

      // Zoomed by mouse, back to now with Space on Jump to now.
      await view.dragAcrossChart('[data-testid="panel"][data-metric="room.temp"]', 0.2, 0.6);
      await view.waitUntil("Jump to now to appear", () => view.jumpToNowShown());
      await tabTo(page, "jump-to-now");
      await page.keyboard.press("Space");
      await view.waitUntil("Jump to now to go", async () => !(await view.jumpToNowShown()));
      const newest = (await view.points("room.temp")).ts.at(-1)!;
      await view.waitUntil("the charts to follow now again", async () => (await view.timeCharts()).every((c) => c.shown.xMax === newest));

      // A legend entry hides and shows its series.
      const legend = '[data-testid="saved-panel"][data-panel-id="cpu"] .legend-toggle';
      await tabTo(page, "cpu.load{host=b}");
      await page.keyboard.press("Space");
      expect(await page.locator(legend).nth(1).getAttribute("aria-pressed")).toBe("false");
      await page.keyboard.press("Enter");
      expect(await page.locator(legend).nth(1).getAttribute("aria-pressed")).toBe("true");

      // Edit opens the editor with Enter and puts the focus in it; Tab then reaches every field
      // and button of it in order, each with a ring.
      await tabTo(page, "edit");
      await page.keyboard.press("Enter");
      // The first opening loads the editor's code (lazy-editor.ts), then asks for the token
      // with the focus in its field; Enter checks it, then the focus goes to the form.
      await view.waitUntil("the token prompt to take the focus", async () => (await focused(page)).name === "edit-token");
      expect(await focused(page)).toMatchObject({ ring: true });
      await page.keyboard.type(ingestToken);
      await page.keyboard.press("Enter");
      await view.waitUntil("the editor to take the focus", async () => (await focused(page)).name === "dashboard-title");
      const controls = await controlsIn(page, "#editor");
      expect(controls.length).toBeGreaterThan(20);
      const visited: Focused[] = [await focused(page)];
      while (visited.length < controls.length) {
        await page.keyboard.press("Tab");
        visited.push(await focused(page));
      }
      expect(visited.map((f) => f.name)).toEqual(controls);
      for (const stop of visited) expect(stop, `focus ring on ${stop.name}`).toMatchObject({ ring: true });
      await saveScreenshot(page, "a11y-keyboard-editor");

      // Enter on "Add panel" adds one and focuses its title; arrow keys pick its type, which
      // shows the gauge's scale fields.
      await page.focus('[data-testid="dashboard-title"]');
      await tabTo(page, "add-panel");
      await page.keyboard.press("Enter");
      expect((await focused(page)).name).toBe("edit-4-title");
      await page.keyboard.type("Temperature");
      await page.keyboard.press("Tab");
      expect((await focused(page)).name).toBe("edit-4-type");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      expect(await page.inputValue("#edit-4-type")).toBe("gauge");
      expect(await page.isVisible("#edit-4-min")).toBe(true);
      await page.keyboard.press("Tab");
      await page.keyboard.type("room.temp");

      // The title, typed, and Save with Enter: the page takes the new title.
      await page.focus('[data-testid="dashboard-title"]');
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type("Plant floor, by keyboard");
      await tabTo(page, "save-panels");
      await page.keyboard.press("Enter");
      await view.waitUntil("the editor to close after saving", async () => (await page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "false");
      expect(await page.textContent("h1")).toBe("Plant floor, by keyboard");
      expect((await focused(page)).name).toBe("edit");
      await view.waitUntil("the new gauge to show", async () => (await view.savedPanels()).length === 5);

      // Space on Edit opens it again and Space on Cancel closes it, focus back on Edit.
      await page.keyboard.press("Space");
      expect(await page.isVisible('[data-testid="cancel-edit"]')).toBe(true);
      await tabTo(page, "cancel-edit");
      await page.keyboard.press("Space");
      expect(await page.isVisible('[data-testid="cancel-edit"]')).toBe(false);
      expect((await focused(page)).name).toBe("edit");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
