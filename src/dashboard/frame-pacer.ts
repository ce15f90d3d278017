/**
 * Paces frames with a token bucket: `perSecond` tokens a second, holding at most `burst`.
 * A flush takes a whole token; short of one, it waits until one has flowed in and then
 * carries everything that arrived meanwhile. A quiet dashboard's point goes out at once, and
 * a source posting at exactly the frame rate is not held back by timer jitter (the half
 * token of slack absorbs it), while over any span of `t` seconds there are at most
 * `t * perSecond + burst` frames. (A plain "one interval since the last flush" rule loses
 * almost a whole interval whenever a timer fires a millisecond late.)
 */
export class FramePacer {
  private tokens: number;
  private updatedAt: number;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly perSecond: number,
    private readonly flush: () => void,
    private readonly burst = 1.5,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Something is ready to go out: flush now if a token is there, or when one will be. */
  notify(): void {
    if (this.timer !== null) return;
    this.refill();
    if (this.tokens >= 1) return this.run();
    const wait = Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      this.run();
    }, wait);
  }

  private run(): void {
    this.tokens = Math.max(0, this.tokens - 1);
    this.flush();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}
