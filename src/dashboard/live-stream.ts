import type { Panel } from "../common/dashboard-config";
import { variablesField, type Variable } from "../common/template-variables";
import type { AnnotationChange } from "../relay/relay-contract";
import { CloseCode, type ClientMessage, type HistoryResult, type ServerMessage } from "../common/protocol";
import { parseClientMessage } from "./client-message";
import type { DashboardSettings } from "./dashboard-settings";
import type { PointRun, StreamSource } from "./stream-source";
import { DeferredCloses } from "./deferred-closes";
import { broadcastText, closeQuietly, send, sendText } from "./fan-out";
import { FramePacer } from "./frame-pacer";
import { historyOutcome, stopRead, type HistoryOutcome, type HistoryRead } from "./history-query";
import { mergeBatches } from "./merge-batches";
import { TokenBucket } from "./rate-limiter";
import { SlicedWork } from "./sliced-work";
import { matchingWork, SNAPSHOT_READ_POINTS_PER_SECOND } from "./snapshot-budget";
import { SnapshotCache } from "./snapshot-cache";
import { freshBudget, spend, type BudgetVerdict, type Cost } from "./socket-budget";
import { joinBudget, planSnapshot, replayFeed, resumeKind, snapshotFeed, type FeedTarget } from "./viewer-feed";
import { attachmentOf, ViewerRegistry, type ViewerAttachment } from "./viewer-registry";

/** Shortest time between two viewer-count announcements. */
const PRESENCE_INTERVAL_MS = 250;
/** How often a feed waiting for a fetch looks again, in ms. */
const SETTLE_POLL_MS = 2;
/** Most points one live frame carries when catching up from storage. */
const CATCH_UP_FRAME_POINTS = 50_000;

/**
 * Starts a history read for a viewer's `history` message, or says why there is none; a relay
 * answers it with its dashboard's answer, which comes later.
 */
export type HistoryReader = (patterns: string[], from: number, to: number, step?: number) => HistoryRead | HistoryOutcome | Promise<HistoryOutcome>;

/** What the object around a stream adds to it. */
export interface StreamHooks {
  /** The audience to announce, given the viewers this stream holds (a dashboard adds its relays'). */
  audience?(local: number): number;
  /** A frame just went out to this stream's viewers (a dashboard pushes it to its relays). */
  framed?(frame: PointRun): void;
  /** The viewer count was just announced (a relay reports its own to its dashboard). */
  announced?(local: number): void;
}

/** What a viewer joining asks for: its subscription, and where to resume (`null`: a snapshot). */
export interface Join {
  /** Subscribed series patterns (checked). */
  series: string[];
  /** Resume after this sequence number; `null` asks for a snapshot. */
  since: number | null;
  /** The dashboard's description as `hello` gives it. */
  hello: { dashboard: string; title: string; panels: Panel[]; variables?: Variable[] };
  /** The id of the dashboard's token that let the viewer into a private dashboard (null or absent: none did). */
  token?: string | null;
}

/**
 * The tag of the sockets a token let in. Tags stay with a hibernated socket and the runtime
 * looks them up itself (`getWebSockets(tag)`), so revoking a token finds its viewers without
 * reading every socket's attachment.
 */
export function tokenTag(id: string): string {
  return `token:${id}`;
}

/**
 * A dashboard's live stream to its viewers: the sockets (hibernatable, their state in
 * attachments), grouped by subscription; stored batches waiting for the next frame and the
 * position every viewer has been sent up to; frames paced to the viewers' rate, one
 * serialisation per subscription group; each viewer's join (a snapshot, or a replay after
 * `since`) fed in slices; the viewers' messages, each socket within its budget; and the
 * viewer count. The object hands it stored batches and the runtime's socket events.
 */
export class LiveStream {
  private readonly viewers: ViewerRegistry;
  private readonly pacer: FramePacer;
  /** Stored batches not yet sent to viewers, in sequence order. */
  private pending: PointRun[] = [];
  /** Every point up to this sequence number has gone out (mirrors the stored watermark). */
  private broadcastSeq: number;
  /** Pending viewer-count announcement, if any. */
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Viewers accepted whose `hello` has not gone out yet, with what greets them (see `join`). */
  private readonly greetings = new Map<WebSocket, () => void>();
  /** The turn that greets them, if due. */
  private greetTimer: ReturnType<typeof setTimeout> | null = null;
  /** Names this instance in the attachments of the viewers it is feeding (see `ViewerAttachment.fedBy`). */
  private readonly instance = crypto.randomUUID();
  /** Snapshots and replays being sent, one slice per turn; a viewer's newer request replaces its older one. */
  private readonly feeds = new SlicedWork<WebSocket>((socket, err) => {
    console.error("viewer feed failed", err);
    closeQuietly(socket, CloseCode.sendFailed, "the server failed to send this viewer's history");
  });
  /** Sockets over their budget, closed once their messages stop coming (closing a flooding socket stalls the object). */
  private readonly closing = new DeferredCloses<WebSocket>((socket, order) => closeQuietly(socket, order.code, order.reason));
  /** History queries asked over sockets, one per turn, in the order they came (one key per query). */
  private readonly queries = new SlicedWork<object>();
  /** Snapshots just read, so viewers joining together cost one read. */
  private readonly snapshots = new SnapshotCache();
  /** Snapshot points this dashboard may read for joins: its join budget, per second. */
  private readonly snapshotReads = new TokenBucket(SNAPSHOT_READ_POINTS_PER_SECOND, SNAPSHOT_READ_POINTS_PER_SECOND, Date.now());

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: StreamSource,
    settings: DashboardSettings,
    private readonly readHistory: HistoryReader,
    private readonly hooks: StreamHooks = {},
  ) {
    this.viewers = new ViewerRegistry(
      () => ctx.getWebSockets(),
      this.instance,
      (socket, attachment) =>
        attachment.closing
          ? closeQuietly(socket, attachment.closing.code, attachment.closing.reason)
          : closeQuietly(socket, CloseCode.restarted, "the server restarted while sending history: reconnect with since"),
    );
    this.pacer = new FramePacer(settings.maxFramesPerSecond, () => this.flush(), { share: settings.fanOutShare });
    const positions = store.positions();
    this.broadcastSeq = positions?.broadcastSeq ?? 0;
    // Points stored by an earlier instance that was evicted before its next frame went out.
    if (positions && positions.seq > positions.broadcastSeq) setTimeout(() => this.pacer.notify(), 0);
  }

  /** How many viewers this stream holds. */
  viewerCount(): number {
    return this.viewers.count();
  }

  /** The audience: this stream's viewers, and whoever else the object counts (its relays'). */
  audience(): number {
    return this.audienceOf(this.viewers.count());
  }

  private audienceOf(local: number): number {
    return this.hooks.audience ? this.hooks.audience(local) : local;
  }

  /** Points just stored: they go out in the next frame. */
  stored(batch: PointRun): void {
    this.pending.push(batch);
    this.pacer.notify();
  }

  /** Tells every viewer the dashboard's new title, panels and variables. */
  configured(title: string, panels: Panel[], variables: readonly Variable[]): void {
    this.greetWaiting();
    broadcastText(this.viewers.open(), JSON.stringify({ type: "config", title, panels, ...variablesField(variables) } satisfies ServerMessage));
  }

  /** Tells every viewer of annotations added or removed. */
  annotated(change: AnnotationChange): void {
    this.greetWaiting();
    broadcastText(this.viewers.open(), JSON.stringify({ type: "annotations", ...change } satisfies ServerMessage));
  }

  /**
   * Accepts a viewer's socket (hibernatable); on the next turn says hello and starts its
   * snapshot or replay. Nothing is sent before the upgrade's answer has left the handler: a
   * message sent earlier costs the runtime about 20 KiB more for each socket for as long as
   * it stays open (bench/results/viewer-memory.md). Until greeted, the viewer gets nothing
   * else either: whatever would reach it first (a frame, a config, a count, its own message)
   * greets it first. Its attachment names this instance as feeding it from the start, so an
   * instance that follows an eviction before the greeting closes it (1012).
   */
  join(socket: WebSocket, join: Join, maxFramesPerSecond: number): void {
    this.ctx.acceptWebSocket(socket, join.token ? [tokenTag(join.token)] : []);
    socket.serializeAttachment({ joinedAt: Date.now(), series: join.series, budget: freshBudget(Date.now()), fedBy: this.instance } satisfies ViewerAttachment);
    this.viewers.joined(socket, join.series);
    this.greetings.set(socket, () => this.greet(socket, join, maxFramesPerSecond));
    this.greetTimer ??= setTimeout(() => this.greetWaiting(), 0);
  }

  /** Greets every viewer accepted and not yet greeted. */
  private greetWaiting(): void {
    if (this.greetTimer !== null) clearTimeout(this.greetTimer);
    this.greetTimer = null;
    if (this.greetings.size === 0) return;
    const waiting = [...this.greetings.values()];
    this.greetings.clear();
    for (const greet of waiting) greet();
  }

  private greet(socket: WebSocket, join: Join, maxFramesPerSecond: number): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    send(socket, {
      type: "hello",
      dashboard: join.hello.dashboard,
      title: join.hello.title,
      seq: this.broadcastSeq,
      viewers: this.audience(),
      serverTime: Date.now(),
      maxFramesPerSecond,
      panels: join.hello.panels,
      ...variablesField(join.hello.variables ?? []),
    });
    if (join.since === null) this.sendSnapshot(socket, join.series, false);
    else this.resume(socket, join.since, join.series);
    this.announceViewers();
  }

  /** A message from a viewer: counted against its budget first, then acted on. */
  message(socket: WebSocket, raw: string | ArrayBuffer): void {
    this.greetWaiting();
    // A socket being closed (over its budget, or by its peer) is owed nothing more: what it
    // still has queued is dropped unread, so a flood costs next to nothing once it is caught.
    if (socket.readyState !== WebSocket.OPEN || this.closing.heard(socket)) return;
    try {
      const attachment = attachmentOf(socket);
      // Condemned by an instance that has since been evicted.
      if (attachment.closing) return this.closing.condemn(socket, attachment.closing);
      // Counted before parsing: the budget, not the parser, bounds what a flood costs.
      const spent = this.spend(socket, { messages: 1 }, attachment);
      if (!spent) return;
      const parsed = parseClientMessage(raw);
      if ("error" in parsed) return this.refuse(socket, parsed.error, parsed.id);
      this.handle(socket, parsed.message, spent);
    } catch (err) {
      // A handler must never throw into the runtime; the viewer hears what went wrong.
      console.error("webSocketMessage failed", err);
      send(socket, { type: "error", code: "internal", message: "the server failed to handle this message" });
    }
  }

  /** Closes the viewers tokens `ids` let in (4403): the tokens were revoked. */
  revoked(ids: readonly string[]): void {
    let closed = 0;
    for (const id of ids) {
      for (const socket of this.ctx.getWebSockets(tokenTag(id))) {
        this.greetings.delete(socket);
        this.feeds.cancel(socket);
        this.closing.forget(socket);
        this.viewers.left(socket);
        closeQuietly(socket, CloseCode.revoked, "the key this viewer used was revoked");
        closed++;
      }
    }
    if (closed > 0) this.announceViewers();
  }

  /** The viewer closed its socket (`code` and `reason` are its own), or the socket failed (no code). */
  left(socket: WebSocket, code: number = CloseCode.sendFailed, reason = "socket error"): void {
    this.greetings.delete(socket);
    this.feeds.cancel(socket);
    this.closing.forget(socket);
    // The Hibernation API does not answer a peer's close frame for us on any compat date.
    closeQuietly(socket, code, reason);
    this.viewers.left(socket);
    this.announceViewers();
  }

  private handle(socket: WebSocket, message: ClientMessage, attachment: ViewerAttachment): void {
    switch (message.type) {
      case "resume":
        return this.resume(socket, message.since, attachment.series);
      case "subscribe": {
        socket.serializeAttachment({ ...attachment, series: message.series } satisfies ViewerAttachment);
        this.viewers.resubscribed(socket, message.series);
        send(socket, { type: "subscribed", series: message.series });
        return this.sendSnapshot(socket, message.series, false);
      }
      case "history": {
        // A socket with no work left in its window is closed before the query is queued.
        if (!this.spend(socket, { work: 1 })) return;
        // Each query runs in a turn of its own, after the work already queued, so a burst of
        // them holds up live frames and ingest for one query at a time, never for the lot.
        return this.queries.start({}, this.answerHistory(socket, message));
      }
    }
  }

  /**
   * Sends the recent history of the subscribed series (within the snapshot's point budget),
   * read in slices; live frames reach this viewer once it has caught up. Replaces any
   * snapshot or replay still being sent to it.
   */
  private sendSnapshot(socket: WebSocket, patterns: string[], reset: boolean): void {
    // Matching globs against every series is work too, even for a subscription that matches
    // nothing: the socket pays for it first, then the dashboard's join budget, before it runs.
    const matching = matchingWork(patterns, this.store.seriesCount());
    if (!this.spend(socket, { work: matching })) return;
    this.startFeed(socket, this.plannedSnapshot(socket, patterns, reset, matching));
  }

  /**
   * Starts (or replaces) the viewer's feed, noting in its attachment that this instance is
   * feeding it until the feed ends, so that an instance that follows an eviction closes it
   * (1012) rather than sending it live frames after a half-sent snapshot or replay.
   */
  private startFeed(socket: WebSocket, job: Generator<number | void, void>): void {
    this.noteFeeding(socket, this.instance);
    this.feeds.start(socket, this.feeding(socket, job));
  }

  private *feeding(socket: WebSocket, job: Generator<number | void, void>): Generator<number | void, void> {
    yield* job;
    this.noteFeeding(socket, undefined);
  }

  private noteFeeding(socket: WebSocket, instance: string | undefined): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    const { fedBy: was, ...attachment } = attachmentOf(socket);
    if (was === instance) return;
    socket.serializeAttachment((instance === undefined ? attachment : { ...attachment, fedBy: instance }) satisfies ViewerAttachment);
  }

  /** Matches the patterns once the join budget covers it, then sends the snapshot they select. */
  private *plannedSnapshot(socket: WebSocket, patterns: string[], reset: boolean, matching: number): Generator<number | void, void> {
    const target = this.feedTarget(socket);
    if (matching > 0) yield* joinBudget(target, matching);
    const plan = planSnapshot(this.store, patterns, this.broadcastSeq);
    if (!this.spend(socket, { work: plan.points })) return;
    const lacking = this.store.coverRecent?.(plan.series, plan.perSeries, plan.through);
    if (lacking) yield* settled(lacking);
    yield* snapshotFeed(target, plan, reset);
  }

  /**
   * Replays every stored point after `since` up to what live frames have covered, so the
   * next live frame continues exactly where the replay ends. If the points are gone (pruned),
   * `since` is ahead of the stream or too far behind it (see `resumeKind`), the viewer gets a
   * snapshot marked `reset` instead.
   */
  private resume(socket: WebSocket, since: number, patterns: string[]): void {
    const lacking = this.store.cover?.(since);
    if (lacking) {
      // Fetched first (a relay asks its dashboard); the viewer takes no live frames meanwhile.
      return this.startFeed(
        socket,
        (function* (stream: LiveStream) {
          yield* settled(lacking);
          stream.resumeCovered(socket, since, patterns);
        })(this),
      );
    }
    this.resumeCovered(socket, since, patterns);
  }

  private resumeCovered(socket: WebSocket, since: number, patterns: string[]): void {
    if (resumeKind(since, this.broadcastSeq, this.store.positions()!.prunedSeq) === "reset") return this.sendSnapshot(socket, patterns, true);
    // Sequence numbers count every series' points: the most this replay can carry.
    if (!this.spend(socket, { work: this.broadcastSeq - since })) return;
    this.startFeed(socket, replayFeed(this.feedTarget(socket), since, patterns));
  }

  /**
   * Runs a queued history query, unless its socket has closed meanwhile, one slice per turn;
   * each slice's work (the points or rollup rows it read) is charged to the socket as it goes.
   */
  private *answerHistory(socket: WebSocket, message: Extract<ClientMessage, { type: "history" }>): Generator<void, void> {
    if (socket.readyState !== WebSocket.OPEN || this.closing.has(socket)) return;
    try {
      const read = this.readHistory(message.series, message.from, message.to, message.step);
      if (read instanceof Promise) return void this.answerLater(socket, message.id, read);
      let outcome: HistoryOutcome;
      if ("next" in read) {
        for (;;) {
          const slice = read.next();
          if (slice.done) {
            outcome = historyOutcome(slice.value);
            break;
          }
          // Over its budget, or gone: the read ends here.
          if (socket.readyState !== WebSocket.OPEN || !this.spend(socket, { work: slice.value })) return stopRead(read);
          yield;
        }
      } else outcome = read;
      if (outcome.status === "invalid") return this.refuse(socket, `${outcome.field}: ${outcome.message}`, message.id);
      if (outcome.status === "ok") send(socket, { type: "history", id: message.id, ...outcome.result });
    } catch (err) {
      console.error("history query failed", err);
      send(socket, { type: "error", code: "internal", message: "the server failed to answer this history request", id: message.id });
    }
  }

  /** Sends the answer to a history query that another object reads, charging its points once it comes. */
  private async answerLater(socket: WebSocket, id: string, answer: Promise<HistoryOutcome>): Promise<void> {
    try {
      const outcome = await answer;
      if (socket.readyState !== WebSocket.OPEN) return;
      if (outcome.status === "invalid") return this.refuse(socket, `${outcome.field}: ${outcome.message}`, id);
      if (outcome.status !== "ok") throw new Error(`history answered ${outcome.status}`);
      if (this.spend(socket, { work: historyPoints(outcome.result) })) send(socket, { type: "history", id, ...outcome.result });
    } catch (err) {
      console.error("history query failed", err);
      if (socket.readyState === WebSocket.OPEN) send(socket, { type: "error", code: "internal", message: "the server failed to answer this history request", id });
    }
  }

  /** Answers an invalid message with an error frame; too many in a window close the socket. */
  private refuse(socket: WebSocket, reason: string, id?: string): void {
    send(socket, id === undefined ? { type: "error", code: "invalid_message", message: reason } : { type: "error", code: "invalid_message", message: reason, id });
    this.spend(socket, { invalid: 1 });
  }

  /**
   * Spends from the socket's budget (kept in its attachment, read afresh unless given); a
   * socket over it is closed, with its feed dropped and its live frames stopped. Returns the
   * attachment as written, or null when over.
   */
  private spend(socket: WebSocket, cost: Cost, attachment = attachmentOf(socket)): ViewerAttachment | null {
    if (this.closing.has(socket)) return null;
    const { budget, verdict } = spend(attachment.budget, cost, Date.now());
    const written = { ...attachment, budget } satisfies ViewerAttachment;
    socket.serializeAttachment(written);
    if (verdict === "ok") return written;
    this.closeOverBudget(socket, verdict);
    return null;
  }

  /**
   * Stops serving a socket over its budget (its feed dropped, no more frames, its messages
   * ignored) and closes it once its messages stop coming (`DeferredCloses`).
   */
  private closeOverBudget(socket: WebSocket, verdict: Exclude<BudgetVerdict, "ok">): void {
    this.feeds.cancel(socket);
    const order =
      verdict === "too_many_invalid"
        ? { code: CloseCode.tooManyInvalidMessages, reason: "too many invalid messages" }
        : { code: CloseCode.overBudget, reason: "over budget: reconnect later" };
    socket.serializeAttachment({ ...attachmentOf(socket), closing: order } satisfies ViewerAttachment);
    this.closing.condemn(socket, order);
    this.viewers.left(socket);
    this.announceViewers();
  }

  /** The viewer a feed writes to: its sends stop counting once the socket is closing. */
  private feedTarget(socket: WebSocket): FeedTarget {
    return {
      store: this.store,
      broadcastSeq: () => this.broadcastSeq,
      send: (message) => socket.readyState === WebSocket.OPEN && (typeof message === "string" ? sendText(socket, message) : send(socket, message)),
      cache: this.snapshots,
      now: Date.now,
      snapshotReads: this.snapshotReads,
    };
  }

  /** Sends everything stored since the last frame, one serialisation per subscription group. */
  private flush(): void {
    this.greetWaiting();
    const seq = this.store.positions()?.seq ?? 0;
    if (seq <= this.broadcastSeq) return;
    const contiguous = this.pending.length > 0 && this.pending[0]!.from === this.broadcastSeq + 1;
    const frame = contiguous ? mergeBatches(this.pending) : this.store.range(this.broadcastSeq, seq, CATCH_UP_FRAME_POINTS, () => true);
    this.pending = this.pending.filter((batch) => batch.from > frame.to);
    for (const group of this.viewers.current()) {
      const series = group.everything ? frame.series : frame.series.filter(group.matcher);
      const message: ServerMessage = { type: "points", from: frame.from, to: frame.to, replay: false, series };
      // A viewer still being sent its snapshot or replay gets this frame from its feed.
      const sockets = this.feeds.size === 0 ? group.sockets : group.sockets.filter((socket) => !this.feeds.busy(socket));
      broadcastText(sockets, JSON.stringify(message));
    }
    this.broadcastSeq = frame.to;
    this.store.markBroadcast(frame.to);
    this.hooks.framed?.(frame);
    // A catch-up read is bounded; whatever it left goes in the next frame.
    if (frame.to < seq) this.pacer.notify();
  }

  /**
   * Tells every viewer the new count, at most every {@link PRESENCE_INTERVAL_MS}: a crowd
   * joining at once costs one message per viewer per interval, not one per viewer per join
   * (which grows with the square of the crowd). A joining viewer has its count in `hello`.
   */
  announceViewers(): void {
    if (this.presenceTimer !== null) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.greetWaiting();
      const open = this.viewers.open();
      broadcastText(open, JSON.stringify({ type: "viewers", count: this.audienceOf(open.length) } satisfies ServerMessage));
      this.hooks.announced?.(open.length);
    }, PRESENCE_INTERVAL_MS);
  }
}

/** Ends slices (short pauses) until `work` has settled, however it ends. */
function* settled(work: Promise<void>): Generator<number, void> {
  let done = false;
  work.then(
    () => (done = true),
    (err: unknown) => {
      console.error("fetching for a viewer failed", err);
      done = true;
    },
  );
  while (!done) yield SETTLE_POLL_MS;
}

/** Points a history answer counts. */
function historyPoints(result: HistoryResult): number {
  let points = 0;
  for (const series of result.series) for (const count of series.count) points += count;
  return points;
}
