/**
 * Long work (a snapshot, a replay) cut into slices that run one per turn of the event loop,
 * so that live frames, ingest requests and other messages run between any two slices: the
 * object is never busy for more than one slice at a time, however many viewers join at once.
 * Jobs run one after another in the order they started (not side by side), so only one
 * half-built snapshot is held in memory, and a crowd of joins is served at the pace of one
 * slice per turn.
 *
 * A job is a generator: each `yield` ends a slice; `yield ms` also asks for a pause before
 * its next slice (a job waiting for a budget to refill), during which the jobs behind it wait
 * too. There is at most one job per key (per socket, or per request): a newer one replaces
 * the older in its place in line, and the older one's remaining slices never run. Jobs live in the instance, not in socket attachments: a slice
 * runs from a timer, which keeps the instance in memory until the job is done.
 */
export class SlicedWork<Key> {
  private readonly jobs = new Map<Key, Iterator<number | void>>();
  /** Keys in the order their next slice runs. */
  private queue: Key[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly onError: (key: Key, err: unknown) => void = () => {}) {}

  /** Starts `job` for `key`, replacing any job that key still has; its first slice runs on a later turn. */
  start(key: Key, job: Iterator<number | void>): void {
    if (!this.jobs.has(key)) this.queue.push(key);
    this.jobs.set(key, job);
    this.schedule();
  }

  /** Drops the job of `key`, if any: its remaining slices never run. */
  cancel(key: Key): void {
    if (this.jobs.delete(key)) this.queue = this.queue.filter((queued) => queued !== key);
  }

  /** Whether `key` has a job with slices left. */
  busy(key: Key): boolean {
    return this.jobs.has(key);
  }

  /** How many jobs have slices left. */
  get size(): number {
    return this.jobs.size;
  }

  private schedule(pauseMs = 0): void {
    if (this.timer !== null || this.queue.length === 0) return;
    // A zero-delay timer goes behind the events already queued (incoming messages, RPC
    // calls, the frame pacer's timer), which is what lets them run between slices.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule(this.runSlice());
    }, pauseMs);
  }

  /** Runs the next slice; returns the pause it asked for before the next one, in ms. */
  private runSlice(): number {
    // The head of the line stays there until its job finishes (or goes).
    const key = this.queue[0];
    if (key === undefined) return 0;
    const job = this.jobs.get(key)!;
    let step: IteratorResult<number | void> = { done: true, value: undefined };
    try {
      step = job.next();
    } catch (err) {
      this.onError(key, err);
    }
    // The slice may have cancelled its own job or replaced it (the new one keeps the place).
    if (this.jobs.get(key) !== job) return 0;
    if (step.done) this.cancel(key);
    return !step.done && typeof step.value === "number" ? step.value : 0;
  }
}
