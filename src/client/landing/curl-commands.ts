/**
 * The curl commands the pages show, built for the host the page is served from so they can
 * be pasted as they are. On a loopback origin they use `dev-admin-token`, the admin token
 * `npm start` writes to `.dev.vars` (the server accepts it only because that file says so);
 * elsewhere the commands name shell variables the reader sets.
 */

/** Tokens to put in commands for one origin. */
export interface CommandTokens {
  /** Bearer token for creating dashboards. */
  admin: string;
  /** Bearer token for sending metrics (the admin token also works). */
  ingest: string;
  /** Whether these are the development tokens `npm start` sets up (a loopback origin). */
  local: boolean;
}

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `dev-admin-token` for a local dev server (as `npm start` configures it), shell variables anywhere else. */
export function tokensFor(origin: string): CommandTokens {
  const local = localHosts.has(new URL(origin).hostname);
  return local
    ? { admin: "dev-admin-token", ingest: "dev-admin-token", local }
    : { admin: "$ADMIN_TOKEN", ingest: "$INGEST_TOKEN", local };
}

/** Quotes for a POSIX shell; ids and example JSON never contain a single quote, but be exact. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Double quotes keep `$VARIABLE` tokens expandable. */
function bearer(token: string): string {
  return `-H "Authorization: Bearer ${token}"`;
}

/** `curl` that creates dashboard `id`. */
export function createDashboardCommand(origin: string, id: string, title: string): string {
  return [
    `curl -X POST ${origin}/api/dashboards`,
    `  ${bearer(tokensFor(origin).admin)}`,
    `  -H "Content-Type: application/json"`,
    `  -d ${shellQuote(JSON.stringify({ id, title }))}`,
  ].join(" \\\n");
}

/** `curl` that sends one example point to dashboard `id`. */
export function sendMetricCommand(origin: string, id: string): string {
  const point = { name: "cpu.load", value: 0.42, tags: { host: "a" } };
  return [
    `curl -X POST ${origin}/api/dashboards/${id}/metrics`,
    `  ${bearer(tokensFor(origin).ingest)}`,
    `  -H "Content-Type: application/json"`,
    `  -d ${shellQuote(JSON.stringify(point))}`,
  ].join(" \\\n");
}

/** The address of dashboard `id`'s page. */
export function dashboardAddress(origin: string, id: string): string {
  return `${origin}/d/${id}`;
}
