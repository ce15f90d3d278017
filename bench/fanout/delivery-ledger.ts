/**
 * What reached which viewer, and when: the per-point accounting of a run. Every point carries
 * the index of the request that sent it (as its value), so an arrival is matched to the start
 * of that request. Work per arrival is a few array writes; the checks run once, at the end.
 */
import { LatencyHistogram } from "./latency-histogram.ts";

/** The verdict on one run's deliveries. */
export interface Delivery {
  /** Points that reached viewers, counting each point once per viewer. */
  delivered: number;
  /** Points that should have: points sent times viewers connected. */
  expected: number;
  /** Points received more than once by the same viewer. */
  duplicates: number;
  /** Viewers that received every point exactly once. */
  completeViewers: number;
  /** Viewers whose points arrived out of order (as {@link DeliveryLedger.verdict} defines it). */
  outOfOrderViewers: number;
  /** Points frames (or broadcast messages) per viewer, on average. */
  framesPerViewer: number;
  /** Latency from the start of a point's request to its arrival at a viewer, over every arrival. */
  latency: { p50: number; p95: number; p99: number; max: number; count: number };
}

export class DeliveryLedger {
  readonly latency = new LatencyHistogram();
  /** When each request started (performance.now()), and its body's length, filled in by the ingest driver. */
  readonly postStart: Float64Array;
  readonly postBytes: Uint32Array;
  /** Sequence range each request was stored under, when the server says (Pulseboard). */
  readonly postSeqFrom: Float64Array;
  readonly postSeqTo: Float64Array;
  /** `points[v * posts + p]`: points of request p that viewer v received. */
  private readonly points: Uint8Array;
  /** `rank[v * posts + p]`: ordinal (from 1) of the frame that first brought request p to viewer v. */
  private readonly rank: Uint32Array;
  /** Frames each viewer received. */
  readonly frames: Uint32Array;
  /** Per viewer, the sequence range of each frame it received: from, to, from, to, ... */
  private readonly ranges: number[][];
  /** Per viewer: its position (the `to` of its last frame), and whether a frame ever skipped or overlapped. */
  private readonly position: Float64Array;
  private readonly gap: Uint8Array;
  /** Points with a value that is no request of this run. */
  foreign = 0;
  /** Points received so far, over all viewers. */
  received = 0;
  /** performance.now() of the latest point received. */
  lastArrival = 0;

  /** Requests the run may send, and points in each. */
  readonly posts: number;
  readonly pointsPerPost: number;
  /** Whether frames carry sequence ranges (Pulseboard) or not (one message per request). */
  readonly sequenced: boolean;

  constructor(viewers: number, posts: number, pointsPerPost: number, sequenced: boolean) {
    this.posts = posts;
    this.pointsPerPost = pointsPerPost;
    this.sequenced = sequenced;
    this.postStart = new Float64Array(posts);
    this.postBytes = new Uint32Array(posts);
    this.postSeqFrom = new Float64Array(posts).fill(NaN);
    this.postSeqTo = new Float64Array(posts).fill(NaN);
    this.points = new Uint8Array(viewers * posts);
    this.rank = new Uint32Array(viewers * posts);
    this.frames = new Uint32Array(viewers);
    this.ranges = Array.from({ length: viewers }, () => []);
    this.position = new Float64Array(viewers);
    this.gap = new Uint8Array(viewers);
  }

  /** Viewer `viewer` is at sequence number `seq` (its snapshot), before any frame. */
  startAt(viewer: number, seq: number): void {
    this.position[viewer] = seq;
  }

  /** A frame arrived; `from`/`to` is its sequence range where the protocol has one. */
  frame(viewer: number, from?: number, to?: number): void {
    this.frames[viewer]!++;
    if (from === undefined || to === undefined) return;
    if (from !== this.position[viewer]! + 1 || to < from) this.gap[viewer] = 1;
    this.position[viewer] = to;
    this.ranges[viewer]!.push(from, to);
  }

  /** A point of request `post` reached `viewer` at `at` (in the frame last passed to `frame`). */
  point(viewer: number, post: number, at: number): void {
    if (!this.known(post)) {
      // Warm-up requests carry -1; anything else would be a server inventing points.
      if (post !== -1) this.foreign++;
      return;
    }
    const cell = viewer * this.posts + post;
    const seen = this.points[cell]!;
    if (seen === 0) this.rank[cell] = this.frames[viewer]!;
    if (seen < 255) this.points[cell] = seen + 1;
    this.latency.add(at - this.postStart[post]!);
    this.received++;
    this.lastArrival = at;
  }

  /** Whether `post` is a request of this run that has started. */
  known(post: number): boolean {
    return post >= 0 && post < this.posts && Number.isInteger(post) && this.postBytes[post]! > 0;
  }

  /**
   * The verdict for `connected` viewers over the first `sent` requests. "In order" means: with
   * sequence numbers (Pulseboard), every frame continued exactly where the last ended and
   * every point came in the frame whose range covers the sequence numbers its request was
   * stored under; without (the peers, one message per request), every viewer received the
   * requests in the same order as the first viewer did.
   */
  verdict(connected: number[], sent: number): Delivery {
    const perViewer = sent * this.pointsPerPost;
    let delivered = 0;
    let duplicates = 0;
    let completeViewers = 0;
    let outOfOrderViewers = 0;
    let frames = 0;
    const reference = connected[0];
    const referenceOrder = reference === undefined || this.sequenced ? [] : this.arrivalOrder(reference, sent);
    for (const viewer of connected) {
      let complete = true;
      for (let post = 0; post < sent; post++) {
        const got = this.points[viewer * this.posts + post]!;
        delivered += Math.min(got, this.pointsPerPost);
        duplicates += Math.max(0, got - this.pointsPerPost);
        if (got !== this.pointsPerPost) complete = false;
      }
      if (complete) completeViewers++;
      frames += this.frames[viewer]!;
      const ordered = this.sequenced ? this.inSequence(viewer, sent) : this.inReferenceOrder(viewer, referenceOrder);
      if (!ordered) outOfOrderViewers++;
    }
    return {
      delivered,
      expected: perViewer * connected.length,
      duplicates,
      completeViewers,
      outOfOrderViewers,
      framesPerViewer: connected.length ? frames / connected.length : NaN,
      latency: this.latency.summary(),
    };
  }

  private inSequence(viewer: number, sent: number): boolean {
    if (this.gap[viewer]) return false;
    const ranges = this.ranges[viewer]!;
    for (let post = 0; post < sent; post++) {
      const rank = this.rank[viewer * this.posts + post]!;
      const from = this.postSeqFrom[post]!;
      if (rank === 0 || Number.isNaN(from)) continue;
      if (from < ranges[2 * (rank - 1)]! || this.postSeqTo[post]! > ranges[2 * (rank - 1) + 1]!) return false;
    }
    return true;
  }

  /** Requests in the order `viewer` received them. */
  private arrivalOrder(viewer: number, sent: number): number[] {
    const order: number[] = [];
    for (let post = 0; post < sent; post++) if (this.rank[viewer * this.posts + post]! > 0) order.push(post);
    return order.sort((a, b) => this.rank[viewer * this.posts + a]! - this.rank[viewer * this.posts + b]!);
  }

  private inReferenceOrder(viewer: number, order: number[]): boolean {
    let last = 0;
    for (const post of order) {
      const rank = this.rank[viewer * this.posts + post]!;
      if (rank === 0) continue;
      if (rank <= last) return false;
      last = rank;
    }
    return true;
  }
}
