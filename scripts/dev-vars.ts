// The local `.dev.vars` (gitignored), where `wrangler dev` reads a Worker's secrets from:
// https://developers.cloudflare.com/workers/configuration/secrets/#local-development-with-secrets
// The admin token lives there, so a local server has one only because a file says so.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The file, at the project's root, next to wrangler.toml. */
export const devVarsPath = fileURLToPath(new URL("../.dev.vars", import.meta.url));

/** The admin token `npm start` writes when `.dev.vars` has none: public, so for a local server only. */
export const DEV_ADMIN_TOKEN = "dev-admin-token";

/** The value of `name` in `.dev.vars` (dotenv syntax: `NAME=value`, optionally quoted), if any. */
export function devVar(name: string): string | undefined {
  if (!existsSync(devVarsPath)) return undefined;
  for (const line of readFileSync(devVarsPath, "utf8").split(/\r?\n/)) {
    const match = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (match?.[1] === name) return match[2]!.replace(/^(['"])(.*)\1$/, "$2");
  }
  return undefined;
}

/**
 * The admin token of the local server: the one in `.dev.vars`, or {@link DEV_ADMIN_TOKEN},
 * added to the file (created if need be) when it has none. `written` says which.
 */
export function ensureDevAdminToken(): { token: string; written: boolean } {
  const existing = devVar("ADMIN_TOKEN");
  if (existing) return { token: existing, written: false };
  const before = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  const separator = before === "" || before.endsWith("\n") ? "" : "\n";
  appendFileSync(devVarsPath, `${separator}# The local admin token (npm start wrote it; change it here, then restart).\nADMIN_TOKEN=${DEV_ADMIN_TOKEN}\n`);
  return { token: DEV_ADMIN_TOKEN, written: true };
}
