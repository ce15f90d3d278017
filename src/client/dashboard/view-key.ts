/**
 * The view key of a private dashboard, as the page holds it. The link carries it in the
 * fragment (`/d/<id>#key=<key>`) because browsers never send a fragment to a server; the page
 * then takes it out of the address bar, so a screenshot or a copied URL does not leak it, and
 * keeps it in sessionStorage so a reload of the same tab still sees the dashboard.
 */
import { VIEW_KEY_HEADER, VIEW_KEY_PROTOCOL_PREFIX, VIEWER_PROTOCOL } from "../../common/http-contract.ts";

/** Where a dashboard's key is kept in sessionStorage. */
function storageName(id: string): string {
  return `pulseboard.view-key.${id}`;
}

/** The `key` parameter of a fragment such as `#key=pbv_…`, if any. */
export function keyFromFragment(hash: string): string | undefined {
  const key = new URLSearchParams(hash.replace(/^#/, "")).get("key");
  return key || undefined;
}

/**
 * The key to present for dashboard `id`: the one in the fragment (remembered, then removed
 * from the address bar), else the one remembered by this tab; `undefined` for a public link.
 */
export function takeViewKey(id: string): string | undefined {
  const fromLink = keyFromFragment(location.hash);
  if (fromLink !== undefined) {
    try {
      sessionStorage.setItem(storageName(id), fromLink);
    } catch {
      // Storage can be disabled (private modes, policies); the key still works until a reload.
    }
    history.replaceState(history.state, "", location.pathname + location.search);
    return fromLink;
  }
  try {
    return sessionStorage.getItem(storageName(id)) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Forgets a key the server refused, so a later link with the right one is not shadowed. */
export function forgetViewKey(id: string): void {
  try {
    sessionStorage.removeItem(storageName(id));
  } catch {
    // Nothing was stored if storage is unavailable.
  }
}

/** Headers that present `key` on the page's HTTP reads. */
export function viewKeyHeaders(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { [VIEW_KEY_HEADER]: key };
}

/**
 * The subprotocols the viewer socket offers. Browsers cannot set headers on a WebSocket, so
 * the key rides as `pulseboard.view-key.<key>` beside `pulseboard`, which the server selects.
 * A public link offers none, as before.
 */
export function viewerProtocols(key: string | undefined): string[] | undefined {
  return key === undefined ? undefined : [VIEWER_PROTOCOL, `${VIEW_KEY_PROTOCOL_PREFIX}${key}`];
}
