import type { Dashboard } from "../dashboard/dashboard-object";
import type { Credential } from "../dashboard/ingest-contract";
import type { WriteRefusal } from "../dashboard/write-refusal";
import { ApiError } from "./errors";
import { ErrorCode } from "../common/http-contract";
import type { TokenAction, TokenScope } from "../dashboard/token-scope";

/**
 * Checks a write's token before its body is read, so a wrong token costs neither a 1 MiB
 * read and validation nor shipping 5,000 points over RPC. The dashboard's object decides
 * (`authorize`, which also limits refusals); what it confirmed is remembered here for a
 * short while so a steady sender costs one extra RPC per {@link CONFIRMED_TTL_MS}, not one
 * per request. The cache only ever skips the early check: the object checks the token
 * again when it stores, so a dashboard deleted or a token revoked meanwhile is still refused.
 */

/** How long a confirmation is trusted. */
export const CONFIRMED_TTL_MS = 10_000;
/** Most confirmations kept; the oldest goes first. Each is a few hundred bytes: well under 1 MB of an isolate's 128 MB. */
export const CONFIRMED_MAX = 1_000;

/**
 * Recent confirmations, per isolate (module state lives as long as the isolate, which the
 * runtime may recycle at any time, costing only a cache miss): key → time it expires.
 */
const confirmed = new Map<string, number>();

function keyOf(id: string, action: string, tokenHash: string): string {
  return `${id}\n${action}\n${tokenHash}`;
}

/**
 * Null when `credential` may do `action` (write points and annotations, or edit the
 * dashboard) to dashboard `id` (as far as the object says), else why not.
 */
export async function authorizeWrite(
  stub: DurableObjectStub<Dashboard>,
  id: string,
  credential: Credential,
  now = Date.now(),
  action: Exclude<TokenAction, "read"> = "write",
): Promise<WriteRefusal | null> {
  // The Worker itself verified the admin token.
  if (credential.kind === "admin") return null;
  const key = keyOf(id, action, credential.tokenHash);
  const expires = confirmed.get(key);
  if (expires !== undefined && expires > now) return null;
  confirmed.delete(key);
  const outcome = await stub.authorize(credential, action);
  if (outcome.status !== "ok") return outcome;
  // A Map iterates in insertion order, so the first key is the oldest confirmation.
  if (confirmed.size >= CONFIRMED_MAX) confirmed.delete(confirmed.keys().next().value!);
  confirmed.set(key, now + CONFIRMED_TTL_MS);
  return null;
}

/**
 * Forgets this isolate's confirmations for dashboard `id` (one of its tokens was revoked), so
 * its next write here is checked before its body is read. Other isolates may still skip the
 * early check for up to {@link CONFIRMED_TTL_MS}; the dashboard refuses the write all the same.
 */
export function forgetConfirmed(id: string): void {
  const prefix = `${id}\n`;
  for (const key of [...confirmed.keys()]) if (key.startsWith(prefix)) confirmed.delete(key);
}

/** The 403 for a token of dashboard `id` whose scope does not allow what it was sent to do. */
export function insufficientScopeError(id: string, required: TokenScope): ApiError {
  const which = required === "write" ? "a `write` or `edit` token" : `an \`${required}\` token`;
  return new ApiError(403, ErrorCode.insufficientScope, `this token's scope does not allow this on dashboard "${id}": it needs ${which} (or the admin token)`, { required });
}

/** The native API's error for a refused write to dashboard `id`. */
export function writeRefusedError(id: string, refusal: WriteRefusal): ApiError {
  switch (refusal.status) {
    case "not_found":
      return new ApiError(404, ErrorCode.dashboardNotFound, `no dashboard "${id}"`, { field: "id" });
    case "forbidden":
      if (refusal.required) return insufficientScopeError(id, refusal.required);
      return new ApiError(403, ErrorCode.invalidToken, `the token is not valid for dashboard "${id}"`);
    case "rate_limited":
      return new ApiError(429, "rate_limited", `too many requests with a wrong token for dashboard "${id}"; retry in ${refusal.retryAfterSeconds} s`, { retryAfter: refusal.retryAfterSeconds }, {
        "Retry-After": String(refusal.retryAfterSeconds),
      });
  }
}
