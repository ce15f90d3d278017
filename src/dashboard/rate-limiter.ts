/**
 * A token bucket: `ratePerSecond` tokens flow in continuously up to `burst`; taking more
 * than are there is refused with the time until enough will have flowed in. Kept in the
 * object's memory, so an eviction refills it: the limit errs towards letting data in.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Seconds to wait before `n` tokens could be taken (0 when they can be now); takes nothing. */
  wait(n: number, now: number): number {
    this.refill(now);
    // A request larger than the burst passes once the bucket is full, leaving it in debt.
    const needed = Math.min(n, this.burst) - this.tokens;
    return needed <= 0 ? 0 : needed / this.ratePerSecond;
  }

  /** Takes `n` tokens (callers check `wait` first). */
  take(n: number, now: number): void {
    this.refill(now);
    this.tokens -= n;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }
}
