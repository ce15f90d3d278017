import type { Credential, IngestAnswer } from "../dashboard/ingest-contract";
import type { DecodedBody } from "./decode-body";
import { ApiError } from "./errors";
import { sha256Hex } from "../dashboard/secrets";
import { authorizeWrite, writeRefusedError } from "./write-authorization";
import type { AppContext } from "./hono-env";


const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Reads, decodes and validates a write's body in a route's format (`now`: the server's time). */
export type BodyDecoder<B extends DecodedBody = DecodedBody> = (request: Request, now: number) => Promise<B>;

/**
 * The ingest path every write route shares: check the token with the dashboard (before the
 * body is read, so a refused request costs no read or validation), read and validate the
 * body with the route's `decode`, then hand it to the dashboard's object, which checks the
 * token again, limits and `Idempotency-Key`, and stores. A refusal comes back as the
 * object's answer would.
 */
export async function ingest(c: AppContext, id: string, credential: Credential, decode: BodyDecoder): Promise<IngestAnswer> {
  return (await ingestWith(c, id, credential, decode)).answer;
}

/**
 * {@link ingest} with the body read by `decode` (a format of its own route), which may say
 * more about the body than points and rejections; `body` is what it said, or null when the
 * write was refused before the body was read.
 */
export async function ingestWith<B extends DecodedBody>(c: AppContext, id: string, credential: Credential, decode: BodyDecoder<B>): Promise<{ answer: IngestAnswer; body: B | null }> {
  const key = c.req.header("Idempotency-Key");
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError(400, "invalid_header", "Idempotency-Key must be 1-200 visible ASCII characters", { field: "Idempotency-Key" });
  }
  const stub = c.env.DASHBOARD.getByName(id);
  const refusal = await authorizeWrite(stub, id, credential);
  if (refusal) return { answer: refusal, body: null };
  const body = await decode(c.req.raw, Date.now());
  const answer = await stub.ingest({
    credential,
    series: body.series,
    rejected: body.rejected,
    unit: body.unit,
    total: body.total,
    ...(key === undefined ? {} : { idempotency: { key, bodyHash: await sha256Hex(body.hashed) } }),
  });
  return { answer, body };
}

/** Header of a write's answer counting the values taken and not stored (line protocol's string fields). */
export const IGNORED_HEADER = "X-Pulseboard-Ignored-Fields";

/**
 * The native API's answer: 200, 422 partly stored, 400 nothing stored, or the error; with
 * `ignored` (string fields taken and not stored) counted when there were any, and `replaced`
 * (points that took the place of one at the same series and time) when any did.
 */
export function nativeIngestResponse(c: AppContext, id: string, answer: IngestAnswer, ignored = 0): Response {
  switch (answer.status) {
    case "not_found":
    case "forbidden":
    case "rate_limited":
    case "idempotency_mismatch":
      throw ingestRefusedError(id, answer);
    case "stored": {
      if (answer.replayed) c.header("Idempotency-Replayed", "true");
      const { accepted, seq, rejected, total } = answer;
      // A replay whose rejections could not be rebuilt exactly says so; its counts stand.
      const exactness = answer.rejectedExact === false ? { rejectedExact: false } : {};
      const skipped = ignored > 0 ? { ignored } : {};
      if (ignored > 0) c.header(IGNORED_HEADER, String(ignored));
      const replaced = answer.replaced ? { replaced: answer.replaced } : {};
      if (rejected.length === 0) return c.json({ accepted, ...replaced, seq, ...skipped, ...exactness });
      if (accepted === 0) throw new ApiError(400, "invalid_points", rejectedMessage(total, total), { rejected, ...skipped, ...exactness });
      throw new ApiError(422, "partially_rejected", rejectedMessage(rejected.length, total), { accepted, ...replaced, seq, rejected, ...skipped, ...exactness });
    }
  }
}

/** The native API's error for a write the dashboard did not store: 403, 404, 422 or 429 with `Retry-After`. */
export function ingestRefusedError(id: string, answer: Exclude<IngestAnswer, { status: "stored" }>): ApiError {
  switch (answer.status) {
    case "not_found":
    case "forbidden":
      return writeRefusedError(id, answer);
    case "rate_limited":
      if (answer.cause === "wrong_tokens") return writeRefusedError(id, { ...answer, cause: answer.cause });
      return new ApiError(429, "rate_limited", `dashboard "${id}" is over its ingest rate; retry in ${answer.retryAfterSeconds} s`, { retryAfter: answer.retryAfterSeconds }, {
        "Retry-After": String(answer.retryAfterSeconds),
      });
    case "idempotency_mismatch":
      return new ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used in the last 10 minutes with a different body", { field: "Idempotency-Key" });
  }
}

/** A sentence saying how much of a batch was refused. */
export function rejectedMessage(rejected: number, total: number): string {
  if (rejected === total) return total === 1 ? "the point was rejected" : `all ${total} points were rejected; nothing was stored`;
  return `${rejected} of ${total} points were rejected; the other ${total - rejected} were stored`;
}
