/** The HTTP API as the e2e tests call it: plain fetch, failing loudly on any unexpected status. */
import type { CreatedDashboard } from "../../src/common/http-contract.ts";

export type { CreatedDashboard };

/** The admin token every test server is started with (as `npm start` writes it to .dev.vars). */
export const devAdminToken = "dev-admin-token";

/** One point as the ingest API takes it. */
export interface PointInput {
  /** Metric name. */
  name: string;
  /** Value. */
  value: number;
  /** Time in ms since the epoch (or RFC 3339); the server's clock when absent. */
  ts?: number | string;
  /** Tags identifying the series. */
  tags?: Record<string, string>;
}

/** A dashboard id no other test uses, e.g. `live-k3x9a1`. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

async function expectJson<T>(response: Response, status: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

/** Creates a dashboard with the admin token. */
export async function createDashboard(base: string, id: string, title = id): Promise<CreatedDashboard> {
  const response = await fetch(`${base}/api/dashboards`, {
    method: "POST",
    headers: { authorization: `Bearer ${devAdminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ id, title }),
  });
  return expectJson(response, 201, `create dashboard ${id}`);
}

/** Sends points with `token` and returns the server's answer. */
export async function postMetrics(
  base: string,
  id: string,
  token: string,
  points: PointInput[],
): Promise<{ accepted: number; seq: { from: number; to: number } }> {
  const response = await fetch(`${base}/api/dashboards/${id}/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(points),
  });
  return expectJson(response, 200, `post metrics to ${id}`);
}

/** Changes a dashboard's title, panels and/or variables with `token` (`PUT /api/dashboards/:id`). */
export async function updateDashboard(
  base: string,
  id: string,
  token: string,
  update: { title?: string; panels?: unknown[]; variables?: unknown[] },
): Promise<{ id: string; title: string; panels: unknown[] }> {
  const response = await fetch(`${base}/api/dashboards/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(update),
  });
  return expectJson(response, 200, `update dashboard ${id}`);
}
