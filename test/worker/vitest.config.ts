import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Runs the Worker and its Durable Object inside real workerd, configured from wrangler.toml.
// ADMIN_TOKEN is bound to the token `npm start` writes to .dev.vars, as a developer's
// `wrangler dev` has it; tests of a Worker without one pass their own env to `app.request`.
const root = fileURLToPath(new URL("../..", import.meta.url));
const wrangler = { configPath: "./wrangler.toml" };
const ADMIN_TOKEN = "dev-admin-token";
/** Suites whose viewers connect through the Worker and see only what any viewer sees. */
const relayedSuites = [
  "annotations.test.ts",
  "dashboard-config.test.ts",
  "delivery.test.ts",
  "history.test.ts",
  "matching-work.test.ts",
  "point-identity.test.ts",
  "private-dashboards.test.ts",
  "series-patterns.test.ts",
  "subscription-size.test.ts",
  "template-variables.test.ts",
  "tokens.test.ts",
  "viewer-budgets.test.ts",
  "viewer-protocol-fuzz.test.ts",
  "viewers.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      {
        root,
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ADMIN_TOKEN } } })],
        test: { name: "workerd", include: ["test/worker/**/*.test.ts"], exclude: ["test/worker/rate-limits.test.ts", "test/worker/pacing.test.ts", "test/worker/relays.test.ts", "test/worker/relay-crowd.test.ts"] },
      },
      {
        // Every viewer sent to a relay, each relay meant for one viewer, and the Worker asking
        // the dashboard for every viewer, so which relay a viewer lands on is known; two relays
        // per object, so a third viewer is already on a relay of a relay.
        root,
        plugins: [
          cloudflareTest({ wrangler, miniflare: { bindings: { ADMIN_TOKEN, RELAY_AFTER_VIEWERS: "0", VIEWERS_PER_RELAY: "1", RELAY_ROUTE_CACHE_MS: "0", RELAY_FAN_OUT: "2" } } }),
        ],
        test: { name: "workerd-relays", include: ["test/worker/relays.test.ts", "test/worker/delete-dashboard.test.ts"] },
      },
      {
        // A large audience as deployed: 100 viewers per relay, the routing answer reused for a second.
        root,
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ADMIN_TOKEN, RELAY_AFTER_VIEWERS: "0", VIEWERS_PER_RELAY: "100" } } })],
        test: { name: "workerd-relay-crowd", include: ["test/worker/relay-crowd.test.ts"] },
      },
      {
        // The viewer-facing suites again, with every viewer on a relay: a viewer cannot tell
        // the difference. The few tests that look inside the dashboard's own object at its
        // viewer sockets (`insideDashboard`) are skipped: a relayed viewer's socket is not there.
        root,
        plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ADMIN_TOKEN, RELAY_AFTER_VIEWERS: "0" } } })],
        test: {
          name: "workerd-relayed-viewers",
          include: relayedSuites.map((file) => `test/worker/${file}`),
        },
      },
      {
        // Low limits, so that going over them takes a handful of requests, and one frame per
        // second, so that a frame held back by pacing is unmistakable.
        root,
        plugins: [
          cloudflareTest({
            wrangler,
            miniflare: { bindings: { ADMIN_TOKEN, RATE_LIMIT_REQUESTS_PER_SECOND: "20", RATE_LIMIT_POINTS_PER_SECOND: "500", MAX_FRAMES_PER_SECOND: "1" } },
          }),
        ],
        test: { name: "workerd-low-limits", include: ["test/worker/rate-limits.test.ts", "test/worker/pacing.test.ts"] },
      },
    ],
  },
});
