import { Hono } from "hono";
import { readAccess } from "./auth";
import { parseDashboardId } from "./dashboard-id";
import type { AppEnv } from "./hono-env";
import { notFound, viewRefused } from "./route-helpers";

/**
 * A dashboard's definition (`src/common/dashboard-definition.ts`): its title, panels and
 * privacy, which `POST /api/dashboards` takes back as `{"definition": …}`. It holds no data
 * and no secret, and nothing `GET /api/dashboards/:id` does not already show, so whoever may
 * read the dashboard may export it: anyone for a public one, a holder of one of its tokens
 * (or the admin) for a private one.
 */
export const definitionRoutes = new Hono<AppEnv>();

definitionRoutes.get("/api/dashboards/:id/definition", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const outcome = await c.env.DASHBOARD.getByName(id).definition(await readAccess(c));
  if (outcome.status === "not_found") throw notFound(id);
  if (outcome.status !== "ok") throw viewRefused(outcome.status);
  return c.json(outcome.definition);
});
