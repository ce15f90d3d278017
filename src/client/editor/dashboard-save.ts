/** `PUT /api/dashboards/:id` from the page, with its answers sorted by what the editor shows. */
import type { DashboardUpdate, Panel } from "../../common/dashboard-config.ts";
import type { ErrorBody } from "../../common/http-contract.ts";
import { tokenVerdict, type TokenVerdict } from "./token-check.ts";
import type { Variable } from "../../common/template-variables.ts";

/** What a save came to. */
export type SaveResult =
  | { kind: "saved"; title: string; panels: Panel[]; variables: Variable[] }
  /** 401 or 403: the token is missing, not this dashboard's (revoked, say), or of a scope that may not edit. */
  | { kind: "refused"; message: string; reason: TokenVerdict["kind"] }
  /** 400: `field` is the body path the server blames, e.g. `panels.0.type`. */
  | { kind: "invalid"; message: string; field: string | undefined }
  | { kind: "failed"; message: string };

/** Sends `update` (already checked with the shared schema) with `token`. */
export async function saveDashboard(dashboardId: string, token: string, update: DashboardUpdate): Promise<SaveResult> {
  let response: Response;
  try {
    response = await fetch(`/api/dashboards/${encodeURIComponent(dashboardId)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(update),
    });
  } catch (error) {
    return { kind: "failed", message: `Could not reach the server: ${String(error)}` };
  }
  const body = (await response.json().catch(() => ({}))) as Partial<ErrorBody> & { title?: string; panels?: Panel[]; variables?: Variable[] };
  // The answer leaves `variables` out when there are none.
  if (response.ok) return { kind: "saved", title: body.title ?? update.title ?? "", panels: body.panels ?? update.panels ?? [], variables: body.variables ?? [] };
  const message = body.error?.message ?? `HTTP ${response.status}`;
  if (response.status === 401 || response.status === 403) {
    const verdict = tokenVerdict(response.status, body);
    return { kind: "refused", message: verdict.kind === "accepted" ? message : verdict.message, reason: verdict.kind };
  }
  if (response.status === 400) return { kind: "invalid", message, field: body.error?.field };
  return { kind: "failed", message };
}
