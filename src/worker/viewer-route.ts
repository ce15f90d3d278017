import type { Dashboard } from "../dashboard/dashboard-object";
import { dashboardSettings } from "../dashboard/dashboard-settings";
import { constantTimeEqual, sha256Hex } from "../dashboard/secrets";
import { admitReader, offeredProtocols, viewKeyFromProtocols } from "../dashboard/view-access";
import { viewError } from "../dashboard/view-error";
import { RELAY_ROUTE_HEADER, RELAY_ROUTING_HEADER, RELAY_VIEWER_TOKEN_HEADER, relayName, type RelayRoute } from "../relay/relay-contract";
import { ApiError } from "./errors";

/** Most dashboards whose routing answer one Worker isolate remembers. */
const MOST_REMEMBERED = 10_000;

/**
 * Answers "this dashboard's viewers go to relays", per dashboard, with how many viewers have
 * been sent on since: the first goes to the relay the dashboard named, the next ones to the
 * others in turn. An answer is fresh for `RELAY_ROUTE_CACHE_MS`; a stale one is still used
 * while one viewer's upgrade asks again.
 */
const remembered = new Map<string, { route: RelayRoute; until: number; sent: number }>();
/** Questions to a dashboard under way: viewers arriving meanwhile wait for the answer. */
const asking = new Map<string, Promise<RelayRoute | null>>();

/**
 * Connects a viewer's upgrade (its query already checked) to where it is served: the
 * dashboard's own object for a small audience, as always; one of its relays for a large one.
 * The dashboard says which (it knows its audience) when asked, with the viewer's own upgrade
 * (served at once when it is small). A Worker remembers a "relays" answer, and a crowd
 * arriving together waits for one question, so a crowd joining costs the dashboard a few
 * requests per isolate and interval, not one per viewer. A private dashboard's view key is
 * checked before a relay sees the socket: by the dashboard when it answered, else here,
 * against the hash it gave.
 */
export async function connectViewer(env: Env, id: string, request: Request): Promise<Response> {
  const known = remembered.get(id);
  if (known && (known.until > Date.now() || asking.has(id))) return toRememberedRelay(env, id, known, request);
  const pending = known ? undefined : asking.get(id);
  if (pending) {
    const route = await pending;
    const now = remembered.get(id);
    if (route && now) return toRememberedRelay(env, id, now, request);
  }
  let answered: (route: RelayRoute | null) => void = () => {};
  const cacheMs = dashboardSettings(env).relayRouteCacheMs;
  if (cacheMs > 0) asking.set(id, new Promise((resolve) => (answered = resolve)));
  let route: RelayRoute | null = null;
  try {
    // The dashboard answers with a route only when asked (only the Worker asks).
    const routing = new Headers(request.headers);
    routing.set(RELAY_ROUTING_HEADER, "1");
    const answer = await (env.DASHBOARD.getByName(id) as DurableObjectStub<Dashboard>).fetch(new Request(request, { headers: routing }));
    if (!answer.headers.has(RELAY_ROUTE_HEADER)) {
      remembered.delete(id);
      return answer;
    }
    route = await answer.json<RelayRoute>();
    if (cacheMs > 0) {
      if (remembered.size >= MOST_REMEMBERED) remembered.delete(remembered.keys().next().value!);
      remembered.set(id, { route, until: Date.now() + cacheMs, sent: 1 });
    }
    return toRelay(env, id, route.emptiest, request, await checkViewKey(route, request.headers));
  } finally {
    asking.delete(id);
    answered(route);
  }
}

/**
 * Sends a viewer to a relay by a remembered answer: the emptiest relay until its room is
 * taken, then new relays, each filled in turn (the dashboard's counts lag a crowd).
 */
async function toRememberedRelay(env: Env, id: string, known: { route: RelayRoute; sent: number }, request: Request): Promise<Response> {
  const token = await checkViewKey(known.route, request.headers);
  const { route } = known;
  const sent = known.sent++;
  const index = sent < route.room ? route.emptiest : Math.max(route.relays, route.emptiest + 1) + Math.floor((sent - route.room) / route.viewersPerRelay);
  return toRelay(env, id, index, request, token);
}

/**
 * Hands the upgrade to a relay as it came (the relay knows itself by its name), with the id
 * of the token that let the viewer into a private dashboard, and never one a client sent.
 */
function toRelay(env: Env, id: string, index: number, request: Request, token: string | null): Promise<Response> {
  const relay = env.RELAY.getByName(relayName({ dashboard: id, index }));
  if (token === null && !request.headers.has(RELAY_VIEWER_TOKEN_HEADER)) return relay.fetch(request);
  const headers = new Headers(request.headers);
  if (token === null) headers.delete(RELAY_VIEWER_TOKEN_HEADER);
  else headers.set(RELAY_VIEWER_TOKEN_HEADER, token);
  return relay.fetch(new Request(request, { headers }));
}

/** Forgets the routing answer for dashboard `id` (its tokens changed): the next viewer asks the dashboard again. */
export function forgetRoute(id: string): void {
  remembered.delete(id);
}

/** Checks a private dashboard's viewer against the route's tokens; the id of the token that let it in (null: a public dashboard). */
async function checkViewKey(route: RelayRoute, headers: Headers): Promise<string | null> {
  if (route.readers === null) return null;
  const readers = route.readers;
  const key = viewKeyFromProtocols(offeredProtocols(headers.get("Sec-WebSocket-Protocol")));
  const admission = admitReader(true, key === undefined ? {} : { viewKeyHash: await sha256Hex(key) }, (hash) => {
    let found: { id: string } | null = null;
    for (const reader of readers) if (constantTimeEqual(reader.hash, hash)) found = reader;
    return found;
  });
  if (admission.verdict === "allowed") return admission.token;
  const { code, message } = viewError(admission.verdict);
  throw new ApiError(admission.verdict === "view_key_required" ? 401 : 403, code, message);
}
