import { Hono } from "hono";
import { z } from "zod";
import type { Dashboard } from "../dashboard/dashboard-object";
import { limits } from "../shared/limits";
import { requireAdmin, writeCredential } from "./auth";
import { dashboardIdSchema, newDashboardId, parseDashboardId } from "./dashboard-id";
import { ApiError, errorResponse } from "./errors";
import { readJsonBody } from "./json-body";
import { validateBatch } from "./point-schema";
import { parseHistoryParams } from "./history-params";
import { hashToken, newIngestToken } from "./tokens";

type AppEnv = { Bindings: Env };

/** Body of `POST /api/dashboards`. */
const createDashboardSchema = z.strictObject({
  id: dashboardIdSchema.optional(),
  title: z.string().trim().min(1, "title must not be empty").max(limits.maxTitleLength, `title is at most ${limits.maxTitleLength} characters`).optional(),
});

function dashboard(env: Env, id: string): DurableObjectStub<Dashboard> {
  return env.DASHBOARD.getByName(id);
}

function notFound(id: string): ApiError {
  return new ApiError(404, "dashboard_not_found", `no dashboard "${id}"`, { field: "id" });
}

export const app = new Hono<AppEnv>();

app.onError(errorResponse);
app.notFound((c) => errorResponse(new ApiError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), c));

app.get("/healthz", (c) => c.json({ ok: true, time: Date.now() }));

app.get("/d/:id", async (c) => {
  parseDashboardId(c.req.param("id"));
  // Assets serve public/dashboard.html at /dashboard (default html_handling).
  return c.env.ASSETS.fetch(new URL("/dashboard", c.req.url));
});

app.post("/api/dashboards", async (c) => {
  requireAdmin(c);
  const input = createDashboardSchema.safeParse(await readJsonBody(c.req.raw, 16 * 1024));
  if (!input.success) {
    const issue = input.error.issues[0]!;
    throw new ApiError(400, "invalid_body", issue.message, { field: issue.path.map(String).join(".") || undefined });
  }
  const id = input.data.id ?? newDashboardId();
  const title = input.data.title ?? id;
  const ingestToken = newIngestToken();
  const created = await dashboard(c.env, id).create({ id, title, tokenHash: await hashToken(ingestToken), now: Date.now() });
  if (!created) throw new ApiError(409, "dashboard_exists", `dashboard "${id}" already exists`, { field: "id" });
  const origin = new URL(c.req.url).origin;
  return c.json(
    {
      id,
      title,
      ingestToken,
      urls: {
        dashboard: `${origin}/d/${id}`,
        metrics: `${origin}/api/dashboards/${id}/metrics`,
        ws: `${origin.replace(/^http/, "ws")}/api/dashboards/${id}/ws`,
      },
    },
    201,
  );
});

app.get("/api/dashboards/:id", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const info = await dashboard(c.env, id).describe();
  if (!info) throw notFound(id);
  return c.json(info);
});

app.get("/api/dashboards/:id/series", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const params = parseHistoryParams(new URL(c.req.url).searchParams, Date.now());
  const outcome = await dashboard(c.env, id).history(params.patterns, params.from, params.to, params.step);
  if (outcome.status === "not_found") throw notFound(id);
  if (outcome.status === "invalid") throw new ApiError(400, "invalid_parameter", outcome.message, { field: outcome.field });
  return c.json(outcome.result);
});

app.get("/api/dashboards/:id/ws", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "this is a WebSocket endpoint: connect with `Upgrade: websocket`", {}, { Upgrade: "websocket" });
  }
  return dashboard(c.env, id).fetch(c.req.raw);
});

app.post("/api/dashboards/:id/metrics", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const credential = await writeCredential(c);
  const type = c.req.header("Content-Type")?.split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(415, "unsupported_content_type", `send points as application/json (got ${type ?? "no Content-Type"})`, {
      accepted: ["application/json"],
    });
  }
  const now = Date.now();
  const batch = validateBatch(await readJsonBody(c.req.raw, limits.maxBodyBytes), now);
  const positions: number[] = [];
  let next = 0;
  for (const rejection of batch.rejected) {
    while (next < rejection.index) positions.push(next++);
    next++;
  }
  while (positions.length < batch.points.length) positions.push(next++);

  const rejected = [...batch.rejected];
  if (batch.points.length === 0) {
    throw new ApiError(400, "invalid_points", rejectedMessage(rejected.length, rejected.length), { rejected });
  }
  const result = await dashboard(c.env, id).ingest(credential, batch.points);
  if (result.status === "not_found") throw notFound(id);
  if (result.status === "forbidden") throw new ApiError(403, "invalid_token", `the token is not valid for dashboard "${id}"`);
  for (const { position, message } of result.rejected) rejected.push({ index: positions[position]!, message });
  rejected.sort((a, b) => a.index - b.index);
  const total = batch.points.length + batch.rejected.length;
  if (result.status === "rejected") {
    throw new ApiError(400, "invalid_points", rejectedMessage(rejected.length, total), { rejected });
  }
  const accepted = total - rejected.length;
  const seq = { from: result.from, to: result.to };
  if (rejected.length > 0) {
    throw new ApiError(422, "partially_rejected", rejectedMessage(rejected.length, total), { accepted, seq, rejected });
  }
  return c.json({ accepted, seq });
});

function rejectedMessage(rejected: number, total: number): string {
  if (rejected === total) return total === 1 ? "the point was rejected" : `all ${total} points were rejected; nothing was stored`;
  return `${rejected} of ${total} points were rejected; the other ${total - rejected} were stored`;
}
