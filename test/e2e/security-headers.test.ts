/**
 * The security headers every page, asset and API answer carries, from a real `wrangler dev`
 * (the Worker's middleware and Workers Static Assets' `public/_headers`), and the pages
 * working under that policy in a real Chromium.
 */
import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesKey } from "../../src/common/series-key.ts";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "../../src/worker/security-headers.ts";
import { createDashboard, postMetrics, uniqueId } from "./api.ts";
import { launchBrowser, openPage, skipBrowserTests } from "./browser.ts";
import { DashboardView } from "./dashboard-view.ts";
import { startDevServer, type DevServer } from "./dev-server.ts";

/** The policy's directives by name, e.g. `connect-src` → `["'self'", "ws://…"]`. */
function directives(policy: string | null): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const directive of (policy ?? "").split(";")) {
    const [name, ...values] = directive.trim().split(/\s+/);
    if (name) parsed.set(name, values);
  }
  return parsed;
}

/** Records every CSP violation in the page, from before its first script runs. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`));
  });
}

describe("security headers", () => {
  let server: DevServer;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startDevServer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it("are on the landing page, a dashboard page, a script, a stylesheet, an API answer and an API error", async () => {
    const { id } = await createDashboard(server.url, uniqueId("headers"));
    const host = new URL(server.url).host;
    for (const path of ["/", "/d/x", `/d/${id}`, "/build/dashboard-page.js", "/styles.css", `/api/dashboards/${id}`, "/api/dashboards/no-such-dashboard", "/healthz"]) {
      const response = await fetch(`${server.url}${path}`);
      await response.arrayBuffer();
      expect(response.status, path).toBeLessThan(path.includes("no-such") ? 500 : 300);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name), `${name} on ${path}`).toBe(value);
      const policy = directives(response.headers.get("Content-Security-Policy"));
      expect(policy.get("default-src"), path).toEqual(["'self'"]);
      expect(policy.get("script-src"), path).toEqual(["'self'"]);
      expect(policy.get("frame-ancestors"), path).toEqual(["'none'"]);
      expect(policy.get("object-src"), path).toEqual(["'none'"]);
      expect(policy.get("base-uri"), path).toEqual(["'none'"]);
      expect(policy.get("form-action"), path).toEqual(["'self'"]);
      expect(policy.get("connect-src")?.[0], path).toBe("'self'");
      // Only what the Worker answers can name its host's sockets; static assets say 'self'.
      const connect = policy.get("connect-src")!.slice(1);
      expect(connect.length === 0 || (connect[0] === `ws://${host}` && connect[1] === `wss://${host}`), `${path}: ${connect.join(" ")}`).toBe(true);
    }
  });

  it("are the same in public/_headers as in the Worker's middleware", async () => {
    const file = await readFile(new URL("../../public/_headers", import.meta.url), "utf8");
    const rules = new Map(
      file
        .split("\n")
        .filter((line) => /^\s+\S/.test(line))
        .map((line) => [line.slice(0, line.indexOf(":")).trim(), line.slice(line.indexOf(":") + 1).trim()] as const),
    );
    expect(rules.get("Content-Security-Policy")).toBe(CONTENT_SECURITY_POLICY.join("; "));
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(rules.get(name), name).toBe(value);
  });

  describe.skipIf(skipBrowserTests)("in Chromium", () => {
    beforeAll(async () => {
      browser = await launchBrowser();
    });

    it("let the dashboard page connect and render live data with no policy violation or console error", async () => {
      const id = uniqueId("csp");
      const { ingestToken } = await createDashboard(server.url, id, "Under a strict policy");
      const consoleErrors: string[] = [];
      const { page, errors, close } = await openPage(browser!, `${server.url}/d/${id}`, async (page) => {
        page.on("console", (message) => {
          if (message.type() === "error") consoleErrors.push(message.text());
        });
        await recordViolations(page);
      });
      const view = new DashboardView(page);
      await view.waitForState("live");
      const ts = Math.floor(Date.now() / 1000) * 1000 - 5_000;
      await postMetrics(server.url, id, ingestToken, [
        { name: "cpu.load", value: 0.25, ts: ts - 1000, tags: { host: "a" } },
        { name: "cpu.load", value: 0.5, ts, tags: { host: "a" } },
      ]);
      await view.waitForLatest(seriesKey("cpu.load", { host: "a" }), "0.5");
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    });

    it("let the landing page run with no policy violation", async () => {
      const { page, errors, close } = await openPage(browser!, `${server.url}/`, recordViolations);
      await page.waitForSelector('[data-command="create"] code:has-text("curl")');
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    });

    it("keep the dashboard page out of any frame, even its own site's", async () => {
      // A page of the same origin (answered by the browser itself), so that nothing but the
      // policy stands between it and the frame: frame-ancestors 'none' refuses every parent.
      const embedder = `${server.url}/embedding-test`;
      const { page, close } = await openPage(browser!, "about:blank", async (page) => {
        await page.route(embedder, (route) => route.fulfill({ contentType: "text/html", body: `<iframe src="/d/x"></iframe>` }));
      });
      // goto waits for the frame's load event, whether it loaded the page or an error.
      await page.goto(embedder);
      const frame = await (await page.waitForSelector("iframe")).contentFrame();
      expect(frame).not.toBeNull();
      expect(frame!.url()).not.toBe(`${server.url}/d/x`);
      expect(await frame!.$("[data-testid=connection]")).toBeNull();
      await close();
    });
  });
});
