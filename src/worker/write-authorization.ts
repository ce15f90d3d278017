import type { Dashboard } from "../dashboard/dashboard-object";
import type { Credential } from "../dashboard/ingest-contract";
import type { WriteRefusal } from "../dashboard/write-refusal";
import { ApiError } from "./errors";
import { ErrorCode } from "../common/http-contract";

/**
 * Checks a write's token before its body is read, so a wrong token costs neither a 1 MiB
 * read and validation nor shipping 5,000 points over RPC. The dashboard's object decides
 * (`authorize`, which also limits refusals); what it confirmed is remembered here for a
 * short while so a steady sender costs one extra RPC per {@link CONFIRMED_TTL_MS}, not one
 * per request. The cache only ever skips the early check: the object checks the token
 * again when it stores, so a dashboard deleted or a token changed meanwhile is still refused.
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

function keyOf(id: string, tokenHash: string): string {
  return `${id}\n${tokenHash}`;
}

/** Null when `credential` may write to dashboard `id` (as far as the object says), else why not. */
export async function authorizeWrite(stub: DurableObjectStub<Dashboard>, id: string, credential: Credential, now = Date.now()): Promise<WriteRefusal | null> {
  // The Worker itself verified the admin token.
  if (credential.kind === "admin") return null;
  const key = keyOf(id, credential.tokenHash);
  const expires = confirmed.get(key);
  if (expires !== undefined && expires > now) return null;
  confirmed.delete(key);
  const outcome = await stub.authorize(credential);
  if (outcome.status !== "ok") return outcome;
  // A Map iterates in insertion order, so the first key is the oldest confirmation.
  if (confirmed.size >= CONFIRMED_MAX) confirmed.delete(confirmed.keys().next().value!);
  confirmed.set(key, now + CONFIRMED_TTL_MS);
  return null;
}

/** The native API's error for a refused write to dashboard `id`. */
export function writeRefusedError(id: string, refusal: WriteRefusal): ApiError {
  switch (refusal.status) {
    case "not_found":
      return new ApiError(404, ErrorCode.dashboardNotFound, `no dashboard "${id}"`, { field: "id" });
    case "forbidden":
      return new ApiError(403, ErrorCode.invalidToken, `the token is not valid for dashboard "${id}"`);
    case "rate_limited":
      return new ApiError(429, "rate_limited", `too many requests with a wrong token for dashboard "${id}"; retry in ${refusal.retryAfterSeconds} s`, { retryAfter: refusal.retryAfterSeconds }, {
        "Retry-After": String(refusal.retryAfterSeconds),
      });
  }
}
