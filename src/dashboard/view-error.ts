import type { ViewVerdict } from "./view-access";

/** The JSON error body for a refused reader of a private dashboard. */
export function viewError(verdict: Exclude<ViewVerdict, "allowed">): { code: string; message: string } {
  return verdict === "view_key_required"
    ? { code: "view_key_required", message: "this dashboard is private: send its view key (X-Pulseboard-View-Key header, or the pulseboard.view-key.<key> WebSocket subprotocol)" }
    : { code: "invalid_view_key", message: "the view key is not valid for this dashboard" };
}
