import { Hono } from "hono";
import type { Credential, IngestAnswer } from "../dashboard/ingest-contract";
import { remoteWriteCandidates, type SkippedSamples } from "../ingest/remote-write-points";
import { decodeWriteRequest, RemoteWriteError, uncompressSnappy, type WriteRequest } from "../ingest/remote-write";
import { limits } from "../common/limits";
import { ErrorCode } from "../common/http-contract";
import { basicAuthPassword, bearerToken, credentialOf } from "./auth";
import { parseDashboardId } from "./dashboard-id";
import { validateCandidates, type DecodedBody } from "./decode-body";
import { ApiError } from "./errors";
import type { AppContext, AppEnv } from "./hono-env";
import { ingestRefusedError, ingestWith } from "./ingest-handler";
import { readRawBodyBytes } from "./request-body";

/**
 * Prometheus remote write 1.0: `POST /api/v1/write?dashboard=<id>`, a snappy-compressed
 * protobuf `WriteRequest` (see src/ingest/remote-write.ts), with the dashboard's ingest token
 * as Prometheus sends it: `authorization: {credentials: <token>}` (a Bearer header) or as the
 * `basic_auth` password.
 *
 * The answers follow how Prometheus reacts to them: it retries a 5xx forever (stalling its
 * queue), drops the batch on any 4xx (on a 429 too, unless `retry_on_http_429` is set), and
 * logs the first line of a non-2xx body. So: a bad body is a 4xx, never a 5xx; samples that
 * cannot be charted (NaN, including staleness markers, infinities, native histograms) and
 * metadata are skipped, counted in the answer, and still a 2xx; samples refused by the
 * dashboard's rules (names, tags, time window, series cap) are named in a 4xx whose message
 * says how many, the others being stored, so a problem shows up in Prometheus's log.
 */

/** A remote-write body, validated: its points and rejections, and what was left out. */
export interface RemoteWriteBody extends DecodedBody {
  /** Samples that cannot be charted. */
  skipped: SkippedSamples;
  /** `MetricMetadata` entries, ignored. */
  metadata: number;
}

/** The one message a remote write may carry here: 1.0's. */
const WRITE_REQUEST = "prometheus.WriteRequest";
const CONTENT_TYPE = "application/x-protobuf";

/** Reads, decompresses, decodes and validates a remote-write body; 400 or 413 when it cannot be. */
export async function decodeRemoteWriteBody(request: Request, now: number): Promise<RemoteWriteBody> {
  const compressed = await readRawBodyBytes(request, limits.maxBodyBytes);
  let bytes: Uint8Array;
  let decoded: WriteRequest;
  try {
    bytes = uncompressSnappy(compressed, limits.maxRemoteWriteBytes);
    decoded = decodeWriteRequest(bytes, {
      maxSeries: limits.maxPointsPerRequest,
      maxSamples: limits.maxPointsPerRequest,
      // Every label of a series that can be stored (__name__ and the tags); one with more is refused.
      maxLabelsPerSeries: limits.maxTags + 1,
    });
  } catch (err) {
    if (err instanceof RemoteWriteError) throw decodeError(err);
    throw err;
  }
  const { batch, skipped, samples, metadata } = remoteWriteCandidates(decoded);
  // Every sample counts towards the dashboard's rate, skipped or not, as rejected items do.
  return { ...validateCandidates(batch, now, bytes), total: samples, skipped, metadata };
}

function decodeError(err: RemoteWriteError): ApiError {
  switch (err.kind) {
    case "compression":
      return new ApiError(400, "invalid_encoding", err.message);
    case "protobuf":
      return new ApiError(400, "invalid_body", err.message);
    case "limit":
      return err.limit?.name === "bytes"
        ? new ApiError(413, "body_too_large", err.message, { limit: err.limit.value })
        : new ApiError(413, "too_many_points", err.message, { limit: err.limit?.value });
  }
}

/** The dashboard named by `?dashboard=`: 400 without one, 404 for an id no dashboard can have. */
function dashboardParam(c: AppContext): string {
  const id = c.req.query("dashboard");
  if (!id) throw new ApiError(400, "invalid_parameter", "dashboard is required: POST /api/v1/write?dashboard=<id>", { field: "dashboard" });
  return parseDashboardId(id);
}

/** The token as Prometheus sends it: `Authorization: Bearer` (or `Token`), or basic auth's password. */
async function remoteWriteCredential(c: AppContext): Promise<Credential> {
  const header = c.req.header("Authorization");
  const token = bearerToken(header) ?? basicAuthPassword(header);
  if (!token) {
    throw new ApiError(
      401,
      ErrorCode.missingToken,
      "send the dashboard's ingest token: `authorization: {credentials: <token>}` (Bearer) or `basic_auth: {password: <token>}` in remote_write",
      {},
      { "WWW-Authenticate": 'Bearer realm="pulseboard"' },
    );
  }
  return credentialOf(c.env, token);
}

/** 415 unless the body is declared as a snappy-compressed `prometheus.WriteRequest`. */
function checkBodyHeaders(c: AppContext): void {
  const [type = "", ...parameters] = (c.req.header("Content-Type") ?? "").split(";").map((part) => part.trim());
  if (type.toLowerCase() !== CONTENT_TYPE) {
    throw new ApiError(415, "unsupported_content_type", `send a remote write as ${CONTENT_TYPE} (got ${type || "no Content-Type"})`, { accepted: [CONTENT_TYPE] });
  }
  const proto = parameters.find((parameter) => parameter.toLowerCase().startsWith("proto="))?.slice("proto=".length);
  if (proto !== undefined && proto !== WRITE_REQUEST) {
    throw new ApiError(
      415,
      "unsupported_content_type",
      `only remote write 1.0 (${WRITE_REQUEST}) is read here, not ${proto}: set protobuf_message: ${WRITE_REQUEST} (the default) in remote_write`,
      { accepted: [`${CONTENT_TYPE};proto=${WRITE_REQUEST}`] },
    );
  }
  const encoding = c.req.header("Content-Encoding")?.trim().toLowerCase() || "snappy";
  if (encoding !== "snappy") {
    throw new ApiError(415, "unsupported_encoding", `a remote write is snappy-compressed (Content-Encoding: snappy), not ${encoding}`, { accepted: ["snappy"] });
  }
}

function skippedCount(skipped: SkippedSamples): number {
  return skipped.stale + skipped.nan + skipped.infinite + skipped.histograms;
}

/**
 * The answer to a remote write: 200 with what was stored and skipped; 400 when samples were
 * refused and none stored, 422 when some were stored; the native API's errors otherwise.
 */
function remoteWriteResponse(c: AppContext, id: string, answer: IngestAnswer, body: RemoteWriteBody | null): Response {
  if (answer.status !== "stored") throw ingestRefusedError(id, answer);
  if (answer.replayed) c.header("Idempotency-Replayed", "true");
  const { accepted, seq, rejected, total } = answer;
  const skipped = body?.skipped ?? { stale: 0, nan: 0, infinite: 0, histograms: 0 };
  const metadata = body?.metadata ?? 0;
  const replaced = answer.replaced ? { replaced: answer.replaced } : {};
  if (rejected.length === 0) return c.json({ accepted, ...replaced, seq, skipped, metadata });
  const first = rejected[0]!;
  const message =
    `${rejected.length} of ${total} samples were rejected, ${accepted} stored, ${skippedCount(skipped)} skipped (NaN, staleness markers, infinities, histograms); ` +
    `first, sample ${first.index}: ${first.message}`;
  if (accepted === 0) throw new ApiError(400, "invalid_points", message, { accepted, rejected, skipped, metadata });
  throw new ApiError(422, "partially_rejected", message, { accepted, ...replaced, seq, rejected, skipped, metadata });
}

export const prometheusRoutes = new Hono<AppEnv>();
prometheusRoutes.post("/api/v1/write", async (c) => {
  const id = dashboardParam(c);
  const credential = await remoteWriteCredential(c);
  checkBodyHeaders(c);
  const { answer, body } = await ingestWith(c, id, credential, decodeRemoteWriteBody);
  return remoteWriteResponse(c, id, answer, body);
});
