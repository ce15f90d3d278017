/**
 * Whether a token may edit a dashboard, asked of the server before the editor opens: `GET
 * /api/dashboards/:id/tokens` needs the same `edit` scope (or the admin token) as saving, and
 * only reads (the token's `lastUsedAt`, kept to the minute, is all it touches). Its answers,
 * and a save's refusals, are sorted here into what the token prompt says at its field.
 */
import { ErrorCode, type ErrorBody } from "../../common/http-contract.ts";

/** What a check (or a refused save) came to. */
export type TokenVerdict =
  /** The token may edit the dashboard. */
  | { kind: "accepted" }
  /** Not this dashboard's token nor the admin's (a revoked one included), or none sent. */
  | { kind: "wrong"; message: string }
  /** One of the dashboard's tokens, of a scope that may not edit (`write`, `read`). */
  | { kind: "scope"; message: string }
  /** The dashboard is gone. */
  | { kind: "gone"; message: string }
  /** Too many wrong tokens lately: the dashboard refuses every token for a while. */
  | { kind: "limited"; message: string }
  /** The server answered, but could not check (5xx, or an answer this page does not know). */
  | { kind: "down"; message: string }
  /** No answer at all: the network, or a server that is not running. */
  | { kind: "unreachable"; message: string };

/** Sorts an answer of the tokens route (or of a save) by what the person should do about it. */
export function tokenVerdict(status: number, body: unknown): TokenVerdict {
  if (status >= 200 && status < 300) return { kind: "accepted" };
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  const code = typeof error?.code === "string" ? error.code : undefined;
  if (status === 401 || code === ErrorCode.invalidToken || code === ErrorCode.missingToken) {
    return { kind: "wrong", message: "That token is not valid for this dashboard (nor the admin token). Check it was copied whole; a revoked token is refused too." };
  }
  if (code === ErrorCode.insufficientScope) {
    return {
      kind: "scope",
      message: "That token is this dashboard's, but its scope only sends data (or views): editing needs a token of scope edit, or the admin token.",
    };
  }
  if (status === 404) return { kind: "gone", message: "This dashboard no longer exists, so it cannot be edited." };
  if (status === 429) {
    const retry = (error as { retryAfter?: unknown } | undefined)?.retryAfter;
    const wait = typeof retry === "number" ? `${retry} s` : "a moment";
    return { kind: "limited", message: `The dashboard refused too many wrong tokens lately: try again in ${wait}.` };
  }
  return { kind: "down", message: `The server could not check the token (HTTP ${status}): try again in a moment.` };
}

/** Asks the server whether `token` may edit dashboard `dashboardId`; never throws. */
export async function checkEditToken(dashboardId: string, token: string, send: typeof fetch = (input, init) => fetch(input, init)): Promise<TokenVerdict> {
  let response: Response;
  try {
    response = await send(`/api/dashboards/${encodeURIComponent(dashboardId)}/tokens`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    return { kind: "unreachable", message: "Could not reach the server to check the token: check the connection, then try again." };
  }
  return tokenVerdict(response.status, await response.json().catch(() => undefined));
}
