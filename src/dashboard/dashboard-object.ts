import { DurableObject } from "cloudflare:workers";
import type { DashboardUpdate, Panel } from "../shared/dashboard-config";
import type { DashboardInfo } from "../shared/dashboard-info";
import { ErrorCode } from "../shared/http-contract";
import { limits } from "../shared/limits";
import { HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE } from "../shared/protocol";
import { seriesMatcher } from "../shared/series-pattern";
import { dashboardSettings, type DashboardSettings } from "./dashboard-settings";
import { DashboardStore } from "./dashboard-store";
import { historyOutcome, historySource, planHistory, readHistory, type HistoryOutcome, type HistoryRead } from "./history-query";
import { IdempotencyStore } from "./idempotency-store";
import { pointCount, type Credential, type IngestAnswer, type IngestRequest } from "./ingest-contract";
import { allRejections, refusedSeriesBits, rejectionDigest, replayAnswer } from "./ingest-replay";
import { LiveStream } from "./live-stream";
import type { MaintenanceReport } from "./maintenance";
import { MAINTENANCE_SLICE_POINTS, MaintenanceSchedule } from "./maintenance-schedule";
import { rollUp } from "./maintenance";
import { TokenBucket } from "./rate-limiter";
import { constantTimeEqual, sha256Hex } from "./secrets";
import { admitSeries } from "./series-cap";
import { viewError } from "./view-error";
import { VIEWER_PROTOCOL } from "../shared/http-contract";
import { viewKeyFromProtocols, viewVerdict, type ViewAccess, type ViewVerdict } from "./view-access";
import { RefusalLimit, type AuthorizeOutcome } from "./write-refusal";

export type { HistoryOutcome } from "./history-query";

/** Outcome of a configure call. */
export type ConfigureOutcome = { status: "ok"; config: { id: string; title: string; panels: Panel[] } } | { status: "not_found" } | { status: "forbidden" };

/** Outcome of a describe call. */
export type DescribeOutcome = { status: "ok"; info: DashboardInfo } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

/** Whether `credential` is an ingest token other than the dashboard's (the admin's was checked by the Worker). */
function wrongToken(credential: Credential, meta: { tokenHash: string }): boolean {
  return credential.kind === "ingest" && !constantTimeEqual(credential.tokenHash, meta.tokenHash);
}

/**
 * One dashboard: its SQLite tables and its viewers' sockets. Entry points only: each checks
 * who is asking and hands the work to the module that does it: the store (`DashboardStore`,
 * all SQL), the live stream to the viewers (`LiveStream`), maintenance and its alarm
 * (`MaintenanceSchedule`), history reads (`history-query.ts`), idempotency records.
 */
export class Dashboard extends DurableObject<Env> {
  private readonly settings: DashboardSettings;
  private readonly store: DashboardStore;
  private readonly stream: LiveStream;
  private readonly maintenance: MaintenanceSchedule;
  private readonly idempotency: IdempotencyStore;
  /** Ingest rate limits of this dashboard (its token): requests and points per second. */
  private readonly requestRate: TokenBucket;
  private readonly pointRate: TokenBucket;
  /** Refusals of wrong tokens, limited so a caller who keeps sending one is told to back off. */
  private readonly refusals = new RefusalLimit(Date.now());
  /**
   * History reads under way (over HTTP or sockets). Maintenance waits for them: merging,
   * rolling up or pruning would move rows under a read that is between two slices.
   */
  private historyReads = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = dashboardSettings(env);
    this.store = new DashboardStore(ctx.storage);
    this.idempotency = new IdempotencyStore(ctx.storage.sql);
    this.stream = new LiveStream(ctx, this.store, this.settings, (patterns, from, to, step) => this.startHistory(patterns, from, to, step));
    this.maintenance = new MaintenanceSchedule(ctx.storage, this.store, this.idempotency, this.settings, () => this.historyReads > 0);
    // Two seconds' worth of burst: a sensor catching up after a short outage is not refused.
    this.requestRate = new TokenBucket(this.settings.requestsPerSecond, 2 * this.settings.requestsPerSecond, Date.now());
    this.pointRate = new TokenBucket(this.settings.pointsPerSecond, 2 * this.settings.pointsPerSecond, Date.now());
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
      viewers: this.stream.viewerCount(),
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
    this.stream.configured(title, panels);
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
      this.stream.stored(batch);
      this.maintenance.soon();
    }
    const all = allRejections(request.rejected, rejected);
    const accepted = pointCount(admitted);
    // Written in the same event as the points, so both are committed together. Only what a
    // replay cannot rebuild from the retried body is kept (see ingest-replay.ts).
    if (request.idempotency) {
      const record = { accepted, seq, total: request.total, rejectedDigest: rejectionDigest(all), refusedSeries: refusedSeriesBits(request.series, admitted) };
      this.idempotency.remember(request.idempotency.key, request.idempotency.bodyHash, record, now);
      this.maintenance.soon();
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
    const rawSince = Date.now() - this.settings.rawRetentionMs;
    const series = this.store.matchingSeries(seriesMatcher(patterns));
    const plan = planHistory(step === undefined ? { series, from, to } : { series, from, to, step }, rawSince);
    if ("error" in plan) return { status: "invalid", field: plan.field, message: plan.error };
    if (!historySource(plan, rawSince).raw && this.historyReads === 0) rollUp(this.store, MAINTENANCE_SLICE_POINTS);
    return this.counted(readHistory(this.store, plan, rawSince));
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

  /**
   * Accepts a viewer's WebSocket; `?since=<seq>` resumes, `?series=a,b*` subscribes. The
   * Worker has checked both (`worker/viewer-params.ts`); a private dashboard's key, offered
   * as a subprotocol, is checked here, where its hash is kept.
   */
  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.meta();
    if (!meta) return Response.json({ error: { code: ErrorCode.dashboardNotFound, message: "no such dashboard" } }, { status: 404 });
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "expected Upgrade: websocket" } }, { status: 426 });
    }
    // Browsers cannot set headers on a WebSocket, and a query string would end up in logs.
    const offeredKey = viewKeyFromProtocols(request.headers.get("Sec-WebSocket-Protocol"));
    const verdict = viewVerdict(meta, offeredKey === undefined ? {} : { viewKeyHash: await sha256Hex(offeredKey) });
    if (verdict !== "allowed") return Response.json({ error: viewError(verdict) }, { status: verdict === "view_key_required" ? 401 : 403 });
    const params = new URL(request.url).searchParams;
    const since = params.get("since");
    const series = params.get("series")?.split(",").filter(Boolean) ?? ["*"];

    const { 0: client, 1: server } = new WebSocketPair();
    this.stream.join(
      server,
      { series, since: since === null ? null : Number(since), hello: { dashboard: meta.id, title: meta.title, panels: meta.panels } },
      this.settings.maxFramesPerSecond,
    );
    const offered = request.headers.get("Sec-WebSocket-Protocol")?.split(",").map((protocol) => protocol.trim()) ?? [];
    // A browser that offered subprotocols fails the handshake unless one is selected.
    const headers: HeadersInit = offered.includes(VIEWER_PROTOCOL) ? { "Sec-WebSocket-Protocol": VIEWER_PROTOCOL } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override webSocketMessage(socket: WebSocket, raw: string | ArrayBuffer): void {
    this.stream.message(socket, raw);
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    this.stream.left(socket, code, reason);
  }

  override webSocketError(socket: WebSocket): void {
    this.stream.left(socket);
  }

  override async alarm(): Promise<void> {
    await this.maintenance.alarm();
  }

  /** One maintenance pass at `now`, as the alarm runs it (see `MaintenanceSchedule.maintain`). */
  maintain(now: number): MaintenanceReport {
    return this.maintenance.maintain(now);
  }
}
