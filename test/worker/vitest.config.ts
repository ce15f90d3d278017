import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Runs the Worker and its Durable Object inside real workerd, configured from wrangler.toml.
// No ADMIN_TOKEN is bound, exactly as under `wrangler dev`, so the local default applies.
const root = fileURLToPath(new URL("../..", import.meta.url));
const wrangler = { configPath: "./wrangler.toml" };

export default defineConfig({
  test: {
    projects: [
      {
        root,
        plugins: [cloudflareTest({ wrangler })],
        test: { name: "workerd", include: ["test/worker/**/*.test.ts"], exclude: ["test/worker/rate-limits.test.ts", "test/worker/pacing.test.ts"] },
      },
      {
        // Low limits, so that going over them takes a handful of requests, and one frame per
        // second, so that a frame held back by pacing is unmistakable.
        root,
        plugins: [
          cloudflareTest({
            wrangler,
            miniflare: { bindings: { RATE_LIMIT_REQUESTS_PER_SECOND: "20", RATE_LIMIT_POINTS_PER_SECOND: "500", MAX_FRAMES_PER_SECOND: "1" } },
          }),
        ],
        test: { name: "workerd-low-limits", include: ["test/worker/rate-limits.test.ts", "test/worker/pacing.test.ts"] },
      },
    ],
  },
});
