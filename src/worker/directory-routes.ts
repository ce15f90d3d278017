import { Hono } from "hono";
import { limits } from "../common/limits";
import { isDashboardId } from "../common/http-contract";
import type { DirectoryListing } from "../common/directory-listing";
import { directoryPage, type PageQuery } from "../directory/directory-page";
import { requireAdmin, writeCredential } from "./auth";
import { parseDashboardId } from "./dashboard-id";
import { ApiError } from "./errors";
import type { AppEnv } from "./hono-env";
import { forgetRoute } from "./viewer-route";
import { forgetConfirmed, writeRefusedError } from "./write-authorization";

/**
 * The directory of dashboards and deleting one: `GET /api/dashboards` lists every dashboard
 * with live facts, a page at a time, for the admin only, and `DELETE /api/dashboards/:id`
 * removes a dashboard with all its data, for the admin or the dashboard's `edit` token.
 */
export const directoryRoutes = new Hono<AppEnv>();

directoryRoutes.get("/api/dashboards", async (c) => {
  await requireAdmin(c);
  const page = await directoryPage(c.env, pageQuery(new URL(c.req.url).searchParams));
  return c.json({ dashboards: page.dashboards, next: page.next === null ? null : cursorOf(page.next) } satisfies DirectoryListing);
});

directoryRoutes.delete("/api/dashboards/:id", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  // The admin's, or an `edit` token of this dashboard: the dashboard checks it (see `Dashboard.destroy`).
  const credential = await writeCredential(c);
  const outcome = await c.env.DASHBOARD.getByName(id).destroy(credential);
  if (outcome.status === "not_found" || outcome.status === "forbidden" || outcome.status === "rate_limited") throw writeRefusedError(id, outcome);
  if (outcome.status === "incomplete") {
    throw new ApiError(503, "delete_incomplete", `some of dashboard "${id}"'s relays could not be reached, so nothing of its own was deleted: send the DELETE again`, {}, { "Retry-After": "1" });
  }
  // Nothing this isolate remembers of the deleted dashboard (confirmed tokens, where its viewers go) outlives it.
  forgetConfirmed(id);
  forgetRoute(id);
  return c.body(null, 204);
});

/** `q`, `limit` and `cursor` of a listing, checked; 400 naming the culprit. */
function pageQuery(params: URLSearchParams): PageQuery {
  const q = params.get("q");
  if (q !== null && q.length > limits.maxDirectorySearch) throw invalid("q", `q is at most ${limits.maxDirectorySearch} characters`);
  const limit = pageSize(params.get("limit"));
  const cursor = params.get("cursor");
  return { after: cursor === null ? "" : afterOf(cursor), search: q === null || q === "" ? null : q, limit };
}

/** `limit`: a whole number from 1 to the most a page holds, by default {@link limits.defaultDirectoryPage}. */
function pageSize(raw: string | null): number {
  if (raw === null) return limits.defaultDirectoryPage;
  const size = /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
  if (size < 1 || size > limits.maxDirectoryPage) throw invalid("limit", `limit is a whole number from 1 to ${limits.maxDirectoryPage}`);
  return size;
}

/**
 * The cursor of the page after dashboard `id`: opaque to clients (base64url), so what it
 * holds may change without breaking them.
 */
function cursorOf(id: string): string {
  return btoa(id).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The id a cursor from {@link cursorOf} names; 400 for anything else. */
function afterOf(cursor: string): string {
  let id: string;
  try {
    id = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw invalid("cursor", "cursor is not one this server gave");
  }
  if (!isDashboardId(id)) throw invalid("cursor", "cursor is not one this server gave");
  return id;
}

function invalid(field: string, message: string): ApiError {
  return new ApiError(400, "invalid_parameter", message, { field });
}
