/**
 * The dashboard page's frame at a desktop's and a phone's size (390 × 844): a header that
 * fits the width with every part in view, the "Back online" toast styled and just under the
 * header, and kiosk mode (`?kiosk`) for wall screens: no chrome, a corner badge, live points.
 */
import type { Page, WebSocketRoute } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, updateDashboard, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

const sizes = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

type Box = { x: number; y: number; width: number; height: number };

/** Where each part of the header is on screen, `null` for a part not shown. */
async function boxes(page: Page, selectors: Record<string, string>): Promise<Record<string, Box | null>> {
  const found: Record<string, Box | null> = {};
  for (const [name, selector] of Object.entries(selectors)) found[name] = await page.locator(selector).boundingBox();
  return found;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Passes the page's socket through, and can drop it (and refuse new ones) until restored. */
class SocketSwitch {
  #cut = false;
  #open: WebSocketRoute[] = [];

  handle = (page: WebSocketRoute): void => {
    if (this.#cut) {
      void page.close({ code: 1011, reason: "cut by test" });
      return;
    }
    page.connectToServer();
    this.#open.push(page);
  };

  async cut(): Promise<void> {
    this.#cut = true;
    for (const page of this.#open.splice(0)) await page.close({ code: 1011, reason: "cut by test" });
  }

  restore(): void {
    this.#cut = false;
  }
}

const headerParts = {
  brand: ".topbar .brand",
  title: "#title",
  badge: '[data-testid="connection"]',
  updated: '[data-testid="staleness"]',
  watching: ".viewers",
  range: '[data-testid="range"]',
  edit: '[data-testid="edit"]',
  pause: '[data-testid="pause"]',
};

describe.skipIf(skipBrowserTests)("the dashboard page's header, toasts and kiosk mode", () => {
  const suite = browserSuite();

  /** A dashboard with saved panels and points, as a person would open it. */
  async function filledDashboard(title: string): Promise<{ id: string; ingestToken: string }> {
    const id = uniqueId("frame");
    const { ingestToken } = await createDashboard(suite.server.url, id, title);
    await updateDashboard(suite.server.url, id, ingestToken, {
      panels: [
        { id: "cpu", title: "CPU by host", type: "line", series: ["cpu.usage"], unit: "%" },
        { id: "rooms", title: "Rooms", type: "table", series: ["temperature"], unit: "°C", decimals: 1 },
      ],
    });
    const now = Date.now();
    await postMetrics(suite.server.url, id, ingestToken, [
      { name: "cpu.usage", value: 31.5, ts: now - 2_000, tags: { host: "web-1" } },
      { name: "cpu.usage", value: 12.5, ts: now - 1_000, tags: { host: "web-1" } },
      { name: "temperature", value: 21.5, ts: now - 1_000, tags: { room: "office" } },
    ]);
    return { id, ingestToken };
  }

  async function openAt(size: { width: number; height: number }, path: string, sockets?: SocketSwitch) {
    const context = await suite.browser.newContext({ viewport: { width: size.width, height: size.height } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
    if (sockets) await page.routeWebSocket(/\/ws(\?|$)/, sockets.handle);
    await page.goto(`${suite.server.url}${path}`);
    return { page, errors, view: new DashboardView(page), close: () => context.close() };
  }

  for (const size of sizes) {
    it(`fits the header in a ${size.name}'s width, brand, title, live state, age, viewers and controls all in view and apart`, async () => {
      const { id } = await filledDashboard("Boiler room and the long corridor behind it");
      const { page, errors, view, close } = await openAt(size, `/d/${id}`);
      await view.waitForState("live");
      await view.waitUntil("the age of the data", async () => (await view.staleness()).startsWith("updated"));
      await page.locator('[data-testid="pause"]').waitFor();

      // Nothing wider than the window: no sideways scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);
      const shown = await boxes(page, headerParts);
      for (const [name, box] of Object.entries(shown)) {
        expect(box, `${name} is shown`).not.toBeNull();
        expect(box!.x, `${name} starts inside the window`).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, `${name} ends inside the window`).toBeLessThanOrEqual(size.width);
        expect(box!.y + box!.height, `${name} is in the header`).toBeLessThanOrEqual((await page.locator(".topbar").boundingBox())!.height);
      }
      // The title keeps room to be read (it may end in an ellipsis), and no part covers another.
      expect(shown.title!.width).toBeGreaterThanOrEqual(120);
      const names = Object.keys(shown);
      for (const [i, a] of names.entries()) {
        for (const b of names.slice(i + 1)) expect(overlap(shown[a]!, shown[b]!), `${a} and ${b} overlap`).toBe(false);
      }
      // The age has a fixed width, so its ticking text never moves what follows it.
      const widths = await page.locator('[data-testid="staleness"]').evaluate((element) => {
        const width = () => element.getBoundingClientRect().width;
        const text = element.textContent;
        element.textContent = "updated 1 s ago";
        const short = width();
        element.textContent = "updated 59 min ago";
        const long = width();
        element.textContent = text;
        return { short, long };
      });
      expect(widths.long).toBe(widths.short);
      expect(await page.locator('[data-testid="connection"]').textContent()).toContain("Live");
      expect(await page.locator(".viewers").textContent()).toMatch(/1\s+watching/);
      await saveScreenshot(page, `header-${size.name}`);
      expect(errors).toEqual([]);
      await close();
    });

    it(`shows the "Back online" toast styled, just under the header and over the panels, on a ${size.name}`, async () => {
      const { id, ingestToken } = await filledDashboard("Back online");
      const sockets = new SocketSwitch();
      const { page, errors, view, close } = await openAt(size, `/d/${id}`, sockets);
      await view.waitForState("live");
      await sockets.cut();
      await view.waitForState("reconnecting");
      await postMetrics(suite.server.url, id, ingestToken, [{ name: "cpu.usage", value: 44.5, tags: { host: "web-1" } }]);
      sockets.restore();
      await view.waitForState("live", 30_000);
      await view.waitUntil("the resume notice", async () => (await view.resumeNotice()) === "Back online: 1 missed point filled in");

      const toast = page.locator('[data-testid="resume-notice"]');
      const style = await toast.evaluate((element) => {
        const css = getComputedStyle(element);
        const dismiss = getComputedStyle(element.querySelector("button")!);
        return {
          display: css.display,
          background: css.backgroundColor,
          borderLeft: css.borderLeftWidth,
          shadow: css.boxShadow,
          dismissBackground: dismiss.backgroundColor,
          dismissBorder: dismiss.borderTopWidth,
          host: getComputedStyle(element.parentElement!).position,
        };
      });
      expect(style.display).toBe("flex");
      expect(style.background).not.toBe("rgba(0, 0, 0, 0)");
      expect(style.borderLeft).toBe("4px");
      expect(style.shadow).not.toBe("none");
      // The dismiss button is a quiet ×, not the system's grey button.
      expect(style.dismissBackground).toBe("rgba(0, 0, 0, 0)");
      expect(style.dismissBorder).toBe("0px");
      // Floating, so it moves no panel.
      expect(style.host).toBe("absolute");

      const header = (await page.locator(".topbar").boundingBox())!;
      const box = (await toast.boundingBox())!;
      const firstPanel = (await page.locator('[data-testid="saved-panel"]').first().boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(header.y + header.height);
      expect(box.y).toBeLessThanOrEqual(header.y + header.height + 40);
      expect(box.y).toBeLessThan(firstPanel.y + firstPanel.height);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
      await saveScreenshot(page, `back-online-${size.name}`);

      await toast.locator("button").click();
      expect(await view.resumeNotice()).toBeNull();
      expect(errors).toEqual([]);
      await close();
    });

    it(`opens in kiosk mode on a ${size.name} without header chrome or controls, the grid edge to edge, the connection in a corner, and stays live`, async () => {
      const { id, ingestToken } = await filledDashboard("Wall screen");
      const sockets = new SocketSwitch();
      const { page, errors, view, close } = await openAt(size, `/d/${id}?kiosk`, sockets);
      await view.waitForState("live");
      await view.waitUntil("the table's first row", async () => (await view.tableRows("rooms")).length === 1);

      for (const [name, selector] of Object.entries(headerParts)) {
        if (name !== "badge" && name !== "title") expect(await page.locator(selector).isVisible(), `${name} is hidden`).toBe(false);
      }
      // The title is left only to screen readers: one clipped pixel.
      const title = (await page.locator("#title").boundingBox())!;
      expect(title.width * title.height).toBeLessThanOrEqual(1);
      expect(await page.locator("#title").evaluate((element) => getComputedStyle(element).clipPath)).toBe("inset(50%)");
      const badge = (await page.locator('[data-testid="connection"]').boundingBox())!;
      expect(badge.width).toBeLessThanOrEqual(120);
      expect(badge.height).toBeLessThanOrEqual(32);
      expect(badge.x + badge.width).toBeGreaterThan(size.width - 24);
      expect(badge.y + badge.height).toBeGreaterThan(size.height - 24);
      const grid = (await page.locator("#grid").boundingBox())!;
      expect(grid.y).toBeLessThanOrEqual(16);
      expect(grid.x).toBeLessThanOrEqual(16);
      expect(grid.width).toBeGreaterThanOrEqual(size.width - 32);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(size.width);

      // Live points still arrive.
      await postMetrics(suite.server.url, id, ingestToken, [{ name: "temperature", value: 23.5, tags: { room: "office" } }]);
      await view.waitUntil("the live point in the table", async () => (await view.tableRows("rooms")).some((row) => row.includes("=23.5")));
      await saveScreenshot(page, `kiosk-${size.name}`);

      // A wall screen that lost its connection says so, in the same corner.
      await sockets.cut();
      await view.waitForState("reconnecting");
      expect(await page.locator('[data-testid="connection"]').isVisible()).toBe(true);
      expect(await page.locator('[data-testid="connection"]').textContent()).toContain("Reconnecting");
      expect(errors).toEqual([]);
      await close();
    });
  }

  /** The header's shown controls, as lines of names from top to bottom. */
  async function controlLines(page: Page): Promise<string[][]> {
    const controls = await page.locator(".controls > *").evaluateAll((elements) =>
      elements
        .filter((element) => !(element as HTMLElement).hidden && element.getBoundingClientRect().width > 0)
        .map((element) => {
          const box = element.getBoundingClientRect();
          return { name: element.id || element.className, top: box.top, bottom: box.bottom };
        }),
    );
    const lines: { top: number; bottom: number; names: string[] }[] = [];
    for (const control of controls) {
      const line = lines.find((other) => control.top < other.bottom && other.top < control.bottom);
      if (line) line.names.push(control.name);
      else lines.push({ top: control.top, bottom: control.bottom, names: [control.name] });
    }
    return lines.sort((a, b) => a.top - b.top).map((line) => line.names);
  }

  for (const width of [320, 360, 390, 414]) {
    it(`leaves no control alone on a line of the header ${width} px wide, with a relative range and an absolute one`, async () => {
      const { id } = await filledDashboard("Boiler room");
      const now = Date.now();
      for (const query of ["", `?range=absolute&from=${now - 3_600_000}&to=${now - 1_800_000}`]) {
        const { page, errors, view, close } = await openAt({ width, height: 800 }, `/d/${id}${query}`);
        await view.waitForState("live");
        await page.locator('[data-testid="tokens"]').waitFor();
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(width);
        const lines = await controlLines(page);
        for (const line of lines) expect(line.length, `${JSON.stringify(lines)}: a control alone on its line`).toBeGreaterThanOrEqual(2);
        // The range and its calendar come first, together.
        expect(lines[0]).toEqual(["range", "time-picker-open"]);
        expect(errors).toEqual([]);
        await close();
      }
    });
  }
});
