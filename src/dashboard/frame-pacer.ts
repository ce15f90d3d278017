/**
 * Paces frames with a token bucket: `perSecond` tokens a second, holding at most `burst`.
 * A flush takes a whole token; short of one, it waits until one has flowed in and then
 * carries everything that arrived meanwhile. A quiet dashboard's point goes out at once, and
 * a source posting at exactly the frame rate is not held back by timer jitter (the half
 * token of slack absorbs it), while over any span of `t` seconds there are at most
 * `t * perSecond + burst` frames. (A plain "one interval since the last flush" rule loses
 * almost a whole interval whenever a timer fires a millisecond late.)
 *
 * Fan-out also gets at most a `share` of the object's time. `send` only queues a message:
 * the runtime writes it to its socket in events of its own, so what a frame costs is known
 * only once a zero-delay timer set after the flush fires (after the events queued before
 * it, those writes included). The next frame then waits for a while in proportion, so that
 * frames take at most that share of the time (with the default 0.7, 3/7 of what the last
 * frame took). With a few viewers this is a millisecond and the token bucket decides; with
 * thousands, or with ingest keeping the object busy, frames come less often and carry more
 * points each, and incoming requests keep the rest of the time, instead of a backlog of
 * frames growing without bound.
 */
export class FramePacer {
  private tokens: number;
  private updatedAt: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last flush's writes may still be queued in the runtime. */
  private draining = false;
  /** Something became ready while draining. */
  private waiting = false;
  /** When the last flush started, and the earliest time the next one may. */
  private flushedAt = 0;
  private restUntil = 0;

  constructor(
    private readonly perSecond: number,
    private readonly flush: () => void,
    private readonly options: PacerOptions = {},
  ) {
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  /** Something is ready to go out: flush now if a token is there and fan-out has rested, or when both hold. */
  notify(): void {
    if (this.draining) {
      this.waiting = true;
      return;
    }
    if (this.timer !== null) return;
    this.refill();
    const rest = Math.max(0, this.restUntil - this.now());
    if (this.tokens >= 1 && rest === 0) return this.run();
    const forToken = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      this.run();
    }, Math.max(forToken, rest));
  }

  private run(): void {
    this.tokens = Math.max(0, this.tokens - 1);
    this.draining = true;
    this.flushedAt = this.now();
    try {
      this.flush();
    } finally {
      setTimeout(() => this.drained(), 0);
    }
  }

  private drained(): void {
    this.draining = false;
    const now = this.now();
    const share = this.options.share ?? DEFAULT_FAN_OUT_SHARE;
    const took = Math.max(0, now - this.flushedAt);
    this.restUntil = now + Math.min(MAX_REST_MS, (took * (1 - share)) / share);
    if (!this.waiting) return;
    this.waiting = false;
    this.notify();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }

  private get burst(): number {
    return this.options.burst ?? 1.5;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

export interface PacerOptions {
  /** Frames the bucket holds (default 1.5). */
  burst?: number;
  /** Most of the object's time fan-out may take, in (0, 1] (default {@link DEFAULT_FAN_OUT_SHARE}). */
  share?: number;
  /** Clock, in ms. */
  now?: () => number;
}

/**
 * Frames may take up to 70% of the object's time, ingest and everything else keep the rest:
 * after a frame that took `t` to go out, the next waits `t × 3/7`.
 */
export const DEFAULT_FAN_OUT_SHARE = 0.7;

/** However long one frame took (a stall, a collection), the next waits at most this long for it. */
const MAX_REST_MS = 1_000;
