import { Hono } from "hono";
import { z } from "zod";
import { limits } from "../common/limits";
import { pointSchema } from "../ingest/point-schema";
import { readAccess, writeCredential } from "./auth";
import { parseDashboardId } from "./dashboard-id";
import { ApiError } from "./errors";
import { parseTime } from "./history-params";
import type { AppEnv } from "./hono-env";
import { notFound, readJson, viewRefused } from "./route-helpers";
import { authorizeWrite, writeRefusedError } from "./write-authorization";

/**
 * Annotations: points in time with a text ("deploy 1.4", "boiler serviced"), written with a
 * `write` or `edit` token of the dashboard (or the admin token), read by whoever may view the dashboard, and
 * sent live to its viewers (`annotations` message) as they are added and removed.
 */

/** One annotation as written: `{"text": "deploy 1.4", "ts": 1764115200000, "tags": {"service": "api"}}`. */
const annotationSchema = z.strictObject({
  text: z
    .string({ error: "text must be a string" })
    .trim()
    .min(1, "text must not be empty")
    .max(limits.maxAnnotationText, `text is at most ${limits.maxAnnotationText} characters`),
  ts: pointSchema.shape.ts,
  tags: pointSchema.shape.tags,
});

/** A body: one annotation, or an array of them. */
const bodySchema = z.union([
  annotationSchema,
  z
    .array(annotationSchema, { error: "send an annotation object or an array of them" })
    .min(1, "send at least one annotation")
    .max(limits.maxAnnotationsPerRequest, `at most ${limits.maxAnnotationsPerRequest} annotations per request`),
]);

export const annotationRoutes = new Hono<AppEnv>();

annotationRoutes.post("/api/dashboards/:id/annotations", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const credential = await writeCredential(c);
  const stub = c.env.DASHBOARD.getByName(id);
  const refusal = await authorizeWrite(stub, id, credential);
  if (refusal) throw writeRefusedError(id, refusal);
  const parsed = bodySchema.safeParse(await readJson(c.req.raw, 256 * 1024));
  if (!parsed.success) {
    // The union reports the array's issue for an array body and the object's otherwise.
    const issue = parsed.error.issues[0]!;
    const deepest = issue.code === "invalid_union" ? (issue.errors.find((errors) => errors.length > 0)?.[0] ?? issue) : issue;
    const path = [...issue.path, ...(deepest === issue ? [] : deepest.path)].map(String).join(".");
    throw new ApiError(400, "invalid_body", deepest.message, path ? { field: path } : {});
  }
  const now = Date.now();
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const inputs = list.map((annotation, index) => {
    const ts = annotation.ts === undefined ? now : typeof annotation.ts === "string" ? Date.parse(annotation.ts) : annotation.ts;
    const field = Array.isArray(parsed.data) ? `${index}.ts` : "ts";
    if (ts > now + limits.maxFutureMs) throw new ApiError(400, "invalid_body", `ts is more than ${limits.maxFutureMs / 60_000} minutes in the future`, { field });
    return { ts, text: annotation.text, tags: annotation.tags ?? {} };
  });
  const outcome = await stub.annotate(credential, inputs);
  switch (outcome.status) {
    case "not_found":
      throw notFound(id);
    case "forbidden":
      throw writeRefusedError(id, outcome);
    case "full":
      throw new ApiError(
        422,
        "annotations_full",
        `dashboard "${id}" keeps at most ${limits.maxAnnotationsPerDashboard} annotations and has room for ${outcome.room}; delete some, or wait for old ones to expire`,
        { room: outcome.room },
      );
    case "ok":
      return c.json({ annotations: outcome.added }, 201);
  }
});

annotationRoutes.get("/api/dashboards/:id/annotations", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const query = new URL(c.req.url).searchParams;
  for (const name of query.keys()) {
    if (name !== "from" && name !== "to") throw new ApiError(400, "invalid_parameter", `unknown parameter "${name}"; use from and to`, { field: name });
  }
  const to = query.has("to") ? parseTime(query.get("to")!, "to") : Date.now() + limits.maxFutureMs;
  const from = query.has("from") ? parseTime(query.get("from")!, "from") : to - 24 * 3_600_000 - limits.maxFutureMs;
  if (!(to > from)) throw new ApiError(400, "invalid_parameter", "to must be later than from", { field: "to" });
  const outcome = await c.env.DASHBOARD.getByName(id).annotationsIn(await readAccess(c), from, to);
  if (outcome.status === "not_found") throw notFound(id);
  if (outcome.status !== "ok") throw viewRefused(outcome.status);
  return c.json({ from, to, annotations: outcome.annotations, more: outcome.more });
});

annotationRoutes.delete("/api/dashboards/:id/annotations/:annotation", async (c) => {
  const id = parseDashboardId(c.req.param("id"));
  const raw = c.req.param("annotation");
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new ApiError(400, "invalid_parameter", `an annotation id is a whole number from 1, not "${raw}"`, { field: "annotation" });
  const credential = await writeCredential(c);
  const outcome = await c.env.DASHBOARD.getByName(id).unannotate(credential, Number(raw));
  switch (outcome.status) {
    case "not_found":
      throw notFound(id);
    case "forbidden":
      throw writeRefusedError(id, outcome);
    case "no_annotation":
      throw new ApiError(404, "annotation_not_found", `dashboard "${id}" has no annotation ${raw}`, { field: "annotation" });
    case "ok":
      return c.body(null, 204);
  }
});
