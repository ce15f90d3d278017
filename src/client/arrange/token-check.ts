/**
 * Whether a token may change a dashboard, asked before arranging starts so that a wrong one is
 * said at once rather than after the panels were moved: `GET /api/dashboards/:id/tokens` is
 * answered only for the dashboard's `edit` tokens and the admin token, and changes nothing.
 */
import { refusalOf } from "../dashboard/dashboard-api.ts";

export type TokenCheck = { kind: "accepted" } | { kind: "refused"; message: string } | { kind: "failed"; message: string };

export async function checkEditToken(dashboardId: string, token: string): Promise<TokenCheck> {
  let response: Response;
  try {
    response = await fetch(`/api/dashboards/${encodeURIComponent(dashboardId)}/tokens`, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    return { kind: "failed", message: `Could not reach the server: ${String(error)}` };
  }
  if (response.ok) return { kind: "accepted" };
  const message = await refusalOf(response);
  if (response.status === 401 || response.status === 403) return { kind: "refused", message: `That token may not change this dashboard (${message}).` };
  return { kind: "failed", message };
}
