/**
 * The page's copy of the dashboard's annotations: read over HTTP (`GET
 * /api/dashboards/<id>/annotations`) whenever the socket (re)connects, since the socket does
 * not replay them, and kept up to date from its `annotations` messages. Charts draw them.
 */
import type { Annotation } from "../../common/protocol.ts";
import { viewKeyHeaders } from "./view-key.ts";

/** How far back the page reads annotations: the longest range its picker offers, and then some. */
const READ_BACK_MS = 8 * 24 * 3_600_000;

export class AnnotationFeed {
  #byId = new Map<number, Annotation>();
  #sorted: Annotation[] = [];
  #listeners = new Set<() => void>();
  /** Changes heard while a read is under way, applied over its answer. */
  #pending: { added: Annotation[]; removed: number[] }[] | null = null;

  constructor(
    private readonly dashboardId: string,
    private readonly viewKey: string | undefined,
    private readonly load: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** Every annotation held, in time order. */
  get all(): readonly Annotation[] {
    return this.#sorted;
  }

  /** Annotations with times in [`from`, `to`], in time order (every chart asks on every redraw: two binary searches). */
  within(from: number, to: number): Annotation[] {
    return this.#sorted.slice(this.#firstAt(from), this.#firstAt(to, true));
  }

  /** Index of the first annotation at `ts` or later (`after`: later than `ts`). */
  #firstAt(ts: number, after = false): number {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#sorted[mid]!.ts;
      if (at < ts || (after && at === ts)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Calls `listener` after every change; returns a function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Reads the annotations afresh (on connect and reconnect): those added or removed while the
   * socket was down arrive this way. A failed read keeps what is held and says why in the console.
   */
  async refresh(now = Date.now()): Promise<void> {
    this.#pending = [];
    try {
      const query = new URLSearchParams({ from: String(now - READ_BACK_MS), to: String(now + 3_600_000) });
      const response = await this.load(`/api/dashboards/${encodeURIComponent(this.dashboardId)}/annotations?${query}`, {
        headers: { accept: "application/json", ...viewKeyHeaders(this.viewKey) },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as { annotations: Annotation[] };
      this.#byId = new Map(body.annotations.map((annotation) => [annotation.id, annotation]));
      for (const change of this.#pending) this.#change(change);
      this.#publish();
    } catch (err) {
      console.warn("pulseboard: annotations could not be read", err);
    } finally {
      this.#pending = null;
    }
  }

  /** An `annotations` message from the socket. */
  apply(change: { added: Annotation[]; removed: number[] }): void {
    this.#pending?.push(change);
    this.#change(change);
    this.#publish();
  }

  #change(change: { added: Annotation[]; removed: number[] }): void {
    for (const annotation of change.added) this.#byId.set(annotation.id, annotation);
    for (const id of change.removed) this.#byId.delete(id);
  }

  #publish(): void {
    this.#sorted = [...this.#byId.values()].sort((a, b) => a.ts - b.ts || a.id - b.id);
    for (const listener of this.#listeners) listener();
  }
}
