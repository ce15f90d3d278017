// Secrets are not in wrangler.toml, so `wrangler types` cannot see them; declared here for
// both the global `Env` and the one `cloudflare:workers` exposes.
interface Env {
  /** Admin token (`wrangler secret put ADMIN_TOKEN`; locally `.dev.vars`). Unset: admin calls refused. */
  ADMIN_TOKEN?: string;
}
declare namespace Cloudflare {
  interface Env {
    /** Admin token (`wrangler secret put ADMIN_TOKEN`; locally `.dev.vars`). Unset: admin calls refused. */
    ADMIN_TOKEN?: string;
  }
}
