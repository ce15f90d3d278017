import { SELF } from "cloudflare:test";
import { DEV_ADMIN_TOKEN } from "../../src/worker/auth";

/** Local base URL: a loopback host, as under `wrangler dev`. */
export const BASE = "http://localhost";

let counter = 0;
/** A dashboard id no other test uses. */
export function uniqueId(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** Creates a dashboard with the local admin token and returns its id and ingest token. */
export async function createDashboard(id = uniqueId()): Promise<{ id: string; token: string }> {
  const response = await SELF.fetch(`${BASE}/api/dashboards`, {
    method: "POST",
    headers: { Authorization: `Bearer ${DEV_ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id, title: `Test ${id}` }),
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  const body = await response.json<{ ingestToken: string }>();
  return { id, token: body.ingestToken };
}

/** Posts a JSON body to a dashboard's ingest route. */
export function postMetrics(id: string, token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/api/dashboards/${id}/metrics`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
