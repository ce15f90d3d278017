import type { Panel } from "../common/dashboard-config";
import { variablesField, type Variable } from "../common/template-variables";
import type { SeriesPoints } from "../common/protocol";
import { CloseCode } from "../common/protocol";
import type { Dashboard } from "../dashboard/dashboard-object";
import type { DashboardSettings } from "../dashboard/dashboard-settings";
import { closeQuietly } from "../dashboard/fan-out";
import { LiveStream, type Join } from "../dashboard/live-stream";
import { RelayFleet } from "../dashboard/relay-fleet";
import { snapshotPointsPerSeries } from "../dashboard/snapshot-budget";
import type { PointRun } from "../dashboard/stream-source";
import { MAX_REPLAY_POINTS } from "../dashboard/viewer-feed";
import { attachPosition, parentIndex, RELAY_FETCH_POINTS, relayName, type AttachOutcome, type RangeOutcome, type RelayAck, type RelayAddress, type RelayHello, type RelayUpdate } from "./relay-contract";
import type { Relay } from "./relay-object";
import { RelayWindow, WindowMiss } from "./relay-window";

/** Storage key of what a relay's viewers were last sent, while it holds viewers. */
const RECORD_KEY = "relay";
/** After this long without a frame, a relay notes (once) the position its viewers are at, in ms. */
const SETTLED_AFTER_MS = 2_000;

/**
 * Where a relay's frames come from: the dashboard, or the relay above it in the tree (see
 * `parentIndex`). Both answer the same calls; a relay answers from what it holds and asks
 * further up for the rest.
 */
interface Upstream {
  attach(index: number, generation: string, through: number | null): Promise<AttachOutcome>;
  range(after: number, through: number, limit: number): Promise<RangeOutcome>;
  recent(keys: string[], perSeries: number, through: number): Promise<SeriesPoints[]>;
  counted(index: number, generation: string, viewers: number): Promise<void>;
}

function upstreamOf(env: Env, address: RelayAddress, fanOut: number): Upstream {
  const parent = parentIndex(address.index, fanOut);
  if (parent === null) {
    const dashboard = env.DASHBOARD.getByName(address.dashboard) as DurableObjectStub<Dashboard>;
    return {
      attach: (index, generation, through) => dashboard.attachRelay(index, generation, through),
      range: (after, through, limit) => dashboard.relayRange(after, through, limit),
      recent: (keys, perSeries, through) => dashboard.relayRecent(keys, perSeries, through),
      counted: (index, generation, viewers) => dashboard.relayViewers(index, generation, viewers),
    };
  }
  const self: RelayAddress = { dashboard: address.dashboard, index: parent };
  const relay = env.RELAY.getByName(relayName(self)) as DurableObjectStub<Relay>;
  return {
    attach: (index, generation, through) => relay.attachRelay(self, index, generation, through),
    range: (after, through, limit) => relay.relayRange(self, after, through, limit),
    recent: (keys, perSeries, through) => relay.relayRecent(self, keys, perSeries, through),
    counted: (index, generation, viewers) => relay.relayViewers(self, index, generation, viewers),
  };
}

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
 * (`RelayWindow`), the same `LiveStream` the dashboard runs for its own viewers, the link up
 * (to the dashboard, or the relay above it): pushes applied in order, a push that does not
 * follow on from what the relay holds refilled from upstream first (by sequence number),
 * viewer counts reported up and the dashboard's total announced down; and the relays below
 * it (`RelayFleet`), which it pushes to and answers as the dashboard answers its own.
 */
export class RelayedStream {
  private hello: RelayHello;
  /** The dashboard's whole audience as it last said, and this relay's count it then included. */
  private total: number;
  private reported = 0;
  /** Pushes are applied one after another, refills included. */
  private applying: Promise<unknown> = Promise.resolve();
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set when the dashboard is deleted: the record is written no more. */
  private retired = false;
  private record: RelayRecord;
  readonly stream: LiveStream;
  /** The relays this one pushes to. */
  private readonly children: RelayFleet;
  /**
   * A private dashboard's token ids as far as this relay knows (null: public): from its base,
   * less those revoked since, plus those the dashboard confirmed since. A Worker may admit a
   * viewer by a routing answer from before a revocation; the relay refuses it all the same.
   */
  private readonly tokens: Set<string> | null;

  private constructor(
    /** Names this instance to the dashboard (see `RelayFleet`). */
    readonly generation: string,
    private readonly ctx: DurableObjectState,
    env: Env,
    private readonly settings: DashboardSettings,
    private readonly address: RelayAddress,
    private readonly upstream: Upstream,
    /** The dashboard itself (whatever the relay's upstream), for history and token questions. */
    private readonly dashboard: DurableObjectStub<Dashboard>,
    private readonly window: RelayWindow,
    base: { hello: RelayHello; viewers: number; seq: number; tokens?: string[] },
    private readonly ended: () => void,
  ) {
    this.hello = base.hello;
    this.tokens = base.tokens ? new Set(base.tokens) : null;
    this.total = base.viewers;
    this.record = { ...address, seq: base.seq, settled: true };
    this.children = new RelayFleet(ctx, env, settings, () => address.dashboard, () => window.positions().broadcastSeq);
    // History is read where it is stored: the dashboard answers a relayed viewer's query.
    this.stream = new LiveStream(ctx, window, settings, async (patterns, from, to, step) => dashboard.relayHistory(patterns, from, to, step), {
      audience: (local) => Math.max(local, this.total - this.reported + local + this.children.viewers()),
      framed: (frame) => this.children.framed(frame),
      announced: (local) => this.report(local + this.children.viewers()),
    });
  }

  /**
   * Starts the relay's stream: for viewers an earlier instance held, from the position its
   * settled record gives (or with those viewers closed to resume, when it has none); else
   * at its upstream's broadcast position.
   */
  static async start(ctx: DurableObjectState, env: Env, settings: DashboardSettings, address: RelayAddress, ended: () => void): Promise<StartOutcome> {
    const upstream = upstreamOf(env, address, settings.relayFanOut);
    const record = ctx.storage.kv.get<RelayRecord>(RECORD_KEY);
    const held = ctx.getWebSockets().filter((socket) => socket.readyState === WebSocket.OPEN);
    const known = record?.settled && record.dashboard === address.dashboard && record.index === address.index;
    if (held.length > 0 && !known) closeAll(held, "the relay restarted while sending: reconnect with since");
    const generation = crypto.randomUUID();
    let outcome = await upstream.attach(address.index, generation, held.length > 0 && known ? record.seq : null);
    if (outcome.status === "too_far") {
      closeAll(held, "the relay fell too far behind: reconnect with since");
      outcome = await upstream.attach(address.index, generation, null);
    }
    if (outcome.status !== "ok") {
      closeAll(ctx.getWebSockets(), "no such dashboard");
      await ctx.storage.deleteAll();
      return { status: "not_found" };
    }
    const window = new RelayWindow(outcome.base, { range: upstream.range, recent: upstream.recent });
    const dashboard = env.DASHBOARD.getByName(address.dashboard) as DurableObjectStub<Dashboard>;
    return { status: "ok", stream: new RelayedStream(generation, ctx, env, settings, address, upstream, dashboard, window, outcome.base, ended) };
  }

  /** The relay the stored record names, for an instance woken by a viewer after hibernation. */
  static recordedAddress(ctx: DurableObjectState): RelayAddress | undefined {
    const record = ctx.storage.kv.get<RelayRecord>(RECORD_KEY);
    return record && { dashboard: record.dashboard, index: record.index };
  }

  /** Whether token `id` may let a viewer in: one this relay knows, else one the dashboard says is still its own. */
  async admits(id: string): Promise<boolean> {
    if (this.tokens === null || this.tokens.has(id)) return true;
    if (!(await this.dashboard.hasToken(id))) return false;
    this.tokens.add(id);
    return true;
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

  /**
   * A relay below this one (`index`, its instance `generation`) starts taking its frames:
   * from its broadcast position, or for viewers that relay was sending to, from `through`.
   */
  async attachChild(index: number, generation: string, through: number | null): Promise<AttachOutcome> {
    const positions = this.window.positions();
    const seq = attachPosition(positions, through, MAX_REPLAY_POINTS);
    if (seq === null) return { status: "too_far" };
    const series = this.window.listSeries();
    const perSeries = snapshotPointsPerSeries(series.length);
    await this.window.coverRecent(series, perSeries, seq);
    this.children.attached(index, generation);
    // From what this relay holds in memory: no read to bound.
    const tokens = this.tokens === null ? {} : { tokens: [...this.tokens] };
    return { status: "ok", base: { hello: this.hello, seq, prunedSeq: positions.prunedSeq, perSeries, series: this.window.recent(perSeries, seq, series), withheld: [], viewers: this.total, ...tokens } };
  }

  /** Points after `after` for a relay below: from the window, else from upstream. */
  async range(after: number, through: number, limit: number): Promise<RangeOutcome> {
    await this.window.cover(after);
    const positions = this.window.positions();
    if (after < positions.prunedSeq) return { status: "pruned", prunedSeq: positions.prunedSeq };
    try {
      return { status: "ok", run: this.window.range(after, Math.min(through, positions.broadcastSeq), Math.min(limit, RELAY_FETCH_POINTS), () => true) };
    } catch (err) {
      if (!(err instanceof WindowMiss)) throw err;
      return this.upstream.range(after, through, limit);
    }
  }

  /** The newest points of some series up to `through`, for a relay below. */
  async recent(keys: string[], perSeries: number, through: number): Promise<SeriesPoints[]> {
    const wanted = new Set(keys);
    const series = this.window.listSeries().filter((info) => wanted.has(info.key));
    await this.window.coverRecent(series, perSeries, through);
    return this.window.recent(perSeries, through, series);
  }

  /** A relay below reports its viewers (its own and those below it). */
  childCounted(index: number, generation: string, viewers: number): void {
    if (this.children.counted(index, generation, viewers)) this.stream.announceViewers();
  }

  private async apply(update: RelayUpdate): Promise<RelayAck> {
    if (update.config) this.configured(update.config.title, update.config.panels, update.config.variables ?? []);
    if (update.revoked) this.revoked(update.revoked);
    if (update.annotations) {
      this.stream.annotated(update.annotations);
      this.children.annotated(update.annotations);
    }
    if (update.viewers !== undefined && update.viewers !== this.total) {
      this.total = update.viewers;
      this.stream.announceViewers();
      this.children.announce(update.viewers);
    }
    // Anything sent before this push that the relay does not hold comes first.
    const before = update.run ? update.run.from - 1 : update.through;
    if (before > this.window.positions().seq) await this.refill(before);
    const run = update.run;
    if (run && run.from === this.window.positions().seq + 1) this.forward(run);
    return { status: "ok", generation: this.generation, seq: this.window.positions().seq, viewers: this.stream.viewerCount() + this.children.viewers() };
  }

  /** Fetches what was missed up to `through`, frame by frame, forwarding each. */
  private async refill(through: number): Promise<void> {
    while (this.window.positions().seq < through) {
      const after = this.window.positions().seq;
      const outcome = await this.upstream.range(after, through, RELAY_FETCH_POINTS);
      if (outcome.status !== "ok" || outcome.run.to <= after) {
        // The points are gone: this relay's viewers cannot be made whole, so they start afresh.
        closeAll(this.ctx.getWebSockets(), "the relay missed points it can no longer get: reconnect with since");
        return this.end();
      }
      if (this.window.positions().seq === after) this.forward(outcome.run);
    }
  }

  /**
   * Passes a frame on to the viewers, paced as the dashboard paces its own: pushes arriving
   * at the frame rate go out as they come, and a relay whose viewers take longer to send to
   * than its share of time sends fewer, fuller frames rather than queueing them.
   */
  private forward(run: PointRun): void {
    this.window.append(run);
    this.stream.stored(run);
    this.unsettle();
  }

  private revoked(ids: string[]): void {
    for (const id of ids) this.tokens?.delete(id);
    this.stream.revoked(ids);
    this.children.revoked(ids);
  }

  private configured(title: string, panels: Panel[], variables: Variable[]): void {
    this.hello = { dashboard: this.hello.dashboard, title, panels, ...variablesField(variables) };
    this.stream.configured(title, panels, variables);
    this.children.configured(title, panels, variables);
  }

  /**
   * Reports this relay's viewers (its own and those of the relays below it) upstream; with
   * none left and no relay below, the relay stops.
   */
  private report(viewers: number): void {
    if (viewers === this.reported) return;
    this.reported = viewers;
    this.upstream.counted(this.address.index, this.generation, viewers).catch((err: unknown) => console.warn("reporting viewers failed", err));
    if (viewers === 0 && this.children.size() === 0) this.end();
  }

  /** Frames flow: the record is no longer exact until they stop. */
  private unsettle(): void {
    if (this.retired) return;
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
    if (this.settleTimer !== null || this.retired) return;
    const record: RelayRecord = { ...this.address, seq: this.window.positions().broadcastSeq, settled: true };
    if (record.seq === this.record.seq && this.record.settled && this.ctx.storage.kv.get(RECORD_KEY)) return;
    this.record = record;
    this.ctx.storage.kv.put(RECORD_KEY, record);
  }

  /**
   * The dashboard was deleted (see `Relay.destroy`): nothing more is noted in storage, and
   * nothing pushed to the relays below (they are deleted too).
   */
  retire(): void {
    this.retired = true;
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.children.forget();
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
