/**
 * The time picker, in real Chromium against a real `wrangler dev`, on a desktop and on a
 * phone (390 × 844, by touch): a custom range typed as a day from the calendar field and a
 * 24-hour time for each end, in the browser's time zone (here Asia/Kolkata, UTC+05:30, so a
 * page reading UTC or the server's zone would be half an hour or more off), shows exactly the
 * points posted in it, with the x axis spanning it, held; the link keeps it, and the paused
 * state, across a reload and into another page. Mistakes are named at their field; a link's
 * invalid values fall back to the default view; a kiosk link's range is honoured.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { saveScreenshot, skipBrowserTests } from "./browser.ts";
import { browserSuite } from "./browser-suite.ts";
import { DashboardView } from "./dashboard-view.ts";

const MINUTE = 60_000;
/** Kolkata's clocks are UTC+05:30 all year. */
const KOLKATA_OFFSET = 5.5 * 60 * MINUTE;
const boiler = '[data-testid="panel"][data-series="boiler.temp"]';

const sizes = [
  { name: "desktop", width: 1280, height: 800, touch: false },
  { name: "phone", width: 390, height: 844, touch: true },
] as const;

/** `ms` on Kolkata's clock: the day field's `YYYY-MM-DD` and the time field's `HH:MM`. */
function kolkataFields(ms: number): { date: string; time: string } {
  const iso = new Date(ms + KOLKATA_OFFSET).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

describe.skipIf(skipBrowserTests)("the time picker", () => {
  const suite = browserSuite();

  /**
   * A dashboard holding, about three hours ago, 20 points a minute apart on whole minutes
   * (`old`), then 620 points a second apart up to now: more than the 600 a page's snapshot
   * holds per series, so the old points reach the page only through the history route.
   */
  async function dashboardWithOldPoints(prefix: string) {
    const id = uniqueId(prefix);
    const { ingestToken } = await createDashboard(suite.server.url, id, "Boiler room");
    const now = Math.floor(Date.now() / 1000) * 1000;
    const start = Math.floor((now - 3 * 60 * MINUTE) / MINUTE) * MINUTE;
    const old = Array.from({ length: 20 }, (_, i) => ({ ts: start + i * MINUTE, value: 40 + ((i * 7) % 13) }));
    const recent = Array.from({ length: 620 }, (_, i) => ({ name: "boiler.temp", value: 60 + (i % 5), ts: now - (619 - i) * 1000 }));
    await postMetrics(suite.server.url, id, ingestToken, [...old.map((p) => ({ name: "boiler.temp", ...p })), ...recent]);
    // The range picked: from five minutes before the first old point to five after the last.
    const range = { from: start - 5 * MINUTE, to: start + 24 * MINUTE };
    return { id, old, range, newest: now };
  }

  /** A page in Kolkata's time zone and an en-US locale (whose native fields would show AM/PM), at `size`. */
  async function openInKolkata(path: string, size: (typeof sizes)[number]): Promise<{ context: BrowserContext; page: Page; view: DashboardView; errors: string[] }> {
    const context = await suite.browser.newContext({
      viewport: { width: size.width, height: size.height },
      timezoneId: "Asia/Kolkata",
      locale: "en-US",
      hasTouch: size.touch,
      isMobile: size.touch,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
    await page.goto(`${suite.server.url}${path}`);
    return { context, page, view: new DashboardView(page), errors };
  }

  /** Presses `selector` as the device would: a tap on a phone, a click on a desktop. */
  async function press(page: Page, size: (typeof sizes)[number], selector: string): Promise<void> {
    if (size.touch) await page.tap(selector);
    else await page.click(selector);
  }

  /** Waits until the boiler chart shows [from, to] with its points in it, and returns those points. */
  async function waitForRange(view: DashboardView, range: { from: number; to: number }): Promise<{ ts: number[]; values: number[] }> {
    await view.waitUntil("the absolute range to be drawn", async () => {
      const drawn = await view.drawn("boiler.temp");
      return (await view.page.getAttribute('[data-testid="range"]', "data-loaded")) === "absolute" && drawn?.xMin === range.from && drawn.xMax === range.to;
    });
    const drawn = (await view.drawn("boiler.temp"))!;
    const inside = drawn.ts.flatMap((t, i) => (t >= range.from && t <= range.to ? [i] : []));
    return { ts: inside.map((i) => drawn.ts[i]!), values: inside.map((i) => drawn.values[i]!) };
  }

  for (const size of sizes) {
    it(`on a ${size.name}, shows exactly the points of a range picked with the calendar and a 24-hour time, held, and keeps it and the pause in the link`, async () => {
      const { id, old, range } = await dashboardWithOldPoints(`pick-${size.name}`);
      const { context, page, view, errors } = await openInKolkata(`/d/${id}`, size);
      try {
        await view.waitForState("live");
        await view.waitUntil("the snapshot", async () => (await view.points("boiler.temp")).ts.length === 600);
        // The old points are not among those the page holds.
        expect((await view.points("boiler.temp")).ts[0]!).toBeGreaterThan(range.to);

        await press(page, size, '[data-testid="time-picker-open"]');
        const dialog = page.locator('[data-testid="time-picker"]');
        await dialog.waitFor();
        expect(await page.textContent('[data-testid="time-picker-zone"]')).toMatch(/Asia\/(Kolkata|Calcutta) \(UTC\+05:30\)/);
        expect(await page.getAttribute('[data-testid="time-from-date"]', "type")).toBe("date");
        // The dialog fits the screen: every field and button in view, none cut off.
        const viewport = page.viewportSize()!;
        for (const part of ["time-from-date", "time-from-time", "time-to-date", "time-to-time", "time-picker-apply", "time-picker-cancel"]) {
          const box = (await page.locator(`[data-testid="${part}"]`).boundingBox())!;
          expect(box.x, part).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width, part).toBeLessThanOrEqual(viewport.width);
          expect(box.y + box.height, part).toBeLessThanOrEqual(viewport.height);
          expect(box.height, `${part} is tall enough to tap`).toBeGreaterThanOrEqual(24);
        }

        const from = kolkataFields(range.from);
        const to = kolkataFields(range.to);
        await page.fill('[data-testid="time-from-date"]', from.date);
        await page.fill('[data-testid="time-from-time"]', from.time);
        await page.fill('[data-testid="time-to-date"]', to.date);
        await page.fill('[data-testid="time-to-time"]', to.time);
        await saveScreenshot(page, `time-picker-${size.name}-1-dialog`);
        await press(page, size, '[data-testid="time-picker-apply"]');

        // Exactly the posted points, the x axis from the start to the end picked, held.
        const shown = await waitForRange(view, range);
        expect(shown).toEqual({ ts: old.map((p) => p.ts), values: old.map((p) => p.value) });
        expect(await dialog.isVisible()).toBe(false);
        const button = page.locator('[data-testid="time-picker-open"]');
        expect([await button.getAttribute("data-from"), await button.getAttribute("data-to")]).toEqual([String(range.from), String(range.to)]);
        // The button (its name's end what it shows) and the status line read the range on the 24-hour clock, Kolkata's.
        const summary = (await button.textContent())!.trim();
        expect(summary).toContain(`${from.time} – `);
        expect(summary.endsWith(to.time)).toBe(true);
        expect(await page.textContent('[data-testid="follow-state"]')).toMatch(/^Range: /);
        expect(await view.jumpToNowShown()).toBe(true);
        // Every time on the page is on the one clock: no AM/PM anywhere, axis ticks as HH:MM.
        expect(await page.locator("body").innerText()).not.toMatch(/\b[AP]M\b/);
        const ticks = await page.evaluate(() => (globalThis as unknown as { __pulseboard: { timeCharts(): { shown: { labels: { time: string[] } } }[] } }).__pulseboard.timeCharts()[0]!.shown.labels.time);
        expect(ticks.length).toBeGreaterThan(1);
        for (const tick of ticks) expect(tick).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
        await saveScreenshot(page, `time-picker-${size.name}-2-applied`);

        // The link says it; a reload shows the same, still held.
        const link = new URL(page.url());
        expect(link.search).toBe(`?range=absolute&from=${range.from}&to=${range.to}`);
        await page.reload();
        await view.waitForState("live");
        expect(await waitForRange(view, range)).toEqual(shown);
        await page.waitForTimeout(1_500);
        expect((await view.drawn("boiler.temp"))!.xMax).toBe(range.to);

        // Paused, the link says so, and another page opened on it is paused on the same range.
        await press(page, size, '[data-testid="pause"]');
        await view.waitUntil("the pause in the link", async () => new URL(page.url()).searchParams.has("paused"));
        expect(new URL(page.url()).search).toBe(`?range=absolute&from=${range.from}&to=${range.to}&paused`);
        const other = await openInKolkata(new URL(page.url()).pathname + new URL(page.url()).search, size);
        try {
          await other.view.waitForState("live");
          expect(await waitForRange(other.view, range)).toEqual(shown);
          await other.view.waitUntil("the page to pause", () => other.view.paused());
          expect(new URL(other.page.url()).search).toBe(`?range=absolute&from=${range.from}&to=${range.to}&paused`);
          expect(other.errors).toEqual([]);
        } finally {
          await other.context.close();
        }

        // Jump to now: live again, back to the range shown before (the points held).
        await press(page, size, '[data-testid="jump-to-now"]');
        await view.waitUntil("the page to follow now", async () => !(await view.paused()) && (await page.getAttribute('[data-testid="range"]', "data-loaded")) === "recent");
        await view.waitUntil("the link to drop the range and the pause", async () => new URL(page.url()).search === "");
        const following = (await view.drawn("boiler.temp"))!;
        expect(following.xMin).toBeGreaterThan(range.to);
        expect((await button.textContent())!.trim()).toBe("Custom range…");
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it("names each mistake at its field and keeps the dialog open, Escape closes it back onto its button, and the keyboard alone picks a range", async () => {
    const { id, range } = await dashboardWithOldPoints("pick-wrong");
    const { context, page, view, errors } = await openInKolkata(`/d/${id}`, sizes[0]);
    try {
      await view.waitForState("live");
      await view.waitUntil("the snapshot", async () => (await view.points("boiler.temp")).ts.length === 600);
      await page.focus('[data-testid="time-picker-open"]');
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="time-picker"]').waitFor();
      // The dialog opens on the span shown, with the focus on its first field.
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("time-from-date");
      expect(await page.inputValue('[data-testid="time-to-time"]')).toMatch(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/);

      const from = kolkataFields(range.from);
      const apply = async () => {
        await page.click('[data-testid="time-picker-apply"]');
        return {
          from: (await page.textContent('[data-testid="time-from-error"]')) ?? "",
          to: (await page.textContent('[data-testid="time-to-error"]')) ?? "",
          invalid: await page.$$eval('#time-picker [aria-invalid="true"]', (found) => found.map((f) => f.getAttribute("data-testid"))),
          focused: await page.evaluate(() => document.activeElement?.getAttribute("data-testid")),
        };
      };

      // A 12-hour time is refused at the start's time field.
      await page.fill('[data-testid="time-from-date"]', from.date);
      await page.fill('[data-testid="time-from-time"]', "4:05 PM");
      await page.fill('[data-testid="time-to-date"]', from.date);
      await page.fill('[data-testid="time-to-time"]', from.time);
      let shown = await apply();
      expect(shown.from).toMatch(/24-hour/);
      expect(shown.invalid).toEqual(["time-from-time"]);
      expect(shown.focused).toBe("time-from-time");

      // An end before the start is refused at the end.
      await page.fill('[data-testid="time-from-time"]', from.time);
      shown = await apply();
      expect(shown).toMatchObject({ from: "", invalid: ["time-to-time"], focused: "time-to-time" });
      expect(shown.to).toMatch(/after the start/);

      // A range wholly in the future is refused.
      const tomorrow = kolkataFields(Date.now() + 24 * 60 * MINUTE);
      await page.fill('[data-testid="time-from-date"]', tomorrow.date);
      await page.fill('[data-testid="time-to-date"]', tomorrow.date);
      await page.fill('[data-testid="time-from-time"]', "10:00");
      await page.fill('[data-testid="time-to-time"]', "11:00");
      shown = await apply();
      expect(shown.from).toMatch(/future/);
      expect(shown.invalid).toEqual(["time-from-date"]);
      await saveScreenshot(page, "time-picker-3-errors");

      // Nothing was applied; Escape closes the dialog and gives the focus back to its button.
      expect(await page.getAttribute('[data-testid="range"]', "data-loaded")).toBe("recent");
      await page.keyboard.press("Escape");
      expect(await page.isVisible('[data-testid="time-picker"]')).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("time-picker-open");
      expect(new URL(page.url()).search).toBe("");

      // From the keyboard alone: Enter opens it again, the fields are typed, Enter applies.
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="time-picker"]').waitFor();
      const to = kolkataFields(range.to);
      // A day field takes its digits in the locale's order (en-US: month, day, year), each
      // part moving the focus on to the next, and Tab leaves it past its calendar button; the
      // time fields are selected and typed over.
      const dayKeys = (date: string) => `${date.slice(5, 7)}${date.slice(8, 10)}${date.slice(0, 4)}`;
      const tabTo = async (testid: string) => {
        for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) !== testid; i++) await page.keyboard.press("Tab");
        expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(testid);
      };
      await page.keyboard.type(dayKeys(from.date));
      await tabTo("time-from-time");
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type(from.time);
      await tabTo("time-to-date");
      await page.keyboard.type(dayKeys(to.date));
      await tabTo("time-to-time");
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type(to.time);
      expect([await page.inputValue('[data-testid="time-from-date"]'), await page.inputValue('[data-testid="time-to-date"]')]).toEqual([from.date, to.date]);
      await page.keyboard.press("Enter");
      await view.waitUntil("the typed range to be drawn", async () => {
        const drawn = await view.drawn("boiler.temp");
        return drawn?.xMin === range.from && drawn.xMax === range.to;
      });
      expect(await page.isVisible('[data-testid="time-picker"]')).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("falls back to the default view for a link's invalid values, reopens a paused link paused over its points, and honours a kiosk link's range (but not a pause)", async () => {
    const { id, old, range, newest } = await dashboardWithOldPoints("pick-links");
    for (const wrong of [`?range=absolute&from=x&to=${range.to}&paused=maybe`, `?range=absolute&from=${range.to}&to=${range.from}`, "?range=2y&paused=0"]) {
      const { context, page, view, errors } = await openInKolkata(`/d/${id}${wrong}`, sizes[0]);
      try {
        await view.waitForState("live");
        await view.waitUntil(`the newest point drawn (${wrong})`, async () => (await view.drawn("boiler.temp"))?.xMax === newest);
        expect(await page.inputValue('[data-testid="range"]')).toBe("recent");
        expect(await view.paused()).toBe(false);
        expect(await view.jumpToNowShown()).toBe(false);
        // The address says what is shown: the default view.
        await view.waitUntil("the invalid values to leave the link", async () => new URL(page.url()).search === "");
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }

    // A paused link to recent points: paused, over the points the snapshot brought.
    const paused = await openInKolkata(`/d/${id}?paused`, sizes[0]);
    try {
      await paused.view.waitForState("live");
      await paused.view.waitUntil("the page to pause", () => paused.view.paused());
      await paused.view.waitUntil("the snapshot drawn while paused", async () => (await paused.view.drawn("boiler.temp"))?.xMax === newest);
      expect((await paused.view.drawn("boiler.temp"))!.ts).toHaveLength(600);
      expect(await paused.page.textContent('[data-testid="follow-state"]')).toBe("Paused");
      expect(new URL(paused.page.url()).search).toBe("?paused");
      // Resumed, the flag leaves the link.
      await paused.page.click('[data-testid="pause"]');
      await paused.view.waitUntil("the pause to leave the link", async () => new URL(paused.page.url()).search === "");
      expect(paused.errors).toEqual([]);
    } finally {
      await paused.context.close();
    }

    const kiosk = await openInKolkata(`/d/${id}?kiosk&range=absolute&from=${range.from}&to=${range.to}&paused`, sizes[1]);
    try {
      await kiosk.view.waitForState("live");
      expect(await waitForRange(kiosk.view, range)).toEqual({ ts: old.map((p) => p.ts), values: old.map((p) => p.value) });
      expect(await kiosk.page.isVisible('[data-testid="time-picker-open"]')).toBe(false);
      expect(await kiosk.page.isVisible('[data-testid="range"]')).toBe(false);
      expect(await kiosk.view.jumpToNowShown()).toBe(false);
      // No Pause to undo it with: a kiosk stays live, and its link says so.
      await kiosk.page.waitForTimeout(500);
      expect(await kiosk.view.paused()).toBe(false);
      expect(new URL(kiosk.page.url()).search).toBe(`?kiosk&range=absolute&from=${range.from}&to=${range.to}`);
      await saveScreenshot(kiosk.page, "time-picker-4-kiosk");
      expect(kiosk.errors).toEqual([]);
    } finally {
      await kiosk.context.close();
    }
  });
});
