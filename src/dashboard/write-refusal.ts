import { TokenBucket } from "./rate-limiter";
import type { TokenScope } from "./token-scope";

/**
 * Why a dashboard refuses a write before looking at its body: no such dashboard, a wrong
 * token, or wrong tokens arriving faster than {@link RefusalLimit} lets through.
 */
export type WriteRefusal =
  | { status: "not_found" }
  | {
      status: "forbidden";
      /** Set when the token is the dashboard's but its scope does not allow this: the scope needed. */
      required?: TokenScope;
    }
  | {
      status: "rate_limited";
      /** Set apart from the ingest rate limit's 429: this one is about wrong tokens. */
      cause: "wrong_tokens";
      /** Seconds until a refusal would be answered again. */
      retryAfterSeconds: number;
    };

/** What `Dashboard.authorize` answers: go ahead, or the refusal. */
export type AuthorizeOutcome = { status: "ok" } | WriteRefusal;

/** Wrong-token refusals a dashboard answers per second, and how many in a burst. */
export const REFUSALS_PER_SECOND = 10;
export const REFUSAL_BURST = 20;

/**
 * Counts a dashboard's refusals of wrong tokens: past the burst, a caller with a wrong token
 * is told to come back later (429 and `Retry-After`) rather than 403, so a misconfigured or
 * guessing sender backs off. Writers with the right token never draw from it, so a flood of
 * wrong tokens cannot lock out the dashboard's own senders.
 */
export class RefusalLimit {
  private readonly bucket: TokenBucket;

  constructor(now: number) {
    this.bucket = new TokenBucket(REFUSALS_PER_SECOND, REFUSAL_BURST, now);
  }

  /** The answer to one more wrong token at `now`. */
  refuse(now: number): Extract<WriteRefusal, { status: "forbidden" | "rate_limited" }> {
    const wait = this.bucket.wait(1, now);
    if (wait > 0) return { status: "rate_limited", cause: "wrong_tokens", retryAfterSeconds: Math.ceil(wait) };
    this.bucket.take(1, now);
    return { status: "forbidden" };
  }
}
