/**
 * What each of a dashboard's tokens may do. A token has one scope: `write` sends points and
 * annotations; `edit` does that too, and changes the title and panels and the dashboard's
 * tokens; `read` views a private dashboard (the view key's role). Every write or edit token
 * of a dashboard may also view it, as its ingest token always could.
 */

/** The scopes a token may have. */
export const TOKEN_SCOPES = ["write", "edit", "read"] as const;

/** A token's scope. */
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * What a request does with a token: `write` points or annotations, `edit` the dashboard's
 * settings or tokens, `read` a private dashboard.
 */
export type TokenAction = "write" | "edit" | "read";

/** Whether a token of `scope` may do `action`. */
export function scopeAllows(scope: TokenScope, action: TokenAction): boolean {
  switch (action) {
    case "read":
      return true;
    case "write":
      return scope === "write" || scope === "edit";
    case "edit":
      return scope === "edit";
  }
}

/** The least scope that allows `action`, to name in a refusal. */
export function scopeNeeded(action: TokenAction): TokenScope {
  return action;
}

/** Whether a new token of `scope` is a view key (`pbv_…`, a valid WebSocket subprotocol) rather than a write token (`pb_…`). */
export function isViewScope(scope: TokenScope): boolean {
  return scope === "read";
}
