import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Measurements taken inside workerd itself, as the tests run it: the Worker and its Durable
// Object from wrangler.toml, without wrangler dev's proxy and inspector around them.
const root = fileURLToPath(new URL("../..", import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        root,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // The runtime's clock stands still while code runs, so a loop of requests would
            // meet the per-second limits at once; a measurement needs them out of the way. The
            // admin token is the one `npm start` writes to .dev.vars, as the tests bind it.
            miniflare: { bindings: { ADMIN_TOKEN: "dev-admin-token", RATE_LIMIT_REQUESTS_PER_SECOND: "1000000", RATE_LIMIT_POINTS_PER_SECOND: "100000000" } },
          }),
        ],
        test: { name: "in-runtime", include: ["bench/in-runtime/*.measure.ts"], testTimeout: 300_000 },
      },
    ],
  },
});
