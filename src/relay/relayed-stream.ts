import type { Panel } from "../shared/dashboard-config";
import { CloseCode } from "../shared/protocol";
import type { Dashboard } from "../dashboard/dashboard-object";
import type { DashboardSettings } from "../dashboard/dashboard-settings";
import { closeQuietly } from "../dashboard/fan-out";
import { LiveStream, type Join } from "../dashboard/live-stream";
import type { PointRun } from "../dashboard/stream-source";
import type { RelayAck, RelayAddress, RelayHello, RelayUpdate } from "./relay-contract";
import { RelayWindow } from "./relay-window";

/** Storage key of what a relay's viewers were last sent, while it holds viewers. */
const RECORD_KEY = "relay";
/** After this long without a frame, a relay notes (once) the position its viewers are at, in ms. */
const SETTLED_AFTER_MS = 2_000;
/** Most points one refill asks the dashboard for. */
const REFILL_POINTS = 10_000;

/**
 * What a relay keeps in its storage while it holds viewers: whose relay it is, and the
 * position its viewers were sent up to, `settled` when written after the frames stopped (and
 * so exact). An instance that starts with viewers from a settled record goes on from there;
 * from an unsettled one (the last instance was evicted while frames flowed) it cannot know
 * what its viewers got, and closes them to resume (1012).
 */
interface RelayRecord extends RelayAddress {
  seq: number;
  settled: boolean;
}

/** How a relay starts: afresh, for its first viewer, or for viewers an earlier instance held. */
export type StartOutcome = { status: "ok"; stream: RelayedStream } | { status: "not_found" };

/**
 * A relay's live stream of one dashboard: its window of the dashboard's points
 * (`RelayWindow`), the same `LiveStream` the dashboard runs for its own viewers, and the
 * link to the dashboard: pushes applied in order, a push that does not follow on from what
 * the relay holds refilled from the dashboard first (by sequence number), viewer counts
 * reported up and the dashboard's total announced down.
 */
export class RelayedStream {
  private hello: RelayHello;
  /** The dashboard's whole audience as it last said, and this relay's count it then included. */
  private total: number;
  private reported = 0;
  /** Pushes are applied one after another, refills included. */
  private applying: Promise<unknown> = Promise.resolve();
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private record: RelayRecord;
  readonly stream: LiveStream;

  private constructor(
    /** Names this instance to the dashboard (see `RelayFleet`). */
    readonly generation: string,
    private readonly ctx: DurableObjectState,
    private readonly settings: DashboardSettings,
    private readonly address: RelayAddress,
    private readonly dashboard: DurableObjectStub<Dashboard>,
    private readonly window: RelayWindow,
    base: { hello: RelayHello; viewers: number; seq: number },
    private readonly ended: () => void,
  ) {
    this.hello = base.hello;
    this.total = base.viewers;
    this.record = { ...address, seq: base.seq, settled: true };
    this.stream = new LiveStream(ctx, window, settings, async (patterns, from, to, step) => dashboard.relayHistory(patterns, from, to, step), {
      audience: (local) => Math.max(local, this.total - this.reported + local),
      announced: (local) => this.report(local),
    });
  }

  /**
   * Starts the relay's stream: for viewers an earlier instance held, from the position its
   * settled record gives (or with those viewers closed to resume, when it has none); else
   * at the dashboard's broadcast position.
   */
  static async start(ctx: DurableObjectState, env: Env, settings: DashboardSettings, address: RelayAddress, ended: () => void): Promise<StartOutcome> {
    const dashboard = env.DASHBOARD.getByName(address.dashboard) as DurableObjectStub<Dashboard>;
    const record = ctx.storage.kv.get<RelayRecord>(RECORD_KEY);
    const held = ctx.getWebSockets().filter((socket) => socket.readyState === WebSocket.OPEN);
    const known = record?.settled && record.dashboard === address.dashboard && record.index === address.index;
    if (held.length > 0 && !known) closeAll(held, "the relay restarted while sending: reconnect with since");
    const generation = crypto.randomUUID();
    let outcome = await dashboard.attachRelay(address.index, generation, held.length > 0 && known ? record.seq : null);
    if (outcome.status === "too_far") {
      closeAll(held, "the relay fell too far behind: reconnect with since");
      outcome = await dashboard.attachRelay(address.index, generation, null);
    }
    if (outcome.status !== "ok") {
      closeAll(ctx.getWebSockets(), "no such dashboard");
      await ctx.storage.deleteAll();
      return { status: "not_found" };
    }
    const window = new RelayWindow(outcome.base, {
      range: (after, through, limit) => dashboard.relayRange(after, through, limit),
      recent: (keys, perSeries, through) => dashboard.relayRecent(keys, perSeries, through),
    });
    return { status: "ok", stream: new RelayedStream(generation, ctx, settings, address, dashboard, window, outcome.base, ended) };
  }

  /** The relay the stored record names, for an instance woken by a viewer after hibernation. */
  static recordedAddress(ctx: DurableObjectState): RelayAddress | undefined {
    const record = ctx.storage.kv.get<RelayRecord>(RECORD_KEY);
    return record && { dashboard: record.dashboard, index: record.index };
  }

  /** Accepts a viewer routed to this relay. */
  join(socket: WebSocket, join: Omit<Join, "hello">): void {
    this.saveRecord();
    this.stream.join(socket, { ...join, hello: this.hello }, this.settings.maxFramesPerSecond);
  }

  /** A push from the dashboard, applied after the ones before it. */
  update(update: RelayUpdate): Promise<RelayAck> {
    const applied = this.applying.then(() => this.apply(update));
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  private async apply(update: RelayUpdate): Promise<RelayAck> {
    if (update.config) this.configured(update.config.title, update.config.panels);
    if (update.viewers !== undefined) {
      this.total = update.viewers;
      this.stream.announceViewers();
    }
    // Anything the dashboard sent before this push and the relay does not hold comes first.
    const before = update.run ? update.run.from - 1 : update.through;
    if (before > this.window.positions().seq) await this.refill(before);
    const run = update.run;
    if (run && run.from === this.window.positions().seq + 1) this.forward(run);
    return { status: "ok", generation: this.generation, seq: this.window.positions().seq, viewers: this.stream.viewerCount() };
  }

  /** Fetches what was missed up to `through`, frame by frame, forwarding each. */
  private async refill(through: number): Promise<void> {
    while (this.window.positions().seq < through) {
      const after = this.window.positions().seq;
      const outcome = await this.dashboard.relayRange(after, through, REFILL_POINTS);
      if (outcome.status !== "ok" || outcome.run.to <= after) {
        // The points are gone: this relay's viewers cannot be made whole, so they start afresh.
        closeAll(this.ctx.getWebSockets(), "the relay missed points it can no longer get: reconnect with since");
        return this.end();
      }
      if (this.window.positions().seq === after) this.forward(outcome.run);
    }
  }

  /** Sends a frame on to the viewers at once (the dashboard paced it already). */
  private forward(run: PointRun): void {
    this.window.append(run);
    this.stream.stored(run);
    this.stream.flushNow();
    this.unsettle();
  }

  private configured(title: string, panels: Panel[]): void {
    this.hello = { ...this.hello, title, panels };
    this.stream.configured(title, panels);
  }

  /** Reports this relay's viewer count to the dashboard; with none left, the relay stops. */
  private report(local: number): void {
    if (local === this.reported) return;
    this.reported = local;
    this.dashboard.relayViewers(this.address.index, this.generation, local).catch((err: unknown) => console.warn("reporting viewers failed", err));
    if (local === 0 && this.ctx.getWebSockets().every((socket) => socket.readyState !== WebSocket.OPEN)) this.end();
  }

  /** Frames flow: the record is no longer exact until they stop. */
  private unsettle(): void {
    if (this.record.settled) {
      this.record = { ...this.record, settled: false };
      this.ctx.storage.kv.put(RECORD_KEY, this.record);
    }
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.saveRecord();
    }, SETTLED_AFTER_MS);
  }

  private saveRecord(): void {
    if (this.settleTimer !== null) return;
    const record: RelayRecord = { ...this.address, seq: this.window.positions().broadcastSeq, settled: true };
    if (record.seq === this.record.seq && this.record.settled && this.ctx.storage.kv.get(RECORD_KEY)) return;
    this.record = record;
    this.ctx.storage.kv.put(RECORD_KEY, record);
  }

  /** Stops relaying: the relay keeps nothing, and its next viewer attaches it afresh. */
  private end(): void {
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    // A relay without viewers keeps no storage at all.
    this.ctx.storage.deleteAll().catch((err: unknown) => console.warn("clearing the relay's storage failed", err));
    this.ended();
  }
}

function closeAll(sockets: WebSocket[], reason: string): void {
  for (const socket of sockets) closeQuietly(socket, CloseCode.restarted, reason);
}
