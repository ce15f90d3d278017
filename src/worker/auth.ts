import type { Context } from "hono";
import type { Credential } from "../dashboard/credential";
import type { ViewAccess } from "../dashboard/view-access";
import { ApiError } from "./errors";
import { constantTimeEqual, sha256Hex } from "./tokens";

/**
 * The admin token accepted when no `ADMIN_TOKEN` secret is set and the request reached a
 * loopback host, i.e. under `wrangler dev`. A deployed Worker is only reachable through a
 * public hostname, so it never matches and, without the secret, refuses all admin calls.
 */
export const DEV_ADMIN_TOKEN = "dev-admin-token";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** The admin token in force for this request, or null when admin calls are disabled. */
export function adminToken(env: Env, url: URL): string | null {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  return LOOPBACK.test(url.hostname) ? DEV_ADMIN_TOKEN : null;
}

/** The token of an `Authorization: Bearer <token>` (or `Token <token>`) header. */
export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^(?:Bearer|Token)\s+(\S+)\s*$/i);
  return match ? match[1]! : null;
}

function requireToken(c: Context): string {
  const token = bearerToken(c.req.header("Authorization"));
  if (!token) {
    throw new ApiError(401, "missing_token", "send the token as `Authorization: Bearer <token>`", {}, {
      "WWW-Authenticate": 'Bearer realm="pulseboard"',
    });
  }
  return token;
}

/** Throws 401 without a token, 403 with a wrong one or when admin calls are disabled. */
export function requireAdmin(c: Context<{ Bindings: Env }>): void {
  const token = requireToken(c);
  const expected = adminToken(c.env, new URL(c.req.url));
  if (expected === null) {
    throw new ApiError(403, "admin_not_configured", "this deployment has no ADMIN_TOKEN secret; set one with `wrangler secret put ADMIN_TOKEN`");
  }
  if (!constantTimeEqual(token, expected)) {
    throw new ApiError(403, "invalid_token", "the admin token is not valid");
  }
}

/**
 * What a write request presents: the admin token (valid for every dashboard), or an ingest
 * token, passed on as its hash for the dashboard's object to check. 401 without any token.
 */
export async function writeCredential(c: Context<{ Bindings: Env }>): Promise<Credential> {
  const token = requireToken(c);
  const expected = adminToken(c.env, new URL(c.req.url));
  if (expected !== null && constantTimeEqual(token, expected)) return { kind: "admin" };
  return { kind: "ingest", tokenHash: await sha256Hex(token) };
}

/**
 * What a read request presents for a private dashboard: its view key in the
 * `X-Pulseboard-View-Key` header (headers stay out of logs), and/or a write token in
 * `Authorization`. Nothing is required here; the dashboard decides whether it is enough.
 */
export async function readAccess(c: Context<{ Bindings: Env }>): Promise<ViewAccess> {
  const access: ViewAccess = {};
  const viewKey = c.req.header("X-Pulseboard-View-Key");
  if (viewKey) access.viewKeyHash = await sha256Hex(viewKey);
  const token = bearerToken(c.req.header("Authorization"));
  if (token) {
    const expected = adminToken(c.env, new URL(c.req.url));
    access.credential = expected !== null && constantTimeEqual(token, expected) ? { kind: "admin" } : { kind: "ingest", tokenHash: await sha256Hex(token) };
  }
  return access;
}
