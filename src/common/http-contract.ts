/**
 * The HTTP API as both the Worker and the page speak it: the id rule, header and subprotocol
 * names, the error body and the error codes a client acts on, and the answer to creating a
 * dashboard. The README's "HTTP API" section documents each; the WebSocket messages are in
 * `protocol.ts`.
 */

import { splitPatterns } from "./series-pattern.ts";

/** Dashboard ids: 1-64 characters of `a-z 0-9 - _`, starting with a letter or digit. */
export const DASHBOARD_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** {@link DASHBOARD_ID_PATTERN} in words, for error messages. */
export const DASHBOARD_ID_RULE = "1-64 characters of a-z 0-9 - _, starting with a letter or digit";

export function isDashboardId(value: string): boolean {
  return DASHBOARD_ID_PATTERN.test(value);
}

/** The header that presents a private dashboard's view key on HTTP reads. */
export const VIEW_KEY_HEADER = "X-Pulseboard-View-Key";
/** The header naming the dashboard on `POST /v1/metrics` (OTLP with the server as the exporter's base URL). */
export const OTLP_DASHBOARD_HEADER = "X-Pulseboard-Dashboard";
/** The subprotocol of the viewer WebSocket; the server selects it when offered. */
export const VIEWER_PROTOCOL = "pulseboard";
/**
 * Browsers cannot set headers on a WebSocket, so a viewer offers a private dashboard's key as
 * the subprotocol `pulseboard.view-key.<key>`, beside {@link VIEWER_PROTOCOL}.
 */
export const VIEW_KEY_PROTOCOL_PREFIX = "pulseboard.view-key.";

/** The patterns of a viewer's `?series=a,b*` (none: every series), split as `splitPatterns` does. */
export function viewerSeries(query: URLSearchParams): string[] {
  const raw = query.get("series");
  const series = raw === null ? undefined : splitPatterns(raw);
  return series === undefined ? ["*"] : series;
}

/** The body of every HTTP error: what went wrong, and where when one field is to blame. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; [detail: string]: unknown };
}

/** Error codes a client tells apart (the README lists every code). */
export const ErrorCode = {
  /** No token was sent where one is required (401). */
  missingToken: "missing_token",
  /** The token sent is not this dashboard's, or not the admin's (403; 401 on the InfluxDB routes). */
  invalidToken: "invalid_token",
  /** Admin routes on a deployment with no `ADMIN_TOKEN` set (403). */
  adminNotConfigured: "admin_not_configured",
  /** A private dashboard read without its view key (401). */
  viewKeyRequired: "view_key_required",
  /** A private dashboard read with a wrong view key (403). */
  invalidViewKey: "invalid_view_key",
  /** `POST /api/dashboards` with an id that is taken (409). */
  dashboardExists: "dashboard_exists",
  /** No dashboard with that id (404). */
  dashboardNotFound: "dashboard_not_found",
  /** The token is the dashboard's, but its scope does not allow the request; `required` names the scope needed (403). */
  insufficientScope: "insufficient_scope",
} as const;

/** Error codes that mean the token field is what to fix. */
export const TOKEN_ERROR_CODES: ReadonlySet<string> = new Set([ErrorCode.missingToken, ErrorCode.invalidToken, ErrorCode.adminNotConfigured, ErrorCode.insufficientScope]);

/** The 201 body of `POST /api/dashboards`. */
export interface CreatedDashboard {
  /** Dashboard id. */
  id: string;
  /** Title (the id when none was given). */
  title: string;
  /** Bearer token for sending metrics; the server keeps only its hash. */
  ingestToken: string;
  /** Private dashboards only: the key that reads it, also kept only as a hash. */
  viewKey?: string;
  /** Where to find it; `dashboard` carries the view key in its fragment when private. */
  urls: { dashboard: string; metrics: string; ws: string };
}
