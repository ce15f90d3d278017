// End-to-end suite: a real `wrangler dev` driven over HTTP and through a real Chromium.
// Plain Node environment (not the Workers pool): the tests are outside the Worker.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Suites about the page and the API around it, which do not depend on where viewers are served. */
const notAboutViewers = ["accessibility", "influx-clients", "landing-page", "otlp-exporters", "prometheus-remote-write", "security-headers"].map((name) => `test/e2e/${name}.test.ts`);

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    // Each file starts its own dev server (a few seconds) and a browser; files run one at a
    // time so they do not compete for the two CPUs a CI runner usually has.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    projects: [
      { extends: true, test: { name: "e2e" } },
      {
        // The same browser suites with every viewer sent to a relay (RELAY_AFTER_VIEWERS = 0).
        extends: true,
        test: { name: "e2e-relayed", exclude: notAboutViewers, env: { PULSEBOARD_RELAY_AFTER_VIEWERS: "0" } },
      },
    ],
  },
});
