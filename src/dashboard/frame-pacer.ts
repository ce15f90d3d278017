/**
 * Paces frames: at most one flush per `intervalMs`, and a flush at once when the last one
 * was longer ago than that, so a lone point on a quiet dashboard is not delayed. Whatever
 * arrives in between waits for the next flush, which carries all of it.
 */
export class FramePacer {
  private lastFlush = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Something is ready to go out: flush now, or when the interval allows. */
  notify(): void {
    if (this.timer !== null) return;
    const wait = this.lastFlush + this.intervalMs - this.now();
    if (wait <= 0) {
      this.run();
    } else {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.run();
      }, wait);
    }
  }

  private run(): void {
    this.lastFlush = this.now();
    this.flush();
  }
}
