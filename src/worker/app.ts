import { Hono } from "hono";
import { z } from "zod";
import type { Dashboard } from "../dashboard/dashboard-object";
import { limits } from "../common/limits";
import { readAccess, requireAdmin, writeCredential } from "./auth";
import { dashboardIdSchema, newDashboardId, parseDashboardId } from "./dashboard-id";
import { ApiError, errorResponse } from "./errors";
import { bodyFormat, decodeBody } from "./decode-body";
import { dashboardUpdateSchema } from "../common/dashboard-config";
import { parseDefinition, settingsOf, type DashboardDefinition } from "../common/dashboard-definition";
import { parseHistoryParams } from "./history-params";
import { influxRoutes } from "./influx-routes";
import { influxStatusRoutes } from "./influx-status-routes";
import { otlpRoutes } from "./otlp-routes";
import { ingestWith, nativeIngestResponse } from "./ingest-handler";
import { parsePrecision, PRECISIONS } from "./precision";
import { prometheusRoutes } from "./prometheus-routes";
import { securityHeaders } from "./security-headers";
import { newIngestToken, newViewKey, sha256Hex } from "../dashboard/secrets";
import { authorizeWrite, writeRefusedError } from "./write-authorization";
import { ErrorCode, type CreatedDashboard } from "../common/http-contract";
import type { AppEnv } from "./hono-env";
import { notFound, readJson, viewRefused } from "./route-helpers";
import { annotationRoutes } from "./annotation-routes";
import { checkViewerParams } from "./viewer-params";
import { connectViewer } from "./viewer-route";
import { tokenRoutes } from "./token-routes";
import { definitionRoutes } from "./definition-routes";
import { directoryRoutes } from "./directory-routes";


/** Body of `POST /api/dashboards`; `private` and `title` override a definition's. */
const createDashboardSchema = z.strictObject({
  id: dashboardIdSchema.optional(),
  private: z.boolean({ error: "private must be true or false" }).optional(),
  title: z.string().trim().min(1, "title must not be empty").max(limits.maxTitleLength, `title is at most ${limits.maxTitleLength} characters`).optional(),
  /** A dashboard's definition (`GET /api/dashboards/:id/definition`) to make this one from; read by `parseDefinition`. */
  definition: z.unknown().optional(),
});

/** The definition a dashboard is made from, or a 400 naming the field at fault inside `definition`. */
function importedDefinition(input: unknown): DashboardDefinition {
  const outcome = parseDefinition(input);
  if (outcome.ok) return outcome.definition;
  const { code, message, path } = outcome.problem;
  throw new ApiError(400, code, message, { field: path === "" ? "definition" : `definition.${path}` });
}

function dashboard(env: Env, id: string): DurableObjectStub<Dashboard> {
  return env.DASHBOARD.getByName(id);
}


export const app = new Hono<AppEnv>();

// First, so that it wraps every route, error and not-found answer.
app.use(securityHeaders);
app.onError(errorResponse);
app.notFound((c) => errorResponse(new ApiError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), c));

app.get("/healthz", (c) => c.json({ ok: true, time: Date.now() }));
app.route("/", influxRoutes);
app.route("/", annotationRoutes);
app.route("/", influxStatusRoutes);
app.route("/", otlpRoutes);
app.route("/", prometheusRoutes);
app.route("/", tokenRoutes);
app.route("/", definitionRoutes);
app.route("/", directoryRoutes);

app.get("/d/:id", async (c) => {
  parseDashboardId(c.req.param("id"));
  // Assets serve public/dashboard.html at /dashboard (default html_handling).
  return c.env.ASSETS.fetch(new URL("/dashboard", c.req.url));
});

app.post("/api/dashboards", async (c) => {
  await requireAdmin(c);
  const input = createDashboardSchema.safeParse(await readJson(c.req.raw, limits.maxSettingsBodyBytes));
  if (!input.success) {
    const issue = input.error.issues[0]!;
    throw new ApiError(400, "invalid_body", issue.message, { field: issue.path.map(String).join(".") || undefined });
  }
  const definition = input.data.definition === undefined ? null : importedDefinition(input.data.definition);
  const id = input.data.id ?? newDashboardId();
  const title = input.data.title ?? definition?.title ?? id;
  const ingestToken = newIngestToken();
  const viewKey = (input.data.private ?? definition?.private) ? newViewKey() : null;
  const created = await dashboard(c.env, id).create({
    id,
    title,
    tokenHash: await sha256Hex(ingestToken),
    viewKeyHash: viewKey === null ? null : await sha256Hex(viewKey),
    now: Date.now(),
    ...(definition === null ? {} : { settings: settingsOf(definition) }),
  });
  if (!created) throw new ApiError(409, ErrorCode.dashboardExists, `dashboard "${id}" already exists`, { field: "id" });
  // Created first, then listed: when listing fails, the dashboard is listed after its next request.
  await dashboard(c.env, id).enlist().catch(() => false);
  const origin = new URL(c.req.url).origin;
  return c.json(
    {
      id,
      title,
      ingestToken,
      ...(viewKey === null ? {} : { viewKey }),
      urls: {
        // The key rides in the fragment, which browsers never send to the server.
        dashboard: viewKey === null ? `${origin}/d/${id}` : `${origin}/d/${id}#key=${viewKey}`,
        metrics: `${origin}/api/dashboards/${id}/metrics`,
        ws: `${origin.replace(/^http/, "ws")}/api/dashboards/${id}/ws`,
      },
    } satisfies CreatedDashboard,
    201,
  );
});

app.get("/api/dashboards/:id", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const outcome = await dashboard(c.env, id).describe(await readAccess(c));
  if (outcome.status === "not_found") throw notFound(id);
  if (outcome.status !== "ok") throw viewRefused(outcome.status);
  return c.json(outcome.info);
});

app.put("/api/dashboards/:id", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const credential = await writeCredential(c);
  const stub = dashboard(c.env, id);
  // Checked before the body is read, as for ingest.
  const refusal = await authorizeWrite(stub, id, credential, Date.now(), "edit");
  if (refusal) throw writeRefusedError(id, refusal);
  const update = dashboardUpdateSchema.safeParse(await readJson(c.req.raw, limits.maxSettingsBodyBytes));
  if (!update.success) {
    const issue = update.error.issues[0]!;
    throw new ApiError(400, "invalid_body", issue.message, { field: issue.path.map(String).join(".") || undefined });
  }
  const outcome = await stub.configure(credential, update.data);
  if (outcome.status === "not_found") throw notFound(id);
  if (outcome.status === "forbidden") throw writeRefusedError(id, outcome);
  if (outcome.status === "invalid") throw new ApiError(400, "invalid_body", outcome.message, { field: outcome.field });
  await stub.enlist().catch(() => false); // the directory's copy of the title
  return c.json(outcome.config);
});

app.get("/api/dashboards/:id/series", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const params = parseHistoryParams(new URL(c.req.url).searchParams, Date.now());
  const outcome = await dashboard(c.env, id).history(await readAccess(c), params.patterns, params.from, params.to, params.step);
  if (outcome.status === "ok") return c.json(outcome.result);
  if (outcome.status === "not_found") throw notFound(id);
  if (outcome.status === "invalid") throw new ApiError(400, "invalid_parameter", outcome.message, { field: outcome.field });
  throw viewRefused(outcome.status);
});

app.get("/api/dashboards/:id/ws", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "this is a WebSocket endpoint: connect with `Upgrade: websocket`", {}, { Upgrade: "websocket" });
  }
  checkViewerParams(new URL(c.req.url).searchParams);
  return connectViewer(c.env, id, c.req.raw);
});

app.post("/api/dashboards/:id/metrics", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const credential = await writeCredential(c);
  const format = bodyFormat(c.req.header("Content-Type"));
  const precision = parsePrecision(c.req.query("precision") ?? "ns", PRECISIONS.v2);
  const { answer, body } = await ingestWith(c, id, credential, (request, now) => decodeBody(request, format, now, precision));
  return nativeIngestResponse(c, id, answer, body?.ignored);
});
