/** Reads a dashboard's description over HTTP before the page opens its socket. */
import type { DashboardInfo } from "../../common/dashboard-info.ts";
import { ErrorCode, type ErrorBody } from "../../common/http-contract.ts";
import { viewKeyHeaders } from "./view-key.ts";

/** The outcomes the page shows differently. */
export type DashboardLookup =
  | { kind: "found"; dashboard: DashboardInfo }
  | { kind: "not-found" }
  /** The dashboard is private and no view key was presented (401 `view_key_required`). */
  | { kind: "private" }
  /** The view key presented is not this dashboard's (403 `invalid_view_key`). */
  | { kind: "wrong-key" }
  | { kind: "failed"; message: string };

/** Fetches `/api/dashboards/<id>`, presenting `viewKey` when there is one; never throws. */
export async function lookUpDashboard(id: string, viewKey?: string): Promise<DashboardLookup> {
  let response: Response;
  try {
    response = await fetch(`/api/dashboards/${encodeURIComponent(id)}`, {
      headers: { accept: "application/json", ...viewKeyHeaders(viewKey) },
    });
  } catch (error) {
    return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
  if (response.status === 404) return { kind: "not-found" };
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as Partial<ErrorBody> | undefined)?.error;
    if (error?.code === ErrorCode.viewKeyRequired) return { kind: "private" };
    if (error?.code === ErrorCode.invalidViewKey) return { kind: "wrong-key" };
    const message = error?.message;
    return { kind: "failed", message: typeof message === "string" ? message : `HTTP ${response.status}` };
  }
  return { kind: "found", dashboard: body as DashboardInfo };
}

/** What a refused request's JSON body (`{error: {message}}`, see ErrorBody) says, else its status. */
export function refusalText(body: unknown, status: number): string {
  const message = (body as Partial<ErrorBody> | undefined)?.error?.message;
  return typeof message === "string" ? message : `the server answered HTTP ${status}`;
}

/** {@link refusalText} of a refused response, its body read here. */
export async function refusalOf(response: Response): Promise<string> {
  return refusalText(await response.json().catch(() => undefined), response.status);
}

/**
 * Sends `DELETE /api/dashboards/<id>` with `token`: `undefined` once the dashboard is gone
 * (deleted now, or already gone, deleted from another page: what was asked), else the
 * refusal's response. Network failures throw, as `send` does.
 */
export async function deleteDashboard(id: string, token: string, send: typeof fetch): Promise<Response | undefined> {
  const response = await send(`/api/dashboards/${encodeURIComponent(id)}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
  return response.ok || response.status === 404 ? undefined : response;
}
