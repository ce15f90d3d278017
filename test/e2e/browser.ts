/**
 * The Chromium the page tests drive: the system one (Debian's `chromium` package) or
 * `CHROMIUM_PATH`. playwright-core only drives it; it never downloads a browser.
 *
 * Missing browser: on CI (`CI=true`) the page tests fail saying so; elsewhere they are
 * skipped with a loud warning, never silently.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const onCi = process.env.CI === "true";
const found = existsSync(chromiumPath);

/** True when the page tests should be skipped (no browser, and not on CI). */
export const skipBrowserTests = !found && !onCi;

if (skipBrowserTests) {
  process.stderr.write(
    [
      "",
      "!".repeat(78),
      `!! Chromium not found at ${chromiumPath}: SKIPPING the browser tests.`,
      "!! Install Debian's chromium package or set CHROMIUM_PATH to a Chromium binary.",
      "!! (With CI=true a missing browser fails the suite instead.)",
      "!".repeat(78),
      "",
    ].join("\n"),
  );
}

/** Launches headless Chromium, isolated from the network except what the page asks for. */
export async function launchBrowser(): Promise<Browser> {
  if (!found) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Browser tests cannot run on CI without it: ` +
        "install the chromium package or set CHROMIUM_PATH.",
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** A page plus what the tests watch it do. */
export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and unhandled rejections in the page; every test expects none. */
  errors: string[];
  /** URLs of the WebSockets the page opened. */
  sockets: string[];
  /** Closes the page and its context. */
  close(): Promise<void>;
}

/**
 * Opens `url` in a new context (own storage) at a fixed, desktop-sized viewport.
 * `prepare` runs before navigation, e.g. to route the page's WebSockets.
 */
export async function openPage(
  browser: Browser,
  url: string,
  prepare?: (page: Page) => Promise<void>,
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const sockets: string[] = [];
  page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
  page.on("websocket", (socket) => sockets.push(socket.url()));
  await prepare?.(page);
  await page.goto(url);
  return { page, errors, sockets, close: () => context.close() };
}

const resultsDir = fileURLToPath(new URL("../../test-results/e2e/", import.meta.url));

/** Saves a full-page screenshot as a test artifact: test-results/e2e/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
