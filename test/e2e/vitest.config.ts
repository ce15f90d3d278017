// End-to-end suite: a real `wrangler dev` driven over HTTP and through a real Chromium.
// Plain Node environment (not the Workers pool): the tests are outside the Worker.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
  },
});
