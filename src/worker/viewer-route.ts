import type { Dashboard } from "../dashboard/dashboard-object";
import { dashboardSettings } from "../dashboard/dashboard-settings";
import { sha256Hex } from "../dashboard/secrets";
import { offeredProtocols, viewKeyFromProtocols, viewVerdict } from "../dashboard/view-access";
import { viewError } from "../dashboard/view-error";
import {
  RELAY_DASHBOARD_HEADER,
  RELAY_INDEX_HEADER,
  RELAY_ROUTE_HEADER,
  RELAY_ROUTING_HEADER,
  relayName,
  type RelayRoute,
} from "../relay/relay-contract";
import { ApiError } from "./errors";

/** Most dashboards whose routing answer one Worker isolate remembers. */
const MOST_REMEMBERED = 10_000;

/**
 * Answers "this dashboard's viewers go to relays", per dashboard, until they go stale, with
 * how many viewers have been sent on since: the first goes to the relay the dashboard named,
 * the next ones to the others in turn.
 */
const remembered = new Map<string, { route: RelayRoute; until: number; sent: number }>();

/**
 * Connects a viewer's upgrade (its query already checked) to where it is served: the
 * dashboard's own object for a small audience, as always; one of its relays for a large one.
 * The dashboard says which (it knows its audience) when asked; a Worker remembers a "relays"
 * answer for `RELAY_ROUTE_CACHE_MS`, so a crowd joining at once costs the dashboard a request
 * per isolate and interval, not one per viewer. A private dashboard's view key is checked
 * before a relay sees the socket: by the dashboard when it answered, else here, against the
 * hash it gave.
 */
export async function connectViewer(env: Env, id: string, request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  // Only the Worker says these.
  for (const name of [RELAY_DASHBOARD_HEADER, RELAY_INDEX_HEADER, RELAY_ROUTING_HEADER]) headers.delete(name);
  const known = remembered.get(id);
  if (known && known.until > Date.now()) {
    await checkViewKey(known.route, headers);
    return toRelay(env, id, (known.route.emptiest + known.sent++) % known.route.relays, request, headers);
  }
  remembered.delete(id);
  const routing = new Headers(headers);
  routing.set(RELAY_ROUTING_HEADER, "1");
  const answer = await (env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>).fetch(new Request(request, { headers: routing }));
  if (!answer.headers.has(RELAY_ROUTE_HEADER)) return answer;
  const route = await answer.json<RelayRoute>();
  const cacheMs = dashboardSettings(env).relayRouteCacheMs;
  if (cacheMs > 0) {
    if (remembered.size >= MOST_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(id, { route, until: Date.now() + cacheMs, sent: 1 });
  }
  return toRelay(env, id, route.emptiest, request, headers);
}

function toRelay(env: Env, id: string, index: number, request: Request, headers: Headers): Promise<Response> {
  headers.set(RELAY_DASHBOARD_HEADER, id);
  headers.set(RELAY_INDEX_HEADER, String(index));
  return env.RELAY.getByName(relayName({ dashboard: id, index })).fetch(new Request(request, { headers }));
}

async function checkViewKey(route: RelayRoute, headers: Headers): Promise<void> {
  if (route.viewKeyHash === null) return;
  const key = viewKeyFromProtocols(offeredProtocols(headers.get("Sec-WebSocket-Protocol")));
  const verdict = viewVerdict({ viewKeyHash: route.viewKeyHash, tokenHash: "" }, key === undefined ? {} : { viewKeyHash: await sha256Hex(key) });
  if (verdict === "allowed") return;
  const { code, message } = viewError(verdict);
  throw new ApiError(verdict === "view_key_required" ? 401 : 403, code, message);
}
