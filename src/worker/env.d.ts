// Secrets are not in wrangler.toml, so `wrangler types` cannot see them; declared here for
// both the global `Env` and the one `cloudflare:workers` exposes.
interface Env {
  /** Admin token for creating dashboards (`wrangler secret put ADMIN_TOKEN`). Unset locally. */
  ADMIN_TOKEN?: string;
}
declare namespace Cloudflare {
  interface Env {
    /** Admin token for creating dashboards (`wrangler secret put ADMIN_TOKEN`). Unset locally. */
    ADMIN_TOKEN?: string;
  }
}
