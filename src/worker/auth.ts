import type { Credential } from "../dashboard/ingest-contract";
import type { ViewAccess } from "../dashboard/view-access";
import { ApiError } from "./errors";
import { secretEquals, sha256Hex } from "../dashboard/secrets";
import { ErrorCode, VIEW_KEY_HEADER } from "../common/http-contract";
import type { AppContext } from "./hono-env";

/**
 * The admin token `npm start` writes to `.dev.vars` when that file has none, and the tests
 * bind. It is only ever valid because a binding says so: the Worker never falls back to it,
 * whatever host a request names (a `Host` header is the client's to choose, and a proxy or
 * `wrangler dev --ip 0.0.0.0` would forward anyone's `Host: localhost`).
 */
export const DEV_ADMIN_TOKEN = "dev-admin-token";

/** The admin token in force, or null when admin calls are disabled (no `ADMIN_TOKEN` bound). */
export function adminToken(env: Env): string | null {
  return env.ADMIN_TOKEN ? env.ADMIN_TOKEN : null;
}

/** Whether `token` is the admin token (false when none is configured). */
export async function isAdminToken(env: Env, token: string): Promise<boolean> {
  const expected = adminToken(env);
  return expected !== null && (await secretEquals(token, expected));
}

/** The admin credential for the admin token, otherwise an ingest token passed on as its hash. */
export async function credentialOf(env: Env, token: string): Promise<Credential> {
  if (await isAdminToken(env, token)) return { kind: "admin" };
  return { kind: "ingest", tokenHash: await sha256Hex(token) };
}

/** The token of an `Authorization: Bearer <token>` (or `Token <token>`) header. */
export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^(?:Bearer|Token)\s+(\S+)\s*$/i);
  return match ? match[1]! : null;
}

/** The password of an `Authorization: Basic <base64 user:password>` header (any user name), or null. */
export function basicAuthPassword(header: string | undefined): string | null {
  const match = header?.match(/^Basic\s+(\S+)\s*$/i);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  const password = colon === -1 ? "" : decoded.slice(colon + 1);
  return password === "" ? null : password;
}

function requireToken(c: AppContext): string {
  const token = bearerToken(c.req.header("Authorization"));
  if (!token) {
    throw new ApiError(401, ErrorCode.missingToken, "send the token as `Authorization: Bearer <token>`", {}, {
      "WWW-Authenticate": 'Bearer realm="pulseboard"',
    });
  }
  return token;
}

/** Throws 401 without a token, 403 with a wrong one or when admin calls are disabled. */
export async function requireAdmin(c: AppContext): Promise<void> {
  const token = requireToken(c);
  if (adminToken(c.env) === null) {
    throw new ApiError(
      403,
      ErrorCode.adminNotConfigured,
      "no ADMIN_TOKEN is set: deployed, set one with `wrangler secret put ADMIN_TOKEN`; under `wrangler dev`, put `ADMIN_TOKEN=<token>` in .dev.vars (`npm start` writes one)",
    );
  }
  if (!(await isAdminToken(c.env, token))) {
    throw new ApiError(403, ErrorCode.invalidToken, "the admin token is not valid");
  }
}

/**
 * What a write request presents: the admin token (valid for every dashboard), or an ingest
 * token, passed on as its hash for the dashboard's object to check. 401 without any token.
 */
export async function writeCredential(c: AppContext): Promise<Credential> {
  return credentialOf(c.env, requireToken(c));
}

/**
 * What a read request presents for a private dashboard: its view key in the
 * `X-Pulseboard-View-Key` header (headers stay out of logs), and/or a write token in
 * `Authorization`. Nothing is required here; the dashboard decides whether it is enough.
 */
export async function readAccess(c: AppContext): Promise<ViewAccess> {
  const access: ViewAccess = {};
  const viewKey = c.req.header(VIEW_KEY_HEADER);
  if (viewKey) access.viewKeyHash = await sha256Hex(viewKey);
  const token = bearerToken(c.req.header("Authorization"));
  if (token) access.credential = await credentialOf(c.env, token);
  return access;
}
