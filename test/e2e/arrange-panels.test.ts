/**
 * Arranging saved panels on the dashboard page, against a real `wrangler dev` in real Chromium
 * pages: a panel dragged by its header and one resized by its corner with the mouse, saved with
 * the dashboard's token, kept across a reload and followed live by another open page; a page
 * without a token cannot drag; a phone stacks the panels in one column in layout order.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId, updateDashboard } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import type { DashboardView } from "./dashboard-view.ts";

const saved = (id: string) => `[data-testid="saved-panel"][data-panel-id="${id}"]`;

/** Four panels without a layout: the page puts them three to a row, in list order. */
const fourPanels = [
  { id: "cpu", title: "CPU by host", type: "line", series: ["cpu.*"], unit: "percent" },
  { id: "queue", title: "Queue now", type: "stat", series: ["queue.depth"] },
  { id: "fill", title: "Tank", type: "gauge", series: ["tank.fill"], min: 0, max: 100 },
  { id: "rooms", title: "Rooms", type: "table", series: ["temp.*"] },
];

async function filledDashboard(base: string, panels: unknown[] = fourPanels): Promise<{ id: string; ingestToken: string }> {
  const id = uniqueId("arrange");
  const { ingestToken } = await createDashboard(base, id, "Arranged");
  const now = Date.now();
  await postMetrics(
    base,
    id,
    ingestToken,
    Array.from({ length: 20 }, (_, i) => [
      { name: "cpu.usage", tags: { host: "a" }, value: 10 + i, ts: now - 20_000 + i * 1000 },
      { name: "queue.depth", value: i, ts: now - 20_000 + i * 1000 },
      { name: "tank.fill", value: 40 + i, ts: now - 20_000 + i * 1000 },
      { name: "temp.office", value: 21, ts: now - 20_000 + i * 1000 },
    ]).flat(),
  );
  await updateDashboard(base, id, ingestToken, { panels });
  return { id, ingestToken };
}

type Box = { x: number; y: number; width: number; height: number };

/** Where each saved panel is in the page's grid (the Arrange bar above it may move the grid). */
async function boxes(page: Page): Promise<Record<string, Box>> {
  return page.$$eval('[data-testid="saved-panel"]', (panels) => {
    const grid = document.getElementById("grid")!.getBoundingClientRect();
    return Object.fromEntries(
      panels.map((panel) => {
        const { x, y, width, height } = panel.getBoundingClientRect();
        return [panel.getAttribute("data-panel-id"), { x: x - grid.x, y: y - grid.y, width, height }];
      }),
    );
  });
}

/** The place each saved panel shows, `x,y,w,h` in grid cells, by id. */
async function layouts(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid="saved-panel"]', (panels) => Object.fromEntries(panels.map((p) => [p.getAttribute("data-panel-id"), p.getAttribute("data-layout")])));
}

/** Presses Arrange, gives `token` if asked, and waits for arranging to start. */
async function startArranging(page: Page, view: DashboardView, token: string): Promise<void> {
  await page.click('[data-testid="arrange"]');
  // The first press loads the arranging code, then asks for a token unless the tab holds one.
  await view.waitUntil("the token asked, or arranging", async () => (await page.isVisible('[data-testid="arrange-token"]')) || (await page.isVisible('[data-testid="arrange-save"]')));
  if (await page.isVisible('[data-testid="arrange-token"]')) {
    await page.fill('[data-testid="arrange-token"]', token);
    await page.click('[data-testid="arrange-start"]');
  }
  await view.waitUntil("arranging to start", async () => (await page.$(".saved-panels.arranging")) !== null && (await page.isVisible('[data-testid="arrange-save"]')));
}

/** Presses the mouse at `from`, moves it to `to` in steps, as a person drags, and lets go. */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, during?: () => Promise<void>): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 5, from.y + 5, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await during?.();
  await page.mouse.up();
}

/** The height of the canvas of the saved line panel `id`. */
function canvasHeight(page: Page, id: string): Promise<number> {
  return page.$eval(`${saved(id)} canvas`, (canvas) => canvas.getBoundingClientRect().height);
}

describe.skipIf(skipBrowserTests)("arranging panels", () => {
  const suite = browserSuite();

  it("moves a panel dragged by its header and resizes one by its corner, saves with the token, keeps the layout after a reload, and another page follows live", async () => {
    const { id, ingestToken } = await filledDashboard(suite.server.url);
    const arranger = await suite.open(`/d/${id}`);
    const watcher = await suite.open(`/d/${id}`);
    try {
      const { page, view } = arranger;
      await view.waitForState("live");
      await watcher.view.waitForState("live");
      await watcher.page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = "not reloaded"));

      // Without layouts: three to a row, in list order.
      const before = await boxes(page);
      expect(before.queue!.y).toBeCloseTo(before.cpu!.y, 0);
      expect(before.fill!.y).toBeCloseTo(before.cpu!.y, 0);
      expect(before.queue!.x).toBeGreaterThan(before.cpu!.x);
      expect(before.fill!.x).toBeGreaterThan(before.queue!.x);
      expect(before.rooms!.x).toBeCloseTo(before.cpu!.x, 0);
      expect(before.rooms!.y).toBeGreaterThan(before.cpu!.y + before.cpu!.height);
      // Nothing of the drag code until someone arranges: neither its script nor gridstack's stylesheet.
      const arrangeCode = () => page.evaluate(() => performance.getEntriesByType("resource").filter((entry) => /arrange-control|gridstack/.test(entry.name)).length);
      expect(await arrangeCode()).toBe(0);
      expect(await page.$('link[href*="gridstack"]')).toBeNull();

      await startArranging(page, view, ingestToken);
      expect(await page.getAttribute('[data-testid="arrange"]', "aria-pressed")).toBe("true");
      expect(await arrangeCode()).toBe(2);
      // Arranging starts where viewing was: nothing moved.
      const arranging = await boxes(page);
      for (const panel of Object.keys(before)) {
        expect(arranging[panel]!.x, `${panel} x`).toBeCloseTo(before[panel]!.x, 0);
        expect(arranging[panel]!.y, `${panel} y`).toBeCloseTo(before[panel]!.y, 0);
        expect(arranging[panel]!.width, `${panel} width`).toBeCloseTo(before[panel]!.width, 0);
        expect(arranging[panel]!.height, `${panel} height`).toBeCloseTo(before[panel]!.height, 0);
      }

      // Drag "Rooms" by its header to the right, under "Queue now".
      const roomsHead = (await page.locator(`${saved("rooms")} .panel-head`).boundingBox())!;
      const headAt = { x: roomsHead.x + 40, y: roomsHead.y + roomsHead.height / 2 };
      await drag(page, headAt, { x: headAt.x + (before.queue!.x - before.rooms!.x), y: headAt.y });
      await view.waitUntil("Rooms under Queue now", async () => {
        const now = await boxes(page);
        return Math.abs(now.rooms!.x - before.queue!.x) < 2 && Math.abs(now.rooms!.y - before.rooms!.y) < 2;
      });
      expect(await page.getAttribute('[data-testid="arrange-status"]', "data-state")).toBe("changed");

      // Resize the line panel by its corner: two rows taller, the chart following during the drag and after.
      const cpuBefore = await canvasHeight(page, "cpu");
      const row = (before.rooms!.y - before.cpu!.y) / 4;
      const corner = (await page.locator(`${saved("cpu")} >> xpath=.. >> .ui-resizable-se`).boundingBox())!;
      const grip = { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 };
      let during = 0;
      await drag(page, grip, { x: grip.x, y: grip.y + 2 * row }, async () => {
        await view.waitUntil("the chart to grow while resizing", async () => (await canvasHeight(page, "cpu")) > cpuBefore + row);
        during = await canvasHeight(page, "cpu");
      });
      await view.waitUntil("CPU two rows taller", async () => Math.abs((await boxes(page)).cpu!.height - (before.cpu!.height + 2 * row)) < 2);
      expect(during).toBeGreaterThan(cpuBefore + row);
      await view.waitUntil("the chart to fill the taller panel", async () => (await canvasHeight(page, "cpu")) - cpuBefore > 2 * row - 4);
      const arranged = await layouts(page);
      await saveScreenshot(page, "arrange-panels-1-arranged");

      // Save: every panel with its place, nothing else changed.
      await page.click('[data-testid="arrange-save"]');
      await view.waitUntil("the layout to be saved", async () => (await page.getAttribute('[data-testid="arrange-status"]', "data-state")) === "saved");
      const stored = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { panels: { id: string; layout?: { x: number; y: number; w: number; h: number } }[] };
      expect(stored.panels.map(({ layout: _layout, ...rest }) => rest)).toEqual(fourPanels);
      expect(Object.fromEntries(stored.panels.map((p) => [p.id, p.layout && `${p.layout.x},${p.layout.y},${p.layout.w},${p.layout.h}`]))).toEqual(arranged);

      // The other page moved its panels too, without reloading.
      await watcher.view.waitUntil("the watcher to follow", async () => JSON.stringify(await layouts(watcher.page)) === JSON.stringify(arranged));
      const followed = await boxes(watcher.page);
      const shown = await boxes(page);
      for (const panel of Object.keys(shown)) {
        expect(followed[panel]!.x, `${panel} x on the other page`).toBeCloseTo(shown[panel]!.x, 0);
        expect(followed[panel]!.y, `${panel} y on the other page`).toBeCloseTo(shown[panel]!.y, 0);
        expect(followed[panel]!.height, `${panel} height on the other page`).toBeCloseTo(shown[panel]!.height, 0);
      }
      expect(await watcher.page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("not reloaded");

      // Done, then a reload: the same places, read-only.
      await page.click('[data-testid="arrange-done"]');
      expect(await page.getAttribute('[data-testid="arrange"]', "aria-pressed")).toBe("false");
      expect(await page.$(".saved-panels.arranging")).toBeNull();
      await page.reload();
      await view.waitForState("live");
      expect(await layouts(page)).toEqual(arranged);
      const reloaded = await boxes(page);
      for (const panel of Object.keys(shown)) {
        expect(reloaded[panel]!.x, `${panel} x after the reload`).toBeCloseTo(shown[panel]!.x, 0);
        expect(reloaded[panel]!.y, `${panel} y after the reload`).toBeCloseTo(shown[panel]!.y, 0);
        expect(reloaded[panel]!.height, `${panel} height after the reload`).toBeCloseTo(shown[panel]!.height, 0);
      }
      await saveScreenshot(page, "arrange-panels-2-reloaded");
      expect(arranger.errors).toEqual([]);
      expect(watcher.errors).toEqual([]);
    } finally {
      await arranger.close();
      await watcher.close();
    }
  });

  it("moves and resizes a panel without dragging, from the keyboard: picked in the bar, a step per button", async () => {
    const { id, ingestToken } = await filledDashboard(suite.server.url);
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await view.waitForState("live");
      expect((await layouts(page)).rooms).toBe("0,4,4,4");
      await page.focus('[data-testid="arrange"]');
      await page.keyboard.press("Enter");
      // The first press loads the arranging code, then puts the focus in the token field.
      await view.waitUntil("the token field to take the focus", async () => (await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) === "arrange-token");
      await page.keyboard.type(ingestToken);
      await page.keyboard.press("Enter");
      await view.waitUntil("arranging to start", async () => (await page.$(".saved-panels.arranging")) !== null);
      // The panels are listed in reading order.
      expect(await page.$$eval('[data-testid="arrange-panel"] option', (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(["cpu", "queue", "fill", "rooms"]);
      await page.focus('[data-testid="arrange-panel"]');
      await page.selectOption('[data-testid="arrange-panel"]', "rooms");
      await page.focus('[data-testid="arrange-move"][data-move="right"]');
      for (let i = 0; i < 4; i++) await page.keyboard.press("Enter");
      await page.focus('[data-testid="arrange-move"][data-move="taller"]');
      await page.keyboard.press("Space");
      expect((await layouts(page)).rooms).toBe("4,4,4,5");
      expect(await page.textContent('[data-testid="arrange-status"]')).toContain("Rooms: column 5, row 5, 4 columns wide, 5 rows high.");
      // Under "Queue now" once gridstack's move has played.
      await view.waitUntil("Rooms under Queue now", async () => {
        const shown = await boxes(page);
        return Math.abs(shown.rooms!.x - shown.queue!.x) < 1 && shown.rooms!.y > shown.queue!.y + shown.queue!.height;
      });
      await page.focus('[data-testid="arrange-save"]');
      await page.keyboard.press("Enter");
      await view.waitUntil("the layout to be saved", async () => (await page.getAttribute('[data-testid="arrange-status"]', "data-state")) === "saved");
      await page.reload();
      await view.waitForState("live");
      expect((await layouts(page)).rooms).toBe("4,4,4,5");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("keeps a layout saved from another page while the editor was open when that editor saves", async () => {
    const { id, ingestToken } = await filledDashboard(suite.server.url);
    const editing = await suite.open(`/d/${id}`);
    const arranging = await suite.open(`/d/${id}`);
    try {
      await editing.view.waitForState("live");
      await arranging.view.waitForState("live");
      await editing.view.openEditor(ingestToken);
      await editing.page.locator('[data-testid="panel-editor"]').first().waitFor();

      // Another page makes Rooms a row taller and saves that.
      await startArranging(arranging.page, arranging.view, ingestToken);
      await arranging.page.selectOption('[data-testid="arrange-panel"]', "rooms");
      await arranging.page.click('[data-testid="arrange-move"][data-move="taller"]');
      await arranging.page.click('[data-testid="arrange-save"]');
      await arranging.view.waitUntil("the layout to be saved", async () => (await arranging.page.getAttribute('[data-testid="arrange-status"]', "data-state")) === "saved");
      await editing.view.waitUntil("the editing page to follow", async () => (await layouts(editing.page)).rooms === "0,4,4,5");

      // The editor, open since before, renames Rooms and saves: the new place stays.
      await editing.view.editField("rooms", "title", "Rooms now");
      await editing.page.click('[data-testid="save-panels"]');
      await editing.view.waitUntil("the editor to close after saving", async () => (await editing.page.getAttribute('[data-testid="edit"]', "aria-pressed")) === "false");
      const stored = (await (await fetch(`${suite.server.url}/api/dashboards/${id}`)).json()) as { panels: { id: string }[] };
      expect(stored.panels.find((panel) => panel.id === "rooms")).toMatchObject({ title: "Rooms now", layout: { x: 0, y: 4, w: 4, h: 5 } });
      expect((await layouts(editing.page)).rooms).toBe("0,4,4,5");
      expect(editing.errors).toEqual([]);
      expect(arranging.errors).toEqual([]);
    } finally {
      await editing.close();
      await arranging.close();
    }
  });

  it("lets no one drag without a token, and says a refused token at the control", async () => {
    const { id } = await filledDashboard(suite.server.url);
    const { page, view, errors, close } = await suite.open(`/d/${id}`);
    try {
      await view.waitForState("live");
      const before = await layouts(page);
      const head = (await page.locator(`${saved("rooms")} .panel-head`).boundingBox())!;
      const from = { x: head.x + 40, y: head.y + head.height / 2 };
      await drag(page, from, { x: from.x + 400, y: from.y - 300 });
      await page.waitForTimeout(300);
      expect(await layouts(page)).toEqual(before);

      // Arrange without a token: asked for one, and nothing can be dragged meanwhile.
      await page.click('[data-testid="arrange"]');
      await page.locator('[data-testid="arrange-token"]').waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("arrange-token");
      await page.click('[data-testid="arrange-start"]');
      expect(await page.textContent('[data-testid="arrange-token-error"]')).toContain("token");
      await drag(page, from, { x: from.x + 400, y: from.y - 300 });
      await page.waitForTimeout(300);
      expect(await layouts(page)).toEqual(before);
      expect(await page.$(".saved-panels.arranging")).toBeNull();

      // A wrong token is refused at its field, and arranging does not start.
      await page.fill('[data-testid="arrange-token"]', "pb_not-a-token-of-this-dashboard");
      await page.press('[data-testid="arrange-token"]', "Enter");
      await view.waitUntil("the token to be refused", async () => ((await page.textContent('[data-testid="arrange-token-error"]')) ?? "") !== "");
      expect(await page.getAttribute('[data-testid="arrange-token"]', "aria-invalid")).toBe("true");
      expect(await page.getAttribute('[data-testid="arrange-status"]', "data-state")).toBe("error");
      await drag(page, from, { x: from.x + 400, y: from.y - 300 });
      await page.waitForTimeout(300);
      expect(await layouts(page)).toEqual(before);
      expect(await page.$(".saved-panels.arranging")).toBeNull();
      await saveScreenshot(page, "arrange-panels-3-refused");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("stacks the panels in one column on a phone, in layout order (top to bottom, then left to right), with nothing to arrange", async () => {
    // Saved in one order, laid out in another: the phone follows the layout.
    const panels = [
      { ...fourPanels[0], layout: { x: 6, y: 4, w: 6, h: 4 } },
      { ...fourPanels[1], layout: { x: 8, y: 0, w: 4, h: 3 } },
      { ...fourPanels[2], layout: { x: 0, y: 0, w: 8, h: 4 } },
      { ...fourPanels[3], layout: { x: 0, y: 4, w: 6, h: 5 } },
    ];
    const { id } = await filledDashboard(suite.server.url, panels);
    const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto(`${suite.server.url}/d/${id}`);
      await page.waitForSelector('[data-testid="connection"][data-state="live"]');
      const shown = await boxes(page);
      const byTop = Object.entries(shown).sort(([, a], [, b]) => a.y - b.y);
      expect(byTop.map(([panel]) => panel)).toEqual(["fill", "queue", "rooms", "cpu"]);
      const gridWidth = await page.$eval("#grid", (grid) => grid.getBoundingClientRect().width);
      for (const [panel, box] of byTop) {
        expect(box.x, `${panel} starts at the grid's left`).toBeCloseTo(0, 0);
        expect(box.width, `${panel} spans the grid`).toBeCloseTo(gridWidth, 0);
      }
      for (let i = 1; i < byTop.length; i++) expect(byTop[i]![1].y, "no overlap").toBeGreaterThanOrEqual(byTop[i - 1]![1].y + byTop[i - 1]![1].height);
      // Keyboard and screen readers meet them in the same order.
      expect(await page.$$eval('[data-testid="saved-panel"]', (found) => found.map((p) => p.getAttribute("data-panel-id")))).toEqual(["fill", "queue", "rooms", "cpu"]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
      expect(await page.isVisible('[data-testid="arrange"]')).toBe(false);
      await saveScreenshot(page, "arrange-panels-4-phone");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
