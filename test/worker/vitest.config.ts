import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Runs the Worker and its Durable Object inside real workerd, configured from wrangler.toml.
// No ADMIN_TOKEN is bound, exactly as under `wrangler dev`, so the local default applies.
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
  test: {
    include: ["test/worker/**/*.test.ts"],
  },
});
