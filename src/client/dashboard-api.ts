/** Reads a dashboard's description over HTTP before the page opens its socket. */

/** The body of `GET /api/dashboards/:id`, as far as the page uses it. */
export interface DashboardInfo {
  /** Dashboard id. */
  id: string;
  /** Human title. */
  title: string;
  /** Creation time in milliseconds since the epoch. */
  createdAt: number;
  /** Sequence number of the newest stored point. */
  seq: number;
  /** Viewers connected right now. */
  viewers: number;
  /** Every series the dashboard has, without points. */
  series: { key: string; name: string; tags: Record<string, string> }[];
}

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
