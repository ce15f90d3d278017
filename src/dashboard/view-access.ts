import type { Credential } from "./ingest-contract";
import { VIEW_KEY_PROTOCOL_PREFIX } from "../common/http-contract";

/**
 * What a reader presents to see a dashboard: a view key (as its SHA-256), and/or a write
 * credential (the admin token, or one of the dashboard's tokens, which may also read).
 */
export interface ViewAccess {
  /** SHA-256 hex of the view key sent, if any. */
  viewKeyHash?: string;
  /** A write credential sent, if any. */
  credential?: Credential;
}

/** The verdict on a reader of a dashboard. */
export type ViewVerdict = "allowed" | "view_key_required" | "invalid_view_key";

/** A reader let in, with the id of the dashboard's token that let it in (null: public, or the admin); or why not. */
export type ViewAdmission = { verdict: "allowed"; token: string | null } | { verdict: Exclude<ViewVerdict, "allowed"> };

/**
 * Public dashboards are open to all; a private one needs one of its tokens: a `read` token
 * (view key), or a write or edit token, as its ingest token always could; or the admin
 * token. `tokenOf` finds the dashboard's token with a secret's hash.
 */
export function admitReader(isPrivate: boolean, access: ViewAccess, tokenOf: (hash: string) => { id: string } | null): ViewAdmission {
  if (!isPrivate) return { verdict: "allowed", token: null };
  if (access.credential?.kind === "admin") return { verdict: "allowed", token: null };
  for (const hash of [access.credential?.kind === "ingest" ? access.credential.tokenHash : undefined, access.viewKeyHash]) {
    const token = hash === undefined ? null : tokenOf(hash);
    if (token) return { verdict: "allowed", token: token.id };
  }
  return { verdict: access.viewKeyHash === undefined && access.credential === undefined ? "view_key_required" : "invalid_view_key" };
}

/** The subprotocols a `Sec-WebSocket-Protocol` header offers. */
export function offeredProtocols(header: string | null): string[] {
  return header?.split(",").map((protocol) => protocol.trim()) ?? [];
}

/** The view key among the offered subprotocols, if any. */
export function viewKeyFromProtocols(offered: readonly string[]): string | undefined {
  return offered.find((protocol) => protocol.startsWith(VIEW_KEY_PROTOCOL_PREFIX))?.slice(VIEW_KEY_PROTOCOL_PREFIX.length) || undefined;
}
