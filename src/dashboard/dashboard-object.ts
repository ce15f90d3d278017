import { DurableObject } from "cloudflare:workers";
import { limits } from "../shared/limits";
import {
  CloseCode,
  HEARTBEAT_REQUEST,
  HEARTBEAT_RESPONSE,
  type ClientMessage,
  type HistoryResult,
  type ServerMessage,
} from "../shared/protocol";
import { patternsProblem, seriesMatcher } from "../shared/series-pattern";
import { constantTimeEqual, sha256Hex } from "../worker/tokens";
import { parseClientMessage } from "./client-message";
import type { DashboardUpdate, Panel } from "../shared/dashboard-config";
import type { DashboardInfo } from "../shared/dashboard-info";
import type { Credential } from "./credential";
import { DashboardStore, type StoredBatch } from "./dashboard-store";
import { DeferredCloses } from "./deferred-closes";
import { deliveryConfig, type DeliveryConfig } from "./delivery-config";
import { broadcastText, closeQuietly, send, sendText } from "./fan-out";
import { FramePacer } from "./frame-pacer";
import { historySource, planHistory, readHistory, type HistoryRead, type HistoryRefusal } from "./history-query";
import { mergeBatches } from "./merge-batches";
import { IdempotencyStore } from "./idempotency-store";
import { allRejections, refusedSeriesBits, rejectionDigest, replayAnswer } from "./ingest-replay";
import type { IngestAnswer, IngestRequest } from "./ingest-answer";
import { pointCount } from "./point";
import { TokenBucket } from "./rate-limiter";
import { nextMaintenance, prune, PRUNE_SLICE_ROWS, rollUp, type MaintenanceReport } from "./retention";
import { admitSeries } from "./series-cap";
import { RefusalLimit, type AuthorizeOutcome } from "./write-refusal";
import { SlicedWork } from "./sliced-work";
import { matchingWork, SNAPSHOT_READ_POINTS_PER_SECOND } from "./snapshot-budget";
import { SnapshotCache } from "./snapshot-cache";
import { freshBudget, spend, type BudgetVerdict, type Cost } from "./socket-budget";
import { viewError } from "./view-error";
import { joinBudget, planSnapshot, replayFeed, resumeKind, snapshotFeed, type FeedTarget } from "./viewer-feed";
import { viewKeyFromProtocols, viewVerdict, type ViewAccess, type ViewVerdict } from "./view-access";
import { attachmentOf, ViewerRegistry, type ViewerAttachment } from "./viewer-registry";
import { VIEWER_PROTOCOL } from "../shared/http-contract";

/** Outcome of a configure call. */
export type ConfigureOutcome = { status: "ok"; config: { id: string; title: string; panels: Panel[] } } | { status: "not_found" } | { status: "forbidden" };

/** Outcome of a describe call. */
export type DescribeOutcome = { status: "ok"; info: DashboardInfo } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

/** Outcome of a history call. */
export type HistoryOutcome =
  | { status: "ok"; result: HistoryResult }
  | { status: "not_found" }
  | { status: Exclude<ViewVerdict, "allowed"> }
  | { status: "invalid"; field: string; message: string };

/** Shortest time between two viewer-count announcements. */
const PRESENCE_INTERVAL_MS = 250;
/** Most points one live frame carries when catching up from storage. */
const CATCH_UP_FRAME_POINTS = 50_000;
/** New points are rolled up and merged at most this long after they arrive. */
const MAINTENANCE_DELAY_MS = 60_000;
/** A maintenance pass due while a history read is under way runs this much later instead. */
const HISTORY_READ_WAIT_MS = 1_000;
/**
 * Most points one maintenance pass rolls up and merges (about 0.1 s of the object's time
 * for one-point requests); a busier minute takes several passes, with frames going out
 * between them.
 */
const MAINTENANCE_SLICE_POINTS = 10_000;

/** A finished history read as a call's outcome. */
function historyOutcome(answer: HistoryResult | HistoryRefusal): HistoryOutcome {
  return "error" in answer ? { status: "invalid", field: answer.field, message: answer.error } : { status: "ok", result: answer };
}

/** Whether `credential` is an ingest token other than the dashboard's (the admin's was checked by the Worker). */
function wrongToken(credential: Credential, meta: { tokenHash: string }): boolean {
  return credential.kind === "ingest" && !constantTimeEqual(credential.tokenHash, meta.tokenHash);
}

/**
 * One dashboard: its SQLite history and its viewers' sockets. An adapter only: storage,
 * pacing, fan-out, retention and validation live in plain modules; this class wires them
 * to the runtime's entry points.
 */
export class Dashboard extends DurableObject<Env> {
  private readonly config: DeliveryConfig;
  private readonly store: DashboardStore;
  private readonly viewers: ViewerRegistry;
  private readonly pacer: FramePacer;
  private readonly idempotency: IdempotencyStore;
  /** Ingest rate limits of this dashboard (its token): requests and points per second. */
  private readonly requestRate: TokenBucket;
  private readonly pointRate: TokenBucket;
  /** Stored batches not yet sent to viewers, in sequence order. */
  private pending: StoredBatch[] = [];
  /** Every point up to this sequence number has gone out (mirrors the stored watermark). */
  private broadcastSeq: number;
  /** Pending viewer-count announcement, if any. */
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
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
  /**
   * When the alarm is set for, as this instance last set or read it (`null`: none), so that
   * ingest need not ask storage each time; `undefined` until known.
   */
  private alarmAt: number | null | undefined;
  /**
   * History reads under way (over HTTP or sockets). Maintenance waits for them: merging,
   * rolling up or pruning would move rows under a read that is between two slices.
   */
  private historyReads = 0;
  /** A read of the alarm under way, so a burst of requests makes one. */
  private alarmCheck: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = deliveryConfig(env as unknown as Record<string, unknown>);
    this.store = new DashboardStore(ctx.storage);
    this.viewers = new ViewerRegistry(
      () => ctx.getWebSockets(),
      this.instance,
      (socket, attachment) =>
        attachment.closing
          ? closeQuietly(socket, attachment.closing.code, attachment.closing.reason)
          : closeQuietly(socket, CloseCode.restarted, "the server restarted while sending history: reconnect with since"),
    );
    this.pacer = new FramePacer(this.config.maxFramesPerSecond, () => this.flush(), { share: this.config.fanOutShare });
    this.idempotency = new IdempotencyStore(ctx.storage.sql);
    // Two seconds' worth of burst: a sensor catching up after a short outage is not refused.
    this.requestRate = new TokenBucket(this.config.requestsPerSecond, 2 * this.config.requestsPerSecond, Date.now());
    this.pointRate = new TokenBucket(this.config.pointsPerSecond, 2 * this.config.pointsPerSecond, Date.now());
    const meta = this.store.meta();
    this.broadcastSeq = meta?.broadcastSeq ?? 0;
    // Points stored by an earlier instance that was evicted before its next frame went out.
    if (meta && meta.seq > meta.broadcastSeq) setTimeout(() => this.pacer.notify(), 0);
    // Answered by the runtime itself, so a heartbeat never wakes a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE));
  }

  /** Creates the dashboard (private when a view key hash is given); false when it already exists. */
  create(input: { id: string; title: string; tokenHash: string; viewKeyHash: string | null; now: number }): boolean {
    if (this.store.meta()) return false;
    // The only place tables are made: a request to an unknown id leaves no database behind.
    this.ctx.storage.transactionSync(() => {
      this.store.create({ id: input.id, title: input.title, tokenHash: input.tokenHash, viewKeyHash: input.viewKeyHash, createdAt: input.now });
      this.idempotency.create();
    });
    return true;
  }

  /** Refusals of wrong tokens, limited so a caller who keeps sending one is told to back off. */
  private readonly refusals = new RefusalLimit(Date.now());

  /**
   * Whether `credential` may write here, asked by the Worker before it reads a body. The
   * Worker may remember a yes for a few seconds; `ingest` and `configure` check again.
   */
  authorize(credential: Credential): AuthorizeOutcome {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    if (wrongToken(credential, meta)) return this.refusals.refuse(Date.now());
    return { status: "ok" };
  }

  /** The dashboard's description, for a reader allowed to see it. */
  describe(access: ViewAccess = {}): DescribeOutcome {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    const verdict = viewVerdict(meta, access);
    if (verdict !== "allowed") return { status: verdict };
    const info: DashboardInfo = {
      id: meta.id,
      title: meta.title,
      createdAt: meta.createdAt,
      seq: meta.seq,
      viewers: this.viewers.count(),
      series: this.store.listSeries(),
      panels: meta.panels,
      private: meta.viewKeyHash !== null,
    };
    return { status: "ok", info };
  }

  /** Replaces the title and/or panels and shows the change to every viewer at once. */
  configure(credential: Credential, update: DashboardUpdate): ConfigureOutcome {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    if (wrongToken(credential, meta)) return { status: "forbidden" };
    this.store.configure(update);
    const title = update.title ?? meta.title;
    const panels = update.panels ?? meta.panels;
    broadcastText(this.viewers.open(), JSON.stringify({ type: "config", title, panels } satisfies ServerMessage));
    return { status: "ok", config: { id: meta.id, title, panels } };
  }

  /**
   * Stores the points the credential may write; viewers get them in the next frame. The
   * answer is final: a retry with the same `Idempotency-Key` gets it again, storing nothing.
   */
  ingest(request: IngestRequest): IngestAnswer {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    if (wrongToken(request.credential, meta)) return this.refusals.refuse(Date.now());
    const now = Date.now();
    if (request.idempotency) {
      const earlier = this.idempotency.lookup(request.idempotency.key, now);
      if (earlier && earlier.bodyHash !== request.idempotency.bodyHash) return { status: "idempotency_mismatch" };
      if (earlier) return replayAnswer(earlier, request, limits.maxSeriesPerDashboard);
    }
    // Every item counts, stored or refused: refusing costs the object work and answer bytes too.
    const items = Math.max(request.total, pointCount(request.series) + request.rejected.length);
    const wait = Math.max(this.requestRate.wait(1, now), this.pointRate.wait(items, now));
    if (wait > 0) return { status: "rate_limited", cause: "ingest_rate", retryAfterSeconds: Math.ceil(wait) };
    this.requestRate.take(1, now);
    this.pointRate.take(items, now);

    const { admitted, rejected } = admitSeries(request.series, request.unit, (key) => this.store.hasSeries(key), this.store.seriesCount(), limits.maxSeriesPerDashboard);
    let seq: { from: number; to: number } | null = null;
    if (admitted.length > 0) {
      const batch = this.store.append(admitted);
      seq = { from: batch.from, to: batch.to };
      this.pending.push(batch);
      this.pacer.notify();
      this.scheduleMaintenance();
    }
    const all = allRejections(request.rejected, rejected);
    const accepted = pointCount(admitted);
    // Written in the same event as the points, so both are committed together. Only what a
    // replay cannot rebuild from the retried body is kept (see ingest-replay.ts).
    if (request.idempotency) {
      const record = { accepted, seq, total: request.total, rejectedDigest: rejectionDigest(all), refusedSeries: refusedSeriesBits(request.series, admitted) };
      this.idempotency.remember(request.idempotency.key, request.idempotency.bodyHash, record, now);
      this.scheduleMaintenance();
    }
    return { status: "stored", accepted, seq, rejected: all, total: request.total, replayed: false };
  }

  /**
   * Bucketed history of the series matching `patterns`, for a reader allowed to see it. Read
   * in slices, one per turn, so that live frames and ingest go on while a long range is read.
   */
  async history(access: ViewAccess, patterns: string[], from: number, to: number, step?: number): Promise<HistoryOutcome> {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    const verdict = viewVerdict(meta, access);
    if (verdict !== "allowed") return { status: verdict };
    const read = this.startHistory(patterns, from, to, step);
    if (!("next" in read)) return read;
    for (;;) {
      const slice = read.next();
      if (slice.done) return historyOutcome(slice.value);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /**
   * Plans a history query within the limits on one answer (`planHistory`) and starts its
   * read. A range read from rollups first folds in one slice of the points not yet rolled up
   * (they lag by up to a minute) unless another read is under way; whatever is left is not in
   * this answer yet, and maintenance adds it within moments.
   */
  private startHistory(patterns: string[], from: number, to: number, step?: number): HistoryRead | HistoryOutcome {
    const rawSince = Date.now() - this.config.rawRetentionMs;
    const series = this.store.matchingSeries(seriesMatcher(patterns));
    const plan = planHistory(step === undefined ? { series, from, to } : { series, from, to, step }, rawSince);
    if ("error" in plan) return { status: "invalid", field: plan.field, message: plan.error };
    if (!historySource(plan, rawSince).raw && this.historyReads === 0 && rollUp(this.ctx.storage, MAINTENANCE_SLICE_POINTS) > 0) this.store.reload();
    return this.counted(readHistory(this.store.sql, plan, rawSince));
  }

  /** A history read counted in {@link historyReads} until it ends, however it ends. */
  private *counted(read: HistoryRead): HistoryRead {
    this.historyReads++;
    try {
      return yield* read;
    } finally {
      this.historyReads--;
    }
  }

  /** Accepts a viewer's WebSocket; `?since=<seq>` resumes, `?series=a,b*` subscribes. */
  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.meta();
    if (!meta) return Response.json({ error: { code: "dashboard_not_found", message: "no such dashboard" } }, { status: 404 });
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "expected Upgrade: websocket" } }, { status: 426 });
    }
    // A private dashboard's viewers offer its key as a subprotocol: browsers cannot set
    // headers on a WebSocket, and a query string would end up in logs.
    const offeredKey = viewKeyFromProtocols(request.headers.get("Sec-WebSocket-Protocol"));
    const verdict = viewVerdict(meta, offeredKey === undefined ? {} : { viewKeyHash: await sha256Hex(offeredKey) });
    if (verdict !== "allowed") return Response.json({ error: viewError(verdict) }, { status: verdict === "view_key_required" ? 401 : 403 });
    const params = new URL(request.url).searchParams;
    const since = params.get("since");
    if (since !== null && !/^\d{1,15}$/.test(since)) {
      return Response.json({ error: { code: "invalid_parameter", message: "since must be a sequence number (a whole number >= 0)", field: "since" } }, { status: 400 });
    }
    const series = params.get("series")?.split(",").filter(Boolean) ?? ["*"];
    const problem = patternsProblem(series);
    if (problem !== null) {
      return Response.json({ error: { code: "invalid_parameter", message: `series takes comma-separated patterns: ${problem}`, field: "series" } }, { status: 400 });
    }

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ joinedAt: Date.now(), series, budget: freshBudget(Date.now()) } satisfies ViewerAttachment);
    this.viewers.joined(server, series);
    const count = this.viewers.count();
    send(server, {
      type: "hello",
      dashboard: meta.id,
      title: meta.title,
      seq: this.broadcastSeq,
      viewers: count,
      serverTime: Date.now(),
      maxFramesPerSecond: this.config.maxFramesPerSecond,
      panels: meta.panels,
    });
    if (since === null) this.sendSnapshot(server, series, false);
    else this.resume(server, Number(since), series);
    this.announceViewers();
    const offered = request.headers.get("Sec-WebSocket-Protocol")?.split(",").map((protocol) => protocol.trim()) ?? [];
    // A browser that offered subprotocols fails the handshake unless one is selected.
    const headers: HeadersInit = offered.includes(VIEWER_PROTOCOL) ? { "Sec-WebSocket-Protocol": VIEWER_PROTOCOL } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override webSocketMessage(socket: WebSocket, raw: string | ArrayBuffer): void {
    // A socket being closed (over its budget, or by its peer) is owed nothing more: what it
    // still has queued is dropped unread, so a flood costs next to nothing once it is caught.
    if (socket.readyState !== WebSocket.OPEN || this.closing.heard(socket)) return;
    try {
      const { closing } = attachmentOf(socket);
      // Condemned by an instance that has since been evicted.
      if (closing) return this.closing.condemn(socket, closing);
      // Counted before parsing: the budget, not the parser, bounds what a flood costs.
      if (!this.spend(socket, { messages: 1 })) return;
      const parsed = parseClientMessage(raw);
      if ("error" in parsed) return this.refuse(socket, parsed.error, parsed.id);
      this.handle(socket, parsed.message, attachmentOf(socket));
    } catch (err) {
      // A handler must never throw into the runtime; the viewer hears what went wrong.
      console.error("webSocketMessage failed", err);
      send(socket, { type: "error", code: "internal", message: "the server failed to handle this message" });
    }
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    this.feeds.cancel(socket);
    this.closing.forget(socket);
    // The Hibernation API does not answer a peer's close frame for us on any compat date.
    closeQuietly(socket, code, reason);
    this.viewers.left(socket);
    this.announceViewers();
  }

  override webSocketError(socket: WebSocket): void {
    this.feeds.cancel(socket);
    this.closing.forget(socket);
    closeQuietly(socket, CloseCode.sendFailed, "socket error");
    this.viewers.left(socket);
    this.announceViewers();
  }

  /**
   * Runs a maintenance pass and always leaves the next one armed. A handler that throws is
   * retried by the runtime only a few times, with backoff, and then dropped
   * (https://developers.cloudflare.com/durable-objects/api/alarms/), which would stop
   * maintenance for good; so a failed pass is logged and re-armed here, and the handler returns.
   */
  override async alarm(): Promise<void> {
    try {
      this.maintain(Date.now());
    } catch (err) {
      console.error("maintenance pass failed; retrying in a minute", err);
      this.alarmAt = Date.now() + MAINTENANCE_DELAY_MS;
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
  }

  /**
   * Rolls up and merges a slice of new points, then prunes a slice of what retention no
   * longer keeps; schedules the next pass (at once while work is left). Pruning does not wait
   * for the roll-up to catch up: under sustained ingest points are always pending, and only
   * rows already rolled up are deleted anyway. What the alarm runs, at a given time.
   */
  maintain(now: number): MaintenanceReport {
    if (!this.store.meta()) return { rolledUp: 0, pending: 0, prunedPoints: 0, prunedRollups: 0, prunedSeries: 0, more: false };
    if (this.historyReads > 0) {
      // Tried again shortly: a history read is between two slices.
      this.alarmAt = now + HISTORY_READ_WAIT_MS;
      void this.ctx.storage.setAlarm(this.alarmAt);
      return { rolledUp: 0, pending: 0, prunedPoints: 0, prunedRollups: 0, prunedSeries: 0, more: true };
    }
    const rolledUp = rollUp(this.ctx.storage, MAINTENANCE_SLICE_POINTS);
    // Maintenance writes the tables directly: what the store caches may be stale.
    this.store.reload();
    const meta = this.store.meta()!;
    const pending = meta.seq - meta.rollupSeq;
    const { more: morePruning, ...pruned } = prune(this.ctx.storage, now, this.config, PRUNE_SLICE_ROWS);
    this.store.reload();
    const moreKeys = this.idempotency.prune(now, PRUNE_SLICE_ROWS) >= PRUNE_SLICE_ROWS;
    const more = pending > 0 || morePruning || moreKeys;
    let next: number | null = now;
    if (!more) {
      const dataDue = nextMaintenance(this.store.sql, now, this.config);
      const keysDue = this.idempotency.nextExpiry();
      next = dataDue === null ? keysDue : keysDue === null ? dataDue : Math.min(dataDue, Math.max(keysDue, now + 1000));
    }
    this.alarmAt = next;
    if (next === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(next);
    return { rolledUp, pending, ...pruned, more };
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
    const { fedBy: _, ...attachment } = attachmentOf(socket);
    socket.serializeAttachment((instance === undefined ? attachment : { ...attachment, fedBy: instance }) satisfies ViewerAttachment);
  }

  /** Matches the patterns once the join budget covers it, then sends the snapshot they select. */
  private *plannedSnapshot(socket: WebSocket, patterns: string[], reset: boolean, matching: number): Generator<number | void, void> {
    const target = this.feedTarget(socket);
    if (matching > 0) yield* joinBudget(target, matching);
    const plan = planSnapshot(this.store, patterns);
    if (!this.spend(socket, { work: plan.points })) return;
    yield* snapshotFeed(target, plan, reset);
  }

  /**
   * Replays every stored point after `since` up to what live frames have covered, so the
   * next live frame continues exactly where the replay ends. If the points are gone (pruned),
   * `since` is ahead of the stream or too far behind it (see `resumeKind`), the viewer gets a
   * snapshot marked `reset` instead.
   */
  private resume(socket: WebSocket, since: number, patterns: string[]): void {
    if (resumeKind(since, this.broadcastSeq, this.store.meta()!.prunedSeq) === "reset") return this.sendSnapshot(socket, patterns, true);
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
      const read = this.startHistory(message.series, message.from, message.to, message.step);
      let outcome: HistoryOutcome;
      if ("next" in read) {
        for (;;) {
          const slice = read.next();
          if (slice.done) {
            outcome = historyOutcome(slice.value);
            break;
          }
          // Over its budget, or gone: the read stops here.
          if (socket.readyState !== WebSocket.OPEN || !this.spend(socket, { work: slice.value })) return void read.return(undefined as never);
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

  /** Answers an invalid message with an error frame; too many in a window close the socket. */
  private refuse(socket: WebSocket, reason: string, id?: string): void {
    send(socket, id === undefined ? { type: "error", code: "invalid_message", message: reason } : { type: "error", code: "invalid_message", message: reason, id });
    this.spend(socket, { invalid: 1 });
  }

  /**
   * Spends from the socket's budget (kept in its attachment); a socket over it is closed,
   * with its feed dropped and its live frames stopped, and false returned.
   */
  private spend(socket: WebSocket, cost: Cost): boolean {
    if (this.closing.has(socket)) return false;
    const attachment = attachmentOf(socket);
    const { budget, verdict } = spend(attachment.budget, cost, Date.now());
    socket.serializeAttachment({ ...attachment, budget } satisfies ViewerAttachment);
    if (verdict === "ok") return true;
    this.closeOverBudget(socket, verdict);
    return false;
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
    const seq = this.store.meta()?.seq ?? 0;
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
    // A catch-up read is bounded; whatever it left goes in the next frame.
    if (frame.to < seq) this.pacer.notify();
  }

  /**
   * Tells every viewer the new count, at most every {@link PRESENCE_INTERVAL_MS}: a crowd
   * joining at once costs one message per viewer per interval, not one per viewer per join
   * (which grows with the square of the crowd). A joining viewer has its count in `hello`.
   */
  private announceViewers(): void {
    if (this.presenceTimer !== null) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const open = this.viewers.open();
      broadcastText(open, JSON.stringify({ type: "viewers", count: open.length } satisfies ServerMessage));
    }, PRESENCE_INTERVAL_MS);
  }

  /**
   * Makes sure maintenance runs within a minute of new points (or keys): an alarm set further
   * out, for the expiry of old rows, is brought forward.
   */
  private scheduleMaintenance(): void {
    const within = (at: number | null | undefined): at is number => typeof at === "number" && at <= Date.now() + MAINTENANCE_DELAY_MS;
    // A time already past proves nothing: that alarm may have run, or run out of retries and
    // been dropped by the runtime; storage says whether one is still set.
    if ((within(this.alarmAt) && this.alarmAt >= Date.now()) || this.alarmCheck) return;
    this.alarmCheck = this.ctx.storage
      .getAlarm()
      .then(async (at) => {
        if (within(at)) {
          this.alarmAt = at;
          return;
        }
        const due = Date.now() + MAINTENANCE_DELAY_MS;
        await this.ctx.storage.setAlarm(due);
        this.alarmAt = due;
      })
      .finally(() => (this.alarmCheck = null));
  }
}
