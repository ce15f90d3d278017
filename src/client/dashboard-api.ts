/** Reads a dashboard's description over HTTP before the page opens its socket. */
import type { DashboardInfo } from "../shared/dashboard-info.ts";

/** The three outcomes the page shows differently. */
export type DashboardLookup =
  | { kind: "found"; dashboard: DashboardInfo }
  | { kind: "not-found" }
  | { kind: "failed"; message: string };

/** Fetches `/api/dashboards/<id>`; never throws. */
export async function lookUpDashboard(id: string): Promise<DashboardLookup> {
  let response: Response;
  try {
    response = await fetch(`/api/dashboards/${encodeURIComponent(id)}`, { headers: { accept: "application/json" } });
  } catch (error) {
    return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
  if (response.status === 404) return { kind: "not-found" };
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
    return { kind: "failed", message: typeof message === "string" ? message : `HTTP ${response.status}` };
  }
  return { kind: "found", dashboard: body as DashboardInfo };
}
