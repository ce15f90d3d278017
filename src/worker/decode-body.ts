import type { ItemUnit, Rejection, SeriesBatch } from "../dashboard/ingest-contract";
import { limits } from "../common/limits";
import type { Tags } from "../common/protocol";
import { keyName, tagSuffix } from "../common/series-key";
import { ApiError } from "./errors";
import type { BodyFailure, CandidateBatch } from "../ingest/candidate-batch";
import { jsonCandidates, ndjsonCandidates } from "../ingest/json-points";
import { lineProtocolCandidates, type Precision } from "../ingest/line-protocol-points";
import { isValid, validatePoint } from "../ingest/point-schema";
import { readBodyText } from "./request-body";
import { SeriesBatchBuilder } from "../ingest/series-batch-builder";

/** The body formats of the ingest route, by `Content-Type`. */
export type BodyFormat = "json" | "ndjson" | "line-protocol";

const FORMATS: Record<string, BodyFormat> = {
  "application/json": "json",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "text/plain": "line-protocol",
};

/** The format a `Content-Type` names; 415 for any other. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = contentType?.split(";")[0]!.trim().toLowerCase();
  const format = type ? FORMATS[type] : undefined;
  if (!format) {
    throw new ApiError(415, "unsupported_content_type", `send points as ${Object.keys(FORMATS).join(", ")} (got ${type || "no Content-Type"})`, {
      accepted: Object.keys(FORMATS),
    });
  }
  return format;
}

/** A decoded, validated ingest body. */
export interface DecodedBody {
  /** How items are numbered in rejections. */
  unit: ItemUnit;
  /** Points that passed validation, by series. */
  series: SeriesBatch[];
  /** Items refused, with reasons. */
  rejected: Rejection[];
  /** Items in the body (points and refused items). */
  total: number;
  /** The body as read (its text, or a binary format's decompressed bytes), for hashing with an `Idempotency-Key`. */
  hashed: string | Uint8Array;
  /** Values taken and not stored, as documented (line protocol's string fields). */
  ignored?: number;
}

/**
 * Reads (and gunzips), decodes and validates an ingest body. Throws 400 for a body that
 * holds nothing or is not of its format, 413 when over a size or count limit.
 */
export async function decodeBody(request: Request, format: BodyFormat, now: number, precision: Precision = "ns"): Promise<DecodedBody> {
  const text = await readBodyText(request, limits.maxBodyBytes);
  if (text.trim() === "") throw new ApiError(400, "empty_body", "the request body is empty");
  const decoded: CandidateBatch | BodyFailure =
    format === "json" ? jsonCandidates(text) : format === "ndjson" ? ndjsonCandidates(text) : lineProtocolCandidates(text, precision, now);
  if ("failure" in decoded) {
    const { code, message, field } = decoded.failure;
    throw new ApiError(400, code, message, field === undefined ? {} : { field });
  }
  if (decoded.items.length + decoded.rejected.length + (decoded.ignored ?? 0) === 0) throw new ApiError(400, "empty_batch", "the body holds no points", { field: "points" });
  const body = validateCandidates(decoded, now, text);
  return decoded.ignored ? { ...body, ignored: decoded.ignored } : body;
}

/**
 * Validates a body's candidate points into columnar batches by series, keeping every
 * rejection. Throws 413 when the body holds more items than a request may.
 */
export function validateCandidates(batch: CandidateBatch, now: number, hashed: string | Uint8Array): DecodedBody {
  const total = batch.items.length + batch.rejected.length;
  if (total > limits.maxPointsPerRequest) {
    throw new ApiError(413, "too_many_points", `a request may carry at most ${limits.maxPointsPerRequest} points; this one has ${total}`, {
      limit: limits.maxPointsPerRequest,
    });
  }
  const builder = new SeriesBatchBuilder();
  const rejected = [...batch.rejected];
  // The fields of one line-protocol line, and the samples of one remote-write series, share
  // one tags object: sort its tags once.
  const suffixes = new WeakMap<Tags, string>();
  for (const { item, candidate } of batch.items) {
    const result = validatePoint(candidate, now, batch.unit, item);
    if (!isValid(result)) {
      rejected.push(result);
      continue;
    }
    let suffix = suffixes.get(result.tags);
    if (suffix === undefined) suffixes.set(result.tags, (suffix = tagSuffix(result.tags)));
    builder.add(keyName(result.name) + suffix, result.name, result.tags, result.ts, result.value, item);
  }
  return { unit: batch.unit, series: builder.build(), rejected, total, hashed };
}
