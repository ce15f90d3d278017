import { DurableObject } from "cloudflare:workers";
import { limits } from "../shared/limits";
import {
  CloseCode,
  HEARTBEAT_REQUEST,
  HEARTBEAT_RESPONSE,
  MAX_INVALID_MESSAGES,
  type ClientMessage,
  type HistoryResult,
  type ServerMessage,
} from "../shared/protocol";
import { seriesMatcher } from "../shared/series-pattern";
import { constantTimeEqual, sha256Hex } from "../worker/tokens";
import { parseClientMessage } from "./client-message";
import type { DashboardUpdate, Panel } from "../shared/dashboard-config";
import type { DashboardInfo } from "../shared/dashboard-info";
import type { Credential } from "./credential";
import { DashboardStore, type StoredBatch } from "./dashboard-store";
import { deliveryConfig, type DeliveryConfig } from "./delivery-config";
import { broadcastText, closeQuietly, send } from "./fan-out";
import { FramePacer } from "./frame-pacer";
import { queryHistory, resolveHistoryRange } from "./history-query";
import { mergeBatches } from "./merge-batches";
import { IdempotencyStore } from "./idempotency-store";
import type { IngestAnswer, IngestRequest } from "./ingest-answer";
import { pointCount } from "./point";
import { TokenBucket } from "./rate-limiter";
import { nextMaintenance, prune, rollUp, type MaintenanceReport } from "./retention";
import { admitSeries } from "./series-cap";
import { viewError } from "./view-error";
import { VIEWER_PROTOCOL, viewKeyFromProtocols, viewVerdict, type ViewAccess, type ViewVerdict } from "./view-access";
import { attachmentOf, ViewerRegistry, type ViewerAttachment } from "./viewer-registry";

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
/** Most points in one replay frame sent to a resuming viewer. */
const REPLAY_FRAME_POINTS = 5000;
/** Most points one live frame carries when catching up from storage. */
const CATCH_UP_FRAME_POINTS = 50_000;
/** New points are rolled up and merged at most this long after they arrive. */
const MAINTENANCE_DELAY_MS = 60_000;
/**
 * Most points one maintenance pass rolls up and merges (about 0.1 s of the object's time
 * for one-point requests); a busier minute takes several passes, with frames going out
 * between them.
 */
const MAINTENANCE_SLICE_POINTS = 10_000;

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
  /**
   * When the alarm is set for, as this instance last set or read it (`null`: none), so that
   * ingest need not ask storage each time; `undefined` until known.
   */
  private alarmAt: number | null | undefined;
  /** A read of the alarm under way, so a burst of requests makes one. */
  private alarmCheck: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = deliveryConfig(env as unknown as Record<string, unknown>);
    this.store = new DashboardStore(ctx.storage);
    this.viewers = new ViewerRegistry(() => ctx.getWebSockets());
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
    this.store.create({ id: input.id, title: input.title, tokenHash: input.tokenHash, viewKeyHash: input.viewKeyHash, createdAt: input.now });
    return true;
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
    if (credential.kind === "ingest" && !constantTimeEqual(credential.tokenHash, meta.tokenHash)) return { status: "forbidden" };
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
    if (request.credential.kind === "ingest" && !constantTimeEqual(request.credential.tokenHash, meta.tokenHash)) return { status: "forbidden" };
    const now = Date.now();
    if (request.idempotency) {
      const earlier = this.idempotency.lookup(request.idempotency.key, now);
      if (earlier && earlier.bodyHash !== request.idempotency.bodyHash) return { status: "idempotency_mismatch" };
      if (earlier && earlier.answer.status === "stored") return { ...earlier.answer, replayed: true };
    }
    const points = pointCount(request.series);
    const wait = Math.max(this.requestRate.wait(1, now), this.pointRate.wait(points, now));
    if (wait > 0) return { status: "rate_limited", retryAfterSeconds: Math.ceil(wait) };
    this.requestRate.take(1, now);
    this.pointRate.take(points, now);

    const { admitted, rejected } = admitSeries(request.series, request.unit, (key) => this.store.hasSeries(key), this.store.seriesCount(), limits.maxSeriesPerDashboard);
    let seq: { from: number; to: number } | null = null;
    if (admitted.length > 0) {
      const batch = this.store.append(admitted);
      seq = { from: batch.from, to: batch.to };
      this.pending.push(batch);
      this.pacer.notify();
      this.scheduleMaintenance();
    }
    const all = [...request.rejected, ...rejected].sort((a, b) => (a.index ?? a.line!) - (b.index ?? b.line!));
    const answer: IngestAnswer = { status: "stored", accepted: pointCount(admitted), seq, rejected: all, total: request.total, replayed: false };
    // Written in the same event as the points, so both are committed together.
    if (request.idempotency) {
      this.idempotency.remember(request.idempotency.key, request.idempotency.bodyHash, answer, now);
      this.scheduleMaintenance();
    }
    return answer;
  }

  /** Bucketed history of the series matching `patterns`, for a reader allowed to see it. */
  history(access: ViewAccess, patterns: string[], from: number, to: number, step?: number): HistoryOutcome {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    const verdict = viewVerdict(meta, access);
    if (verdict !== "allowed") return { status: verdict };
    return this.queryHistory(patterns, from, to, step);
  }

  private queryHistory(patterns: string[], from: number, to: number, step?: number): HistoryOutcome {
    const range = resolveHistoryRange(from, to, step);
    if ("error" in range) return { status: "invalid", field: range.field, message: range.error };
    const rawSince = Date.now() - this.config.rawRetentionMs;
    // Rollups lag raw points by up to a minute; fold in the newest before reading them.
    if (range.from < rawSince && rollUp(this.ctx.storage) > 0) this.store.reload();
    const series = this.store.matchingSeries(seriesMatcher(patterns));
    return { status: "ok", result: queryHistory(this.store.sql, { series, ...range }, rawSince) };
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
    if (series.length === 0 || series.length > 100 || series.some((pattern) => pattern.length > 200)) {
      return Response.json({ error: { code: "invalid_parameter", message: "series takes 1-100 comma-separated patterns of at most 200 characters", field: "series" } }, { status: 400 });
    }

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ joinedAt: Date.now(), series, invalid: 0 } satisfies ViewerAttachment);
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
    try {
      const parsed = parseClientMessage(raw);
      if ("error" in parsed) return this.refuse(socket, parsed.error, parsed.id);
      const attachment = attachmentOf(socket);
      if (attachment.invalid > 0) socket.serializeAttachment({ ...attachment, invalid: 0 } satisfies ViewerAttachment);
      this.handle(socket, parsed.message, attachment);
    } catch (err) {
      // A handler must never throw into the runtime; the viewer hears what went wrong.
      console.error("webSocketMessage failed", err);
      send(socket, { type: "error", code: "internal", message: "the server failed to handle this message" });
    }
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    // The Hibernation API does not answer a peer's close frame for us on any compat date.
    closeQuietly(socket, code, reason);
    this.viewers.left(socket);
    this.announceViewers();
  }

  override webSocketError(socket: WebSocket): void {
    closeQuietly(socket, CloseCode.sendFailed, "socket error");
    this.viewers.left(socket);
    this.announceViewers();
  }

  override async alarm(): Promise<void> {
    this.maintain(Date.now());
  }

  /**
   * Rolls up and merges a slice of new points, then, once none are left, prunes; schedules
   * the next pass (at once while points are left). What the alarm runs, at a given time.
   */
  maintain(now: number): MaintenanceReport {
    if (!this.store.meta()) return { rolledUp: 0, pending: 0, prunedPoints: 0, prunedRollups: 0, prunedSeries: 0 };
    const rolledUp = rollUp(this.ctx.storage, MAINTENANCE_SLICE_POINTS);
    // Maintenance writes the tables directly: what the store caches may be stale.
    this.store.reload();
    const meta = this.store.meta()!;
    const pending = meta.seq - meta.rollupSeq;
    if (pending > 0) {
      this.alarmAt = now;
      void this.ctx.storage.setAlarm(now);
      return { rolledUp, pending, prunedPoints: 0, prunedRollups: 0, prunedSeries: 0 };
    }
    const pruned = prune(this.ctx.storage, now, this.config);
    this.store.reload();
    this.idempotency.prune(now);
    const dataDue = nextMaintenance(this.store.sql, now, this.config);
    const keysDue = this.idempotency.nextExpiry();
    const next = dataDue === null ? keysDue : keysDue === null ? dataDue : Math.min(dataDue, Math.max(keysDue, now + 1000));
    this.alarmAt = next;
    if (next === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(next);
    return { rolledUp, pending, ...pruned };
  }

  private handle(socket: WebSocket, message: ClientMessage, attachment: ViewerAttachment): void {
    switch (message.type) {
      case "resume":
        return this.resume(socket, message.since, attachment.series);
      case "subscribe": {
        socket.serializeAttachment({ ...attachment, series: message.series, invalid: 0 } satisfies ViewerAttachment);
        this.viewers.resubscribed(socket, message.series);
        send(socket, { type: "subscribed", series: message.series });
        return this.sendSnapshot(socket, message.series, false);
      }
      case "history": {
        const outcome = this.queryHistory(message.series, message.from, message.to, message.step);
        if (outcome.status === "ok") send(socket, { type: "history", id: message.id, ...outcome.result });
        else if (outcome.status === "invalid") this.refuse(socket, `${outcome.field}: ${outcome.message}`, message.id);
        return;
      }
    }
  }

  /** Sends the recent history of the subscribed series, up to what has been broadcast. */
  private sendSnapshot(socket: WebSocket, patterns: string[], reset: boolean): void {
    const series = this.store.recent(limits.snapshotPointsPerSeries, this.broadcastSeq, seriesMatcher(patterns));
    send(socket, { type: "snapshot", seq: this.broadcastSeq, reset, series });
  }

  /**
   * Replays every stored point after `since` up to what live frames have covered, so the
   * next live frame continues exactly where the replay ends. If the points are gone (pruned)
   * or `since` is ahead of the stream, the viewer gets a snapshot marked `reset` instead.
   */
  private resume(socket: WebSocket, since: number, patterns: string[]): void {
    const meta = this.store.meta()!;
    if (since > this.broadcastSeq || since < meta.prunedSeq) return this.sendSnapshot(socket, patterns, true);
    const matcher = seriesMatcher(patterns);
    let after = since;
    let points = 0;
    while (after < this.broadcastSeq) {
      const chunk = this.store.range(after, this.broadcastSeq, REPLAY_FRAME_POINTS, matcher);
      if (chunk.count > 0 && !send(socket, { type: "points", from: chunk.from, to: chunk.to, replay: true, series: chunk.series })) return;
      points += chunk.count;
      after = chunk.to;
    }
    send(socket, { type: "resumed", since, seq: this.broadcastSeq, points });
  }

  private refuse(socket: WebSocket, reason: string, id?: string): void {
    const attachment = attachmentOf(socket);
    const invalid = attachment.invalid + 1;
    socket.serializeAttachment({ ...attachment, invalid } satisfies ViewerAttachment);
    send(socket, id === undefined ? { type: "error", code: "invalid_message", message: reason } : { type: "error", code: "invalid_message", message: reason, id });
    if (invalid >= MAX_INVALID_MESSAGES) closeQuietly(socket, CloseCode.tooManyInvalidMessages, `${invalid} invalid messages in a row`);
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
      broadcastText(group.sockets, JSON.stringify(message));
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
    if (within(this.alarmAt) || this.alarmCheck) return;
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
