import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { IngestAnswer } from "../dashboard/ingest-contract";
import { OtlpDecodeError, type OtlpRequest } from "../ingest/otlp-model";
import { decodeOtlpJson } from "../ingest/otlp-json";
import { otlpSeriesPoints } from "../ingest/otlp-points";
import { decodeOtlpProtobuf, encodeExportResponse, encodeStatus } from "../ingest/otlp-protobuf";
import { OTLP_DASHBOARD_HEADER } from "../common/http-contract";
import { limits } from "../common/limits";
import { writeCredential } from "./auth";
import { parseDashboardId } from "./dashboard-id";
import type { DecodedBody } from "./decode-body";
import { ApiError, safeHeaders } from "./errors";
import type { AppContext, AppEnv } from "./hono-env";
import { ingest } from "./ingest-handler";
import { readBodyBytes, readBodyText } from "./request-body";
import { writeRefusedError } from "./write-authorization";

/**
 * OpenTelemetry metrics over OTLP/HTTP, so an OpenTelemetry SDK or Collector can write
 * unchanged. Exporters post to `<base>/v1/metrics`: with the base
 * `/api/dashboards/<id>/otlp` the dashboard is in the path; `POST /v1/metrics` (base: the
 * server itself) takes it from the `X-Pulseboard-Dashboard` header. The token is the
 * dashboard's ingest token, `Authorization: Bearer <token>`.
 *
 * Both encodings the spec defines, `application/x-protobuf` and `application/json`, optionally
 * gzipped, are read, and answered in the request's own: 200 with an
 * `ExportMetricsServiceResponse`, carrying `partial_success` (how many data points were
 * rejected, and why) when some were; errors as a `google.rpc.Status` with the HTTP status the
 * spec gives them. Exporters retry only 429, 502, 503 and 504 (with `Retry-After`); every other
 * failure drops the batch, so nothing the server can still store is answered with one: a bad
 * point is a rejected point, never a failed request. What the points become: `otlp-points.ts`.
 */
type Encoding = "protobuf" | "json";

const ENCODINGS: Record<string, Encoding> = { "application/x-protobuf": "protobuf", "application/json": "json" };
const MEDIA_TYPES: Record<Encoding, string> = { protobuf: "application/x-protobuf", json: "application/json" };

/** `google.rpc.Code` of each status this route answers with. */
const STATUS_CODES: Partial<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  422: 9, // FAILED_PRECONDITION
  429: 8, // RESOURCE_EXHAUSTED
};

/** Rejected data points named in `partial_success.error_message`; the rest are counted. */
const NAMED_REJECTIONS = 5;

function encodingOf(contentType: string | undefined): Encoding | null {
  const type = contentType?.split(";")[0]!.trim().toLowerCase();
  return (type && ENCODINGS[type]) || null;
}

/** Reads and decodes an OTLP body; 400 when it is not an `ExportMetricsServiceRequest`. */
async function decodeOtlp(request: Request, now: number, encoding: Encoding): Promise<DecodedBody> {
  let body: string | Uint8Array;
  let decoded: OtlpRequest;
  try {
    if (encoding === "json") decoded = decodeOtlpJson((body = await readBodyText(request, limits.maxBodyBytes)));
    else decoded = decodeOtlpProtobuf((body = await readBodyBytes(request, limits.maxBodyBytes)));
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw new ApiError(400, "invalid_otlp", err.message);
    throw err;
  }
  const batch = otlpSeriesPoints(decoded, now);
  const size = Math.max(batch.total, batch.points);
  if (size > limits.maxPointsPerRequest) {
    throw new ApiError(413, "too_many_points", `a request may carry at most ${limits.maxPointsPerRequest} points, histograms counted expanded; this one has ${size}`, {
      limit: limits.maxPointsPerRequest,
    });
  }
  return { unit: "index", series: batch.series, rejected: batch.rejected, total: batch.total, hashed: body };
}

/** The 200 answer: an `ExportMetricsServiceResponse`, with `partial_success` when points were rejected. */
function exportResponse(c: AppContext, encoding: Encoding, partial: { rejectedDataPoints: number; errorMessage: string } | null): Response {
  c.header("Content-Type", MEDIA_TYPES[encoding]);
  if (encoding === "protobuf") return c.body(encodeExportResponse(partial), 200);
  // int64 is a decimal string in the protobuf JSON mapping.
  const json = partial === null ? {} : { partialSuccess: { rejectedDataPoints: String(partial.rejectedDataPoints), errorMessage: partial.errorMessage } };
  return c.body(JSON.stringify(json), 200);
}

/** An error as a `google.rpc.Status` in the request's encoding, with the error's status and headers. */
function statusResponse(c: AppContext, encoding: Encoding, err: ApiError): Response {
  const code = STATUS_CODES[err.status] ?? 13; // INTERNAL
  const headers = { ...safeHeaders(err.headers), "Content-Type": MEDIA_TYPES[encoding] };
  if (encoding === "protobuf") return c.body(encodeStatus(code, err.message), err.status as ContentfulStatusCode, headers);
  return c.body(JSON.stringify({ code, message: err.message }), err.status as ContentfulStatusCode, headers);
}

/** Turns a dashboard's answer into OTLP's: 200 (with `partial_success` when some were rejected), or the error. */
function otlpAnswer(c: AppContext, id: string, encoding: Encoding, answer: IngestAnswer): Response {
  switch (answer.status) {
    case "not_found":
    case "forbidden":
      throw writeRefusedError(id, answer);
    case "rate_limited":
      if (answer.cause === "wrong_tokens") throw writeRefusedError(id, { ...answer, cause: answer.cause });
      throw new ApiError(429, "rate_limited", `dashboard "${id}" is over its ingest rate; retry in ${answer.retryAfterSeconds} s`, {}, { "Retry-After": String(answer.retryAfterSeconds) });
    case "idempotency_mismatch":
      throw new ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used in the last 10 minutes with a different body");
    case "stored": {
      if (answer.replayed) c.header("Idempotency-Replayed", "true");
      if (answer.rejected.length === 0) return exportResponse(c, encoding, null);
      // A data point may be named more than once (the series cap refuses each series it makes).
      const byPoint = new Map<number, string>();
      for (const { index, line, message } of answer.rejected) {
        const item = index ?? line!;
        if (!byPoint.has(item)) byPoint.set(item, message);
      }
      const named = [...byPoint].slice(0, NAMED_REJECTIONS).map(([item, message]) => `data point ${item}: ${message}`);
      const more = byPoint.size > NAMED_REJECTIONS ? `; and ${byPoint.size - NAMED_REJECTIONS} more` : "";
      const errorMessage = `${byPoint.size} of ${answer.total} data points rejected (${answer.accepted} points stored): ${named.join("; ")}${more}`;
      return exportResponse(c, encoding, { rejectedDataPoints: byPoint.size, errorMessage });
    }
  }
}

/** `POST .../v1/metrics` for dashboard `rawId` (from the path or the header). */
async function writeMetrics(c: AppContext, rawId: string | undefined): Promise<Response> {
  const encoding = encodingOf(c.req.header("Content-Type"));
  try {
    if (rawId === undefined || rawId === "") {
      throw new ApiError(400, "invalid_header", `name the dashboard in the ${OTLP_DASHBOARD_HEADER} header, or post to /api/dashboards/<id>/otlp/v1/metrics`, {
        field: OTLP_DASHBOARD_HEADER,
      });
    }
    const id = parseDashboardId(rawId);
    const credential = await writeCredential(c);
    if (encoding === null) {
      const type = c.req.header("Content-Type")?.split(";")[0]!.trim() || "no Content-Type";
      throw new ApiError(415, "unsupported_content_type", `send OTLP as application/x-protobuf or application/json (got ${type})`);
    }
    return otlpAnswer(c, id, encoding, await ingest(c, id, credential, (request, now) => decodeOtlp(request, now, encoding)));
  } catch (err) {
    if (err instanceof ApiError) return statusResponse(c, encoding ?? "json", err);
    throw err;
  }
}

export const otlpRoutes = new Hono<AppEnv>();
otlpRoutes.post("/api/dashboards/:id/otlp/v1/metrics", (c) => writeMetrics(c, c.req.param("id")));
otlpRoutes.post("/v1/metrics", (c) => writeMetrics(c, c.req.header(OTLP_DASHBOARD_HEADER)));
