import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/dashboard/rate-limiter.ts";
import { REFUSAL_BURST, REFUSALS_PER_SECOND, RefusalLimit } from "../../src/dashboard/write-refusal.ts";

/** The time is injected, so these say exactly how many pass when, whatever the machine's load. */
describe("TokenBucket", () => {
  /** Takes one token at a time while none has to be waited for; how many were taken. */
  function drain(bucket: TokenBucket, now: number): number {
    let taken = 0;
    while (bucket.wait(1, now) === 0) {
      bucket.take(1, now);
      taken++;
    }
    return taken;
  }

  it("starts full: a burst passes at once, and the next one waits 1 / rate", () => {
    const bucket = new TokenBucket(20, 40, 0);
    expect(drain(bucket, 0)).toBe(40);
    expect(bucket.wait(1, 0)).toBeCloseTo(1 / 20);
  });

  it("refills at its rate, never above the burst", () => {
    const bucket = new TokenBucket(20, 40, 0);
    drain(bucket, 0);
    expect(drain(bucket, 500)).toBe(10);
    expect(drain(bucket, 60_000)).toBe(40);
  });

  it("lets a request larger than the burst pass once full, leaving it in debt", () => {
    const bucket = new TokenBucket(500, 1000, 0);
    expect(bucket.wait(5000, 0)).toBe(0);
    bucket.take(5000, 0);
    // 4,000 in debt, and then 1 more wanted: 4,001 / 500 s.
    expect(bucket.wait(1, 0)).toBeCloseTo(4001 / 500);
  });

  it("over any span of t seconds lets at most rate × t + burst through, however requests arrive", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        const bucket = new TokenBucket(20, 40, 0);
        const passed: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.wait(1, now) === 0) {
            bucket.take(1, now);
            passed.push(now);
          }
        }
        for (let i = 0; i < passed.length; i++) {
          for (let j = i; j < passed.length; j++) {
            expect(j - i + 1).toBeLessThanOrEqual(Math.floor(((passed[j]! - passed[i]!) / 1000) * 20 + 40 + 1e-9));
          }
        }
      }),
    );
  });
});

describe("RefusalLimit", () => {
  it(`answers ${REFUSAL_BURST} wrong tokens at once with forbidden, then rate_limited with the seconds to wait`, () => {
    const limit = new RefusalLimit(0);
    const answers = Array.from({ length: REFUSAL_BURST }, () => limit.refuse(0).status);
    expect(new Set(answers)).toEqual(new Set(["forbidden"]));
    expect(limit.refuse(0)).toEqual({ status: "rate_limited", cause: "wrong_tokens", retryAfterSeconds: 1 });
    // A rate-limited answer takes nothing: the caller is not pushed further back.
    expect(limit.refuse(1000 / REFUSALS_PER_SECOND)).toEqual({ status: "forbidden" });
  });

  it(`after the burst, answers ${REFUSALS_PER_SECOND} a second`, () => {
    const limit = new RefusalLimit(0);
    for (let i = 0; i < REFUSAL_BURST; i++) limit.refuse(0);
    let forbidden = 0;
    for (let ms = 1; ms <= 10_000; ms++) if (limit.refuse(ms).status === "forbidden") forbidden++;
    expect(forbidden).toBe(10 * REFUSALS_PER_SECOND);
  });
});
