/**
 * The dashboard page as the tests read it, through its DOM contract (documented at the top
 * of src/client/dashboard-page.ts) and the `window.__pulseboard` hook. Waits fail with what
 * the page showed instead and a screenshot, so a red test says more than "timeout".
 */
import type { Page } from "playwright-core";
import { saveScreenshot } from "./browser.ts";

type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

const savedPanel = (id: string) => `[data-testid="saved-panel"][data-panel-id="${id}"]`;
const editorPanel = (id: string) => `[data-testid="panel-editor"][data-panel-id="${id}"]`;
// A CSS string escapes backslashes and quotes; keys may hold both.
const cssString = (text: string) => `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
/** A series' latest value, wherever its automatic panel shows it (header or legend row). */
const latestOf = (key: string) => `[data-testid="panel"] [data-testid="latest"][data-series=${cssString(key)}]`;

/** The automatic panel of metric `name`. */
export const metricPanel = (name: string) => `[data-testid="panel"][data-metric=${cssString(name)}]`;

export class DashboardView {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** The connection badge's `data-state`. */
  state(): Promise<string | null> {
    return this.page.getAttribute('[data-testid="connection"]', "data-state");
  }

  /** Text of the viewer count. */
  async viewers(): Promise<string> {
    return (await this.page.textContent('[data-testid="viewers"]'))?.trim() ?? "";
  }

  /** Text of the series' latest value. */
  async latest(key: string): Promise<string> {
    return (await this.page.textContent(latestOf(key)))?.trim() ?? "";
  }

  /** Text of the staleness label, e.g. `updated 3 s ago`. */
  async staleness(): Promise<string> {
    return (await this.page.textContent('[data-testid="staleness"]'))?.trim() ?? "";
  }

  /** Text of the notice shown after a reconnect (without its dismiss button); `null` when none. */
  async resumeNotice(): Promise<string | null> {
    const found = await this.page.$('[data-testid="resume-notice"] span');
    return found ? ((await found.textContent())?.trim() ?? "") : null;
  }

  /** Picks a time range (`recent`, `5m`, `1h`, `6h`, `24h`, `7d`) and waits for its history to be drawn. */
  async chooseRange(value: string): Promise<void> {
    await this.page.selectOption('[data-testid="range"]', value);
    await this.#until(`the ${value} range to load`, 15_000, async () => (await this.page.getAttribute('[data-testid="range"]', "data-loaded")) === value);
  }

  /** What the automatic panel of `key` draws and its x range (see src/client/dashboard/debug-hook.ts). */
  async drawn(key: string): Promise<DrawnChart | undefined> {
    return this.page.evaluate((k) => (globalThis as unknown as DebugWindow).__pulseboard.drawn(k), key);
  }

  /**
   * Every time chart's x axis span and how many times it holds, keyed `saved:<id>` or
   * `metric:<name>` (see src/client/dashboard/debug-hook.ts).
   */
  timeCharts(): Promise<TimeChartShown[]> {
    return this.page.evaluate(() => (globalThis as unknown as DebugWindow).__pulseboard.timeCharts());
  }

  /**
   * Drags the mouse across the plot of the chart inside `panelSelector`, from `from` to `to`
   * (fractions of the plot's width), as a person selects a stretch of time to zoom into.
   */
  async dragAcrossChart(panelSelector: string, from: number, to: number): Promise<void> {
    const box = await this.page.locator(`${panelSelector} .u-over`).boundingBox();
    if (!box) throw new Error(`no chart plot in ${panelSelector}`);
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width * from, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 });
    await this.page.mouse.move(box.x + box.width * to, y, { steps: 4 });
    await this.page.mouse.up();
  }

  /** Double-clicks the middle of the plot of the chart inside `panelSelector`. */
  async doubleClickChart(panelSelector: string): Promise<void> {
    await this.page.locator(`${panelSelector} .u-over`).dblclick();
  }

  /** Whether the "Jump to now" button shows. */
  jumpToNowShown(): Promise<boolean> {
    return this.page.isVisible('[data-testid="jump-to-now"]');
  }

  /** Presses the Pause / Resume live button. */
  async togglePause(): Promise<void> {
    await this.page.click('[data-testid="pause"]');
  }

  /** Whether the charts are paused, as the pause button says (`aria-pressed`). */
  async paused(): Promise<boolean> {
    return (await this.page.getAttribute('[data-testid="pause"]', "aria-pressed")) === "true";
  }

  /** Keys of the series the automatic panels show, in page order (each panel's in key order). */
  panelKeys(): Promise<string[]> {
    return this.page.$$eval('[data-testid="panel"] [data-testid="latest"]', (found) => found.map((p) => p.getAttribute("data-series") ?? ""));
  }

  /** Metric names of the automatic panels, in page order, each with its series keys, e.g. `cpu=cpu{host=a},cpu{host=b}`. */
  automaticPanels(): Promise<string[]> {
    return this.page.$$eval('[data-testid="panel"]', (panels) => panels.map((p) => `${p.getAttribute("data-metric")}=${p.getAttribute("data-series-keys")}`));
  }

  /** What saved panel `id` works out (transform or aggregate), as the debug hook reports it. */
  computed(id: string): Promise<{ key: string; ts: number[]; values: number[] }[] | undefined> {
    return this.page.evaluate((i) => (globalThis as unknown as DebugWindow).__pulseboard.computed(i), id);
  }

  /** The page's copy of a series' points. */
  points(key: string): Promise<{ ts: number[]; values: number[] }> {
    return this.page.evaluate((k) => (globalThis as unknown as DebugWindow).__pulseboard.points(k), key);
  }

  async waitForState(state: ConnectionState, timeout = 15_000): Promise<void> {
    await this.#until(`connection state ${state}`, timeout, async () => (await this.state()) === state);
  }

  async waitForViewers(count: number, timeout = 15_000): Promise<void> {
    await this.#until(`${count} viewers`, timeout, async () => (await this.viewers()) === String(count));
  }

  async waitForLatest(key: string, text: string, timeout = 15_000): Promise<void> {
    await this.#until(`latest of ${key} to read ${text}`, timeout, async () => {
      return (await this.page.$(latestOf(key))) !== null && (await this.latest(key)) === text;
    });
  }

  /**
   * The legend of the saved line panel `id`, one `<series key>=<value>` per series in legend
   * order: latest values while the cursor is off the chart, the values under it otherwise.
   */
  legendValues(id: string): Promise<string[]> {
    return this.page.$$eval(`${savedPanel(id)} .u-legend tr.u-series:has(.legend-toggle)`, (rows) =>
      rows.map((r) => `${r.querySelector(".u-label")?.textContent?.trim()}=${r.querySelector(".u-value")?.textContent?.trim()}`),
    );
  }

  /** Gives the keyboard focus to the time chart inside `panelSelector`, as Tab would. */
  async focusChart(panelSelector: string): Promise<void> {
    await this.page.focus(`${panelSelector} .time-chart`);
  }

  /** Ids and types of the saved panels shown, in page order, e.g. `["cpu:line", "queue:stat"]`. */
  savedPanels(): Promise<string[]> {
    return this.page.$$eval('[data-testid="saved-panel"]', (panels) =>
      panels.map((p) => `${p.getAttribute("data-panel-id")}:${p.getAttribute("data-panel-type")}`),
    );
  }

  /** An attribute of the saved panel `id` itself, or of `selector` inside it; `null` when absent. */
  async savedPanelAttribute(id: string, attribute: string, selector?: string): Promise<string | null> {
    const found = await this.page.$(`${savedPanel(id)}${selector ? ` ${selector}` : ""}`);
    return (await found?.getAttribute(attribute)) ?? null;
  }

  /** Trimmed text of `selector` inside the saved panel `id`; `null` when absent. */
  async savedPanelText(id: string, selector: string): Promise<string | null> {
    const found = await this.page.$(`${savedPanel(id)} ${selector}`);
    return found ? ((await found.textContent())?.trim() ?? "") : null;
  }

  /** Series and latest text of each row of the table panel `id`, e.g. `["queue.depth=17"]`. */
  tableRows(id: string): Promise<string[]> {
    return this.page.$$eval(`${savedPanel(id)} [data-testid="table-row"]`, (rows) =>
      rows.map((r) => `${r.getAttribute("data-series")}=${r.querySelector('[data-testid="latest"]')?.textContent?.trim()}`),
    );
  }

  /**
   * Opens or closes the panel editor with the Edit toggle (see src/client/editor/panel-editor.ts),
   * and waits until it has: the first opening loads the editor's code (lazy-editor.ts).
   */
  async toggleEditing(): Promise<void> {
    const before = await this.page.getAttribute('[data-testid="edit"]', "aria-pressed");
    await this.page.click('[data-testid="edit"]');
    await this.#until("the editor to open or close", 15_000, async () => (await this.page.getAttribute('[data-testid="edit"]', "aria-pressed")) !== before);
  }

  /**
   * Opens the editor with the Edit toggle and, when it asks for a token (none kept in this
   * tab), gives it `token` and waits for the form: what every edit starts with.
   */
  async openEditor(token: string): Promise<void> {
    await this.toggleEditing();
    const gate = this.page.locator('[data-testid="token-gate"]');
    const form = this.page.locator('[data-testid="editor-form"]');
    await this.#until("the token prompt or the form", 15_000, async () => (await gate.isVisible()) || (await form.isVisible()));
    if (await gate.isVisible()) {
      await this.page.fill('[data-testid="edit-token"]', token);
      await this.page.click('[data-testid="token-submit"]');
    }
    await this.#until("the editor's form to open", 15_000, () => form.isVisible());
  }

  /** Ids of the panels in the editor, in its order. */
  editorPanels(): Promise<string[]> {
    return this.page.$$eval('[data-testid="panel-editor"]', (sets) => sets.map((s) => s.getAttribute("data-panel-id") ?? ""));
  }

  /** Types `value` into (or picks it in) the editor's `field` of panel `id`. */
  async editField(id: string, field: string, value: string): Promise<void> {
    const selector = `${editorPanel(id)} [data-field="${field}"]:is(input, select)`;
    if (["type", "unit", "transform", "aggregate"].includes(field)) await this.page.selectOption(selector, value);
    else await this.page.fill(selector, value);
  }

  /** Gives panel `id` these thresholds in the editor, after those it has: a row each, its value typed and its colour picked. */
  async addThresholds(id: string, thresholds: readonly [value: number, color: string][]): Promise<void> {
    for (const [value, color] of thresholds) {
      await this.page.click(`${editorPanel(id)} [data-testid="add-threshold"]`);
      const row = this.page.locator(`${editorPanel(id)} [data-testid="threshold"]`).last();
      await row.locator('[data-threshold="value"]').fill(String(value));
      await row.locator('[data-threshold="color"]').fill(color);
    }
  }

  /** Presses a panel's `move-up`, `move-down` or `remove` button in the editor. */
  async editorPanelButton(id: string, testid: "move-up" | "move-down" | "remove"): Promise<void> {
    await this.page.click(`${editorPanel(id)} [data-testid="${testid}"]`);
  }

  /** The error shown under the editor's `field` of panel `id` (empty when none). */
  async fieldError(id: string, field: string): Promise<string> {
    return (await this.page.textContent(`${editorPanel(id)} [data-testid="field-error"][data-field="${field}"]`))?.trim() ?? "";
  }

  /** Waits until `check` holds, failing like the other waits (what the page shows, a screenshot). */
  async waitUntil(what: string, check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
    await this.#until(what, timeout, check);
  }

  /** Polls `check` (cheap reads over CDP) until it holds or `timeout` passes. */
  async #until(what: string, timeout: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const shown = await this.describe();
    const screenshot = await saveScreenshot(this.page, `failed-wait-${Date.now()}`).catch((error) => `none (${error})`);
    throw new Error(`Waited ${timeout} ms for ${what}; the page shows: ${shown}; screenshot: ${screenshot}`);
  }

  /** A one-line summary of what the page shows, for failure messages. */
  async describe(): Promise<string> {
    const panels = await this.page.$$eval('[data-testid="panel"] [data-testid="latest"]', (found) =>
      found.map((p) => `${p.getAttribute("data-series")}=${p.textContent}`),
    );
    const notice = await this.page.$eval("#notices", (n) => n.textContent?.trim().slice(0, 120) ?? "").catch(() => "");
    return `state=${await this.state()} viewers=${await this.viewers()} panels=[${panels.join(", ")}] notice="${notice}"`;
  }
}

/** What a line chart draws: times, values and the x axis' span. */
export interface DrawnChart {
  ts: number[];
  values: number[];
  xMin: number | undefined;
  xMax: number | undefined;
}

/** One time chart as the debug hook reports it. */
export interface TimeChartShown {
  /** `saved:<panel id>` or `metric:<metric name>`. */
  chart: string;
  /** The x axis span and the number of times held. */
  shown: { xMin: number | undefined; xMax: number | undefined; times: number };
}

/** The page's global as the debug hook leaves it (see src/client/dashboard/debug-hook.ts). */
interface DebugWindow {
  __pulseboard: {
    points(key: string): { ts: number[]; values: number[] };
    keys(): string[];
    drawn(key: string): DrawnChart | undefined;
    timeCharts(): TimeChartShown[];
    computed(id: string): { key: string; ts: number[]; values: number[] }[] | undefined;
  };
}
