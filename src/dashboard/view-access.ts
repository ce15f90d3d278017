import { constantTimeEqual } from "./secrets";
import type { Credential } from "./ingest-contract";
import { VIEW_KEY_PROTOCOL_PREFIX } from "../common/http-contract";

/**
 * What a reader presents to see a dashboard: a view key (as its SHA-256), and/or a write
 * credential (the admin token, or the dashboard's ingest token, which may also read).
 */
export interface ViewAccess {
  /** SHA-256 hex of the view key sent, if any. */
  viewKeyHash?: string;
  /** A write credential sent, if any. */
  credential?: Credential;
}

/** The verdict on a reader of a dashboard. */
export type ViewVerdict = "allowed" | "view_key_required" | "invalid_view_key";

/** Public dashboards are open to all; a private one needs its view key or a write token. */
export function viewVerdict(meta: { viewKeyHash: string | null; tokenHash: string }, access: ViewAccess): ViewVerdict {
  if (meta.viewKeyHash === null) return "allowed";
  if (access.credential?.kind === "admin") return "allowed";
  if (access.credential?.kind === "ingest" && constantTimeEqual(access.credential.tokenHash, meta.tokenHash)) return "allowed";
  if (access.viewKeyHash !== undefined && constantTimeEqual(access.viewKeyHash, meta.viewKeyHash)) return "allowed";
  return access.viewKeyHash === undefined && access.credential === undefined ? "view_key_required" : "invalid_view_key";
}

/** The subprotocols a `Sec-WebSocket-Protocol` header offers. */
export function offeredProtocols(header: string | null): string[] {
  return header?.split(",").map((protocol) => protocol.trim()) ?? [];
}

/** The view key among the offered subprotocols, if any. */
export function viewKeyFromProtocols(offered: readonly string[]): string | undefined {
  return offered.find((protocol) => protocol.startsWith(VIEW_KEY_PROTOCOL_PREFIX))?.slice(VIEW_KEY_PROTOCOL_PREFIX.length) || undefined;
}
