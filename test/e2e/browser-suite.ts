/**
 * A `wrangler dev` and a Chromium shared by the tests of one describe block: started before
 * them and stopped after. `server` and `browser` exist only while the tests run.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser, openPage, type WatchedPage } from "./browser.ts";
import { DashboardView } from "./dashboard-view.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";

export interface BrowserSuite {
  /** The suite's dev server. */
  readonly server: DevServer;
  /** The suite's browser. */
  readonly browser: Browser;
  /** Opens a path of the dev server in a new page (1280x800 unless `viewport` says), with the dashboard view over it. */
  open(path: string, viewport?: { width: number; height: number }): Promise<WatchedPage & { view: DashboardView }>;
}

export function browserSuite(): BrowserSuite {
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startDevServer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the browser suite is used outside its tests");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
    async open(path, viewport) {
      const watched = await openPage(started(browser), `${started(server).url}${path}`, undefined, viewport);
      return { ...watched, view: new DashboardView(watched.page) };
    },
  };
}
