/** Where a dashboard page finds its id: the path `/d/<id>`. */
import { isDashboardId } from "../../common/http-contract.ts";

/** The id segment of a dashboard path, and whether the API would accept it. */
export interface DashboardPath {
  /** The decoded segment after `/d/`. */
  id: string;
  /** Whether `id` is a well-formed dashboard id. */
  valid: boolean;
}

/** Reads `/d/<id>` (a trailing slash is allowed); `undefined` for any other path. */
export function parseDashboardPath(pathname: string): DashboardPath | undefined {
  const match = /^\/d\/([^/]+)\/?$/.exec(pathname);
  if (!match) return undefined;
  let id = match[1]!;
  try {
    id = decodeURIComponent(id);
  } catch {
    return { id, valid: false };
  }
  return { id, valid: isDashboardId(id) };
}

/**
 * Builds the viewer WebSocket URL on the page's own host, `wss:` when the page is https.
 * With `since`, the server replays what came after it instead of sending a snapshot.
 */
export function viewerSocketUrl(id: string, since?: number, page: Location = location): string {
  const protocol = page.protocol === "https:" ? "wss:" : "ws:";
  const query = since === undefined ? "" : `?since=${since}`;
  return `${protocol}//${page.host}/api/dashboards/${encodeURIComponent(id)}/ws${query}`;
}
