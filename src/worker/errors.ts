import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "../common/http-contract";
import { headerValue } from "./header-value";

/**
 * The one error type of the HTTP API. Thrown anywhere in a handler and turned into
 * `{ "error": { "code", "message", ...details } }` with its status by {@link errorResponse}.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Turns any thrown value into the JSON error response; unknown errors become a 500. */
export function errorResponse(err: unknown, c: Context): Response {
  if (err instanceof ApiError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message, ...err.details } };
    return c.json(body, err.status, safeHeaders(err.headers));
  }
  console.error("unhandled error", err);
  const body: ErrorBody = { error: { code: "internal", message: "internal error" } };
  return c.json(body, 500);
}

/** Headers of an error answer, each value made safe: messages may echo what the client sent. */
export function safeHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, headerValue(value)]));
}
