import { Hono } from "hono";
import { z } from "zod";
import { limits } from "../common/limits";
import type { Dashboard, TokenRefusal } from "../dashboard/dashboard-object";
import { newIngestToken, newViewKey, sha256Hex } from "../dashboard/secrets";
import { isViewScope, TOKEN_SCOPES } from "../dashboard/token-scope";
import { writeCredential } from "./auth";
import { parseDashboardId } from "./dashboard-id";
import { ApiError } from "./errors";
import type { AppEnv } from "./hono-env";
import { notFound, readJson } from "./route-helpers";
import { forgetRoute } from "./viewer-route";
import { authorizeWrite, forgetConfirmed, writeRefusedError } from "./write-authorization";

/**
 * A dashboard's tokens: made (the secret shown once), listed (never a secret or a hash) and
 * revoked, by the admin or a token of scope `edit`. The dashboard keeps them and checks every
 * call itself (`Dashboard.addToken`, `listTokens`, `revokeToken`).
 */

/** Body of `POST /api/dashboards/:id/tokens`. */
const newTokenSchema = z.strictObject({
  /** What holds it, e.g. "boiler sensor". */
  name: z
    .string({ error: "name must be a string" })
    .trim()
    .min(1, "name must not be empty")
    .max(limits.maxTokenNameLength, `name is at most ${limits.maxTokenNameLength} characters`)
    .regex(/^[^\p{Cc}]*$/u, "name must not hold control characters"),
  /** What it may do (see token-scope.ts). */
  scope: z.enum(TOKEN_SCOPES, { error: `scope must be one of ${TOKEN_SCOPES.join(", ")}` }),
});

/** Token ids as the dashboard makes them (`newTokenId`). */
const TOKEN_ID = /^tk_[A-Za-z0-9_-]{12}$/;

export const tokenRoutes = new Hono<AppEnv>();

tokenRoutes.post("/api/dashboards/:id/tokens", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const credential = await writeCredential(c);
  const stub = c.env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>;
  const refusal = await authorizeWrite(stub, id, credential, Date.now(), "edit");
  if (refusal) throw writeRefusedError(id, refusal);
  const parsed = newTokenSchema.safeParse(await readJson(c.req.raw, 4 * 1024));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(400, "invalid_body", issue.message, { field: issue.path.map(String).join(".") || undefined });
  }
  const { name, scope } = parsed.data;
  const secret = isViewScope(scope) ? newViewKey() : newIngestToken();
  const outcome = await stub.addToken(credential, { name, scope, hash: await sha256Hex(secret) });
  if (outcome.status === "full") {
    throw new ApiError(422, "tokens_full", `dashboard "${id}" holds at most ${limits.maxTokensPerDashboard} tokens; revoke one first`, { limit: limits.maxTokensPerDashboard });
  }
  if (outcome.status !== "ok") throw tokenRefused(id, outcome);
  return c.json({ ...outcome.token, token: secret }, 201);
});

tokenRoutes.get("/api/dashboards/:id/tokens", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const credential = await writeCredential(c);
  const outcome = await (c.env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>).listTokens(credential);
  if (outcome.status !== "ok") throw tokenRefused(id, outcome);
  return c.json({ tokens: outcome.tokens });
});

tokenRoutes.delete("/api/dashboards/:id/tokens/:token", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const tokenId = c.req.param("token");
  const credential = await writeCredential(c);
  const noToken = () => new ApiError(404, "token_not_found", `dashboard "${id}" has no token "${tokenId}"`, { field: "token" });
  if (!TOKEN_ID.test(tokenId)) throw noToken();
  const outcome = await (c.env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>).revokeToken(credential, tokenId);
  if (outcome.status === "no_token") throw noToken();
  if (outcome.status !== "ok") throw tokenRefused(id, outcome);
  // The dashboard already refuses the token; this isolate also stops skipping its early check.
  forgetConfirmed(id);
  forgetRoute(id);
  return c.body(null, 204);
});

function tokenRefused(id: string, refusal: TokenRefusal): ApiError {
  return refusal.status === "not_found" ? notFound(id) : writeRefusedError(id, refusal);
}
