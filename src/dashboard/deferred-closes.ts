/**
 * Sockets the object has decided to close (over their budget, or sending too many invalid
 * messages) but closes only once they fall quiet. Closing a socket with thousands of its
 * messages still in flight holds up the whole object for 100 ms and more while the runtime
 * drops them (bench/results/socket-floods.md), where the same messages read and ignored
 * one by one cost next to nothing. So a condemned socket's messages are dropped unread, it
 * gets no more frames, and it is closed once nothing has come from it for `quietMs`, or at
 * the latest `mostMs` after it was condemned, whichever comes first.
 *
 * Kept in the instance: a timer keeps the instance in memory until every condemned socket is
 * closed. A socket's attachment also notes that it is closing, so an instance that follows
 * an eviction closes it at once (see `ViewerAttachment.closing`).
 */

/** When a condemned socket is closed. */
export interface DeferredCloseLimits {
  /** Closed once nothing has come from it for this long, in ms. */
  quietMs: number;
  /** Closed at the latest this long after it was condemned, in ms, even if it keeps sending. */
  mostMs: number;
}

export const deferredCloseLimits: DeferredCloseLimits = { quietMs: 250, mostMs: 5_000 };

/** The code and reason a condemned socket is closed with. */
export interface CloseOrder {
  code: number;
  reason: string;
}

/** The clock and timers the closes run on (injected in tests). */
export interface CloseClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
}

interface Condemned extends CloseOrder {
  since: number;
  lastHeard: number;
}

export class DeferredCloses<Socket> {
  private readonly condemned = new Map<Socket, Condemned>();
  private timerSet = false;

  constructor(
    private readonly close: (socket: Socket, order: CloseOrder) => void,
    private readonly limits: DeferredCloseLimits = deferredCloseLimits,
    private readonly clock: CloseClock = { now: Date.now, setTimeout: (run, ms) => setTimeout(run, ms) },
  ) {}

  /** Condemns `socket`: it is closed with `order` once quiet. A socket condemned already keeps its first order. */
  condemn(socket: Socket, order: CloseOrder): void {
    if (this.condemned.has(socket)) return;
    const now = this.clock.now();
    this.condemned.set(socket, { ...order, since: now, lastHeard: now });
    this.arm(this.limits.quietMs);
  }

  /** Whether `socket` is condemned; if so, a message just came from it (and is to be dropped). */
  heard(socket: Socket): boolean {
    const entry = this.condemned.get(socket);
    if (!entry) return false;
    entry.lastHeard = this.clock.now();
    return true;
  }

  /** Whether `socket` is condemned and not closed yet. */
  has(socket: Socket): boolean {
    return this.condemned.has(socket);
  }

  /** The socket closed by other means (its peer closed it, or it failed): nothing left to do for it. */
  forget(socket: Socket): void {
    this.condemned.delete(socket);
  }

  /** How many sockets wait to be closed. */
  get size(): number {
    return this.condemned.size;
  }

  private arm(ms: number): void {
    if (this.timerSet) return;
    this.timerSet = true;
    this.clock.setTimeout(() => {
      this.timerSet = false;
      this.closeQuietOnes();
    }, ms);
  }

  /** Closes the sockets that are due, and checks again when the next one may be. */
  private closeQuietOnes(): void {
    const now = this.clock.now();
    let next = Infinity;
    for (const [socket, entry] of this.condemned) {
      const due = Math.min(entry.lastHeard + this.limits.quietMs, entry.since + this.limits.mostMs);
      if (due <= now) {
        this.condemned.delete(socket);
        this.close(socket, entry);
      } else next = Math.min(next, due);
    }
    if (next !== Infinity) this.arm(next - now);
  }
}
