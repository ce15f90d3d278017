import type { ViewVerdict } from "./view-access";
import { ErrorCode, VIEW_KEY_HEADER, VIEW_KEY_PROTOCOL_PREFIX } from "../common/http-contract";

/** The JSON error body for a refused reader of a private dashboard. */
export function viewError(verdict: Exclude<ViewVerdict, "allowed">): { code: string; message: string } {
  return verdict === "view_key_required"
    ? { code: ErrorCode.viewKeyRequired, message: `this dashboard is private: send its view key (${VIEW_KEY_HEADER} header, or the ${VIEW_KEY_PROTOCOL_PREFIX}<key> WebSocket subprotocol)` }
    : { code: ErrorCode.invalidViewKey, message: "the view key is not valid for this dashboard" };
}
