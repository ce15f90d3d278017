import { DurableObject } from "cloudflare:workers";
import type { DashboardUpdate, Panel } from "../common/dashboard-config";
import type { DashboardInfo } from "../common/dashboard-info";
import { ErrorCode, VIEWER_PROTOCOL, viewerSeries } from "../common/http-contract";
import { HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE } from "../common/protocol";
import { dashboardSettings, type DashboardSettings } from "./dashboard-settings";
import { DashboardStore } from "./dashboard-store";
import type { HistoryOutcome } from "./history-query";
import { HistoryReads } from "./history-reads";
import { IdempotencyStore } from "./idempotency-store";
import type { Credential, IngestAnswer, IngestRequest } from "./ingest-contract";
import { IngestSteps } from "./ingest-steps";
import { LiveStream } from "./live-stream";
import type { MaintenanceReport } from "./maintenance";
import { MaintenanceSchedule } from "./maintenance-schedule";
import { constantTimeEqual, sha256Hex } from "./secrets";
import { viewError } from "./view-error";
import { offeredProtocols, viewKeyFromProtocols, viewVerdict, type ViewAccess, type ViewVerdict } from "./view-access";
import { RefusalLimit, type AuthorizeOutcome } from "./write-refusal";
import { attachPosition, RELAY_FETCH_POINTS, seriesPerFetch, RELAY_ROUTE_HEADER, RELAY_ROUTING_HEADER, type AnnotationChange, type AttachOutcome, type RangeOutcome, type RelayRoute } from "../relay/relay-contract";
import type { Annotation, SeriesPoints } from "../common/protocol";
import { limits } from "../common/limits";
import { AnnotationStore, type AnnotationInput } from "./annotation-store";
import { RelayFleet } from "./relay-fleet";
import { snapshotPointsPerSeries } from "./snapshot-budget";
import { MAX_REPLAY_POINTS } from "./viewer-feed";
import type { DashboardMeta } from "./dashboard-store";
import { shardFor, type DestroyOutcome, type DirectoryEntry, type StatsOutcome } from "../directory/directory-contract";
import { closeViewers, deleteStorage } from "../directory/deletion";
import { ClosableSource } from "../directory/closable-source";
import { Registration } from "../directory/registration";

/** Outcome of adding annotations: the annotations with their ids, or why none was added. */
export type AnnotateOutcome = { status: "ok"; added: Annotation[] } | { status: "not_found" } | { status: "forbidden" } | { status: "full"; room: number };
/** Outcome of removing an annotation. */
export type UnannotateOutcome = { status: "ok" } | { status: "not_found" } | { status: "forbidden" } | { status: "no_annotation" };
/** Outcome of reading annotations: at most `limits.maxAnnotationsPerRead`, `more` when the range holds more. */
export type AnnotationsOutcome = { status: "ok"; annotations: Annotation[]; more: boolean } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

/** Outcome of a configure call. */
export type ConfigureOutcome = { status: "ok"; config: { id: string; title: string; panels: Panel[] } } | { status: "not_found" } | { status: "forbidden" };

/** Outcome of a describe call. */
export type DescribeOutcome = { status: "ok"; info: DashboardInfo } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

/** Whether `credential` is an ingest token other than the dashboard's (the admin's was checked by the Worker). */
function wrongToken(credential: Credential, meta: { tokenHash: string }): boolean {
  return credential.kind === "ingest" && !constantTimeEqual(credential.tokenHash, meta.tokenHash);
}

/** The dashboard's entry in the directory, as it stands. */
function entryOf(meta: DashboardMeta): DirectoryEntry {
  return { id: meta.id, title: meta.title, private: meta.viewKeyHash !== null, created: meta.createdAt };
}

/**
 * One dashboard: its SQLite tables and its viewers' sockets. Entry points only: each checks
 * who is asking and hands the work to the module that does it: the store (`DashboardStore`,
 * all SQL), the live stream to the viewers (`LiveStream`), maintenance and its alarm
 * (`MaintenanceSchedule`), writes (`IngestSteps`), history reads (`HistoryReads`), and the
 * relays that hold a large audience's viewers (`RelayFleet`; the relay's side is `Relay`).
 */
export class Dashboard extends DurableObject<Env> {
  private readonly settings: DashboardSettings;
  private readonly store: DashboardStore;
  /** The live stream and maintenance of the dashboard as it stands: made afresh when it is deleted (see `destroy`). */
  private stream: LiveStream;
  private maintenance: MaintenanceSchedule;
  /** The store as the live stream sees it, closed when the dashboard is deleted. */
  private streamed!: ClosableSource;
  private readonly idempotency: IdempotencyStore;
  private readonly writes: IngestSteps;
  private readonly reads: HistoryReads;
  private readonly relays: RelayFleet;
  private readonly annotations: AnnotationStore;
  /** Its entry in the directory of dashboards. */
  private readonly registration: Registration;
  /** Refusals of wrong tokens, limited so a caller who keeps sending one is told to back off. */
  private readonly refusals = new RefusalLimit(Date.now());

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = dashboardSettings(env);
    this.store = new DashboardStore(ctx.storage);
    this.idempotency = new IdempotencyStore(ctx.storage.sql);
    this.reads = new HistoryReads(this.store, this.settings);
    this.relays = new RelayFleet(ctx, env, this.settings, () => this.store.meta()!.id, () => this.store.positions()?.broadcastSeq ?? 0);
    this.stream = this.freshStream();
    this.annotations = new AnnotationStore(ctx.storage.sql);
    this.registration = new Registration(ctx, env);
    this.maintenance = this.freshMaintenance();
    this.writes = new IngestSteps(this.store, this.idempotency, this.settings, (batch) => this.stream.stored(batch), () => this.maintenance.soon());
    // Answered by the runtime itself, so a heartbeat never wakes a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE));
  }

  private freshStream(): LiveStream {
    this.streamed = new ClosableSource(this.store);
    return new LiveStream(this.ctx, this.streamed, this.settings, (patterns, from, to, step) => this.reads.start(patterns, from, to, step), {
      audience: (local) => local + this.relays.viewers(),
      framed: (frame) => this.relays.framed(frame),
      announced: () => this.relays.announce(this.stream.audience()),
    });
  }

  private freshMaintenance(): MaintenanceSchedule {
    return new MaintenanceSchedule(this.ctx.storage, this.store, this.idempotency, this.annotations, this.settings, () => this.reads.busy);
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
   * The dashboard's row, or null when it does not exist. A request that finds it also brings
   * its directory entry up to date (registered, or its title changed; see `Registration`):
   * so a dashboard whose registration failed, or that is older than the directory, is listed
   * after its next request.
   */
  private known(): DashboardMeta | null {
    const meta = this.store.meta();
    if (meta) this.registration.check(entryOf(meta));
    return meta;
  }

  /** Registers the dashboard in the directory unless it is there as it stands; whether it is now. */
  async enlist(): Promise<boolean> {
    const meta = this.store.meta();
    return meta ? this.registration.ensure(entryOf(meta)) : false;
  }

  /** What the directory's listing shows of the dashboard: its entry as it stands and live facts. */
  stats(): StatsOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    return {
      status: "ok",
      stats: {
        entry: entryOf(meta),
        seq: meta.seq,
        lastPointAt: this.store.newestPointTime(),
        viewers: this.stream.audience(),
        series: this.store.seriesCount(),
        storageBytes: this.ctx.storage.sql.databaseSize,
      },
    };
  }

  /**
   * Deletes the dashboard and all its data. Its relays go first, each closing its viewers
   * with 4404 and deleting its storage; when one cannot be reached, nothing of the
   * dashboard's own is removed and the caller may try again (`incomplete`). Then its own
   * viewers are closed with 4404, its alarm and storage deleted (a registration under way
   * is waited for, so nothing is noted after), and its directory entry removed (when that
   * fails, the listing removes the entry on finding the dashboard gone). Other calls wait
   * meanwhile (`blockConcurrencyWhile`), then find no dashboard. The instance goes on, with
   * nothing of the deleted dashboard in memory: the store forgets what it cached, and the
   * live stream and maintenance are made afresh (the old stream's timers see no dashboard),
   * so the id can be created again, empty.
   */
  async destroy(): Promise<DestroyOutcome> {
    return this.ctx.blockConcurrencyWhile(async (): Promise<DestroyOutcome> => {
      const meta = this.store.meta();
      if (!meta) return { status: "not_found" };
      if (!(await this.relays.destroy())) return { status: "incomplete" };
      this.streamed.close();
      closeViewers(this.ctx);
      await this.registration.settled();
      await deleteStorage(this.ctx);
      this.store.wiped();
      this.registration.forget();
      this.stream = this.freshStream();
      this.maintenance = this.freshMaintenance();
      await Promise.resolve()
        .then(() => shardFor(this.env, meta.id).remove(meta.id, meta.createdAt))
        .catch((err: unknown) => console.warn(`removing dashboard "${meta.id}" from the directory failed; the listing will`, err));
      return { status: "ok" };
    });
  }

  /**
   * Whether `credential` may write here, asked by the Worker before it reads a body. The
   * Worker may remember a yes for a few seconds; `ingest` and `configure` check again.
   */
  authorize(credential: Credential): AuthorizeOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    if (wrongToken(credential, meta)) return this.refusals.refuse(Date.now());
    return { status: "ok" };
  }

  /** The dashboard's description, for a reader allowed to see it. */
  describe(access: ViewAccess = {}): DescribeOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const verdict = viewVerdict(meta, access);
    if (verdict !== "allowed") return { status: verdict };
    const info: DashboardInfo = {
      id: meta.id,
      title: meta.title,
      createdAt: meta.createdAt,
      seq: meta.seq,
      viewers: this.stream.audience(),
      series: this.store.listSeries(),
      panels: meta.panels,
      private: meta.viewKeyHash !== null,
    };
    return { status: "ok", info };
  }

  /** Replaces the title and/or panels and shows the change to every viewer at once. */
  configure(credential: Credential, update: DashboardUpdate): ConfigureOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    if (wrongToken(credential, meta)) return { status: "forbidden" };
    this.store.configure(update);
    const title = update.title ?? meta.title;
    const panels = update.panels ?? meta.panels;
    this.stream.configured(title, panels);
    this.relays.configured(title, panels);
    // The directory's copy of the title follows.
    this.known();
    return { status: "ok", config: { id: meta.id, title, panels } };
  }

  /** Adds annotations and shows them to every viewer at once; refused whole when the dashboard has no room for them. */
  annotate(credential: Credential, inputs: AnnotationInput[]): AnnotateOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    if (wrongToken(credential, meta)) return { status: "forbidden" };
    const room = this.annotations.room();
    if (inputs.length > room) return { status: "full", room };
    const added = this.annotations.add(inputs);
    this.announceAnnotations({ added, removed: [] });
    return { status: "ok", added };
  }

  /** Removes annotation `id` and tells every viewer. */
  unannotate(credential: Credential, id: number): UnannotateOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    if (wrongToken(credential, meta)) return { status: "forbidden" };
    if (!this.annotations.remove(id)) return { status: "no_annotation" };
    this.announceAnnotations({ added: [], removed: [id] });
    return { status: "ok" };
  }

  /** Annotations with times in [`from`, `to`), for a reader allowed to see the dashboard. */
  annotationsIn(access: ViewAccess, from: number, to: number): AnnotationsOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const verdict = viewVerdict(meta, access);
    if (verdict !== "allowed") return { status: verdict };
    const annotations = this.annotations.list(from, to, limits.maxAnnotationsPerRead + 1);
    return { status: "ok", annotations: annotations.slice(0, limits.maxAnnotationsPerRead), more: annotations.length > limits.maxAnnotationsPerRead };
  }

  private announceAnnotations(change: AnnotationChange): void {
    this.stream.annotated(change);
    this.relays.annotated(change);
  }

  /**
   * Stores the points the credential may write; viewers get them in the next frame. The
   * answer is final: a retry with the same `Idempotency-Key` gets it again, storing nothing.
   */
  ingest(request: IngestRequest): IngestAnswer {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    if (wrongToken(request.credential, meta)) return this.refusals.refuse(Date.now());
    return this.writes.run(request, Date.now());
  }

  /**
   * Bucketed history of the series matching `patterns`, for a reader allowed to see it. Read
   * in slices, one per turn, so that live frames and ingest go on while a long range is read.
   */
  async history(access: ViewAccess, patterns: string[], from: number, to: number, step?: number): Promise<HistoryOutcome> {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const verdict = viewVerdict(meta, access);
    if (verdict !== "allowed") return { status: verdict };
    return this.reads.answer(patterns, from, to, step);
  }

  /**
   * Accepts a viewer's WebSocket; `?since=<seq>` resumes, `?series=a,b*` subscribes. The
   * Worker has checked both (`worker/viewer-params.ts`); a private dashboard's key, offered
   * as a subprotocol, is checked here, where its hash is kept.
   */
  override async fetch(request: Request): Promise<Response> {
    const meta = this.known();
    if (!meta) return Response.json({ error: { code: ErrorCode.dashboardNotFound, message: "no such dashboard" } }, { status: 404 });
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "expected Upgrade: websocket" } }, { status: 426 });
    }
    // Browsers cannot set headers on a WebSocket, and a query string would end up in logs.
    const offered = offeredProtocols(request.headers.get("Sec-WebSocket-Protocol"));
    const offeredKey = viewKeyFromProtocols(offered);
    const verdict = viewVerdict(meta, offeredKey === undefined ? {} : { viewKeyHash: await sha256Hex(offeredKey) });
    if (verdict !== "allowed") return Response.json({ error: viewError(verdict) }, { status: verdict === "view_key_required" ? 401 : 403 });
    // A large audience's new viewers go to relays: the Worker takes them there.
    const route = request.headers.has(RELAY_ROUTING_HEADER) ? this.relays.route(this.stream.viewerCount()) : null;
    if (route !== null) return Response.json({ ...route, viewKeyHash: meta.viewKeyHash } satisfies RelayRoute, { headers: { [RELAY_ROUTE_HEADER]: "1" } });
    const params = new URL(request.url).searchParams;
    const since = params.get("since");
    const series = viewerSeries(params);

    const { 0: client, 1: server } = new WebSocketPair();
    this.stream.join(
      server,
      { series, since: since === null ? null : Number(since), hello: { dashboard: meta.id, title: meta.title, panels: meta.panels } },
      this.settings.maxFramesPerSecond,
    );
    // A browser that offered subprotocols fails the handshake unless one is selected.
    const headers: HeadersInit = offered.includes(VIEWER_PROTOCOL) ? { "Sec-WebSocket-Protocol": VIEWER_PROTOCOL } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /**
   * A relay (`index`, its instance `generation`) starts taking this dashboard's frames:
   * from the broadcast position, or for viewers it was sending to, from `through`.
   */
  attachRelay(index: number, generation: string, through: number | null): AttachOutcome {
    const meta = this.known();
    const positions = this.store.positions();
    if (!meta || !positions) return { status: "not_found" };
    const seq = attachPosition(positions, through, MAX_REPLAY_POINTS);
    if (seq === null) return { status: "too_far" };
    const series = this.store.listSeries();
    const perSeries = snapshotPointsPerSeries(series.length);
    // The newest points of as many series as one fetch carries; the relay asks for the rest
    // in calls of the same size, so a relay attaching holds up ingest for one such read at a time.
    const carried = seriesPerFetch(perSeries);
    this.relays.attached(index, generation);
    return {
      status: "ok",
      base: {
        hello: { dashboard: meta.id, title: meta.title, panels: meta.panels },
        seq,
        prunedSeq: positions.prunedSeq,
        perSeries,
        series: this.store.recent(perSeries, seq, series.slice(0, carried)),
        withheld: series.slice(carried),
        viewers: this.stream.audience(),
      },
    };
  }

  /** Points after `after` (up to `through`, about `limit`) for a relay that lacks them. */
  relayRange(after: number, through: number, limit: number): RangeOutcome {
    const positions = this.store.positions();
    if (!positions) return { status: "not_found" };
    if (after < positions.prunedSeq) return { status: "pruned", prunedSeq: positions.prunedSeq };
    return { status: "ok", run: this.store.range(after, Math.min(through, positions.broadcastSeq), Math.min(limit, RELAY_FETCH_POINTS), () => true) };
  }

  /** The newest `perSeries` points up to `through` of the series with these keys, for a relay's snapshot. */
  relayRecent(keys: string[], perSeries: number, through: number): SeriesPoints[] {
    const wanted = new Set(keys);
    return this.store.recent(perSeries, through, this.store.listSeries().filter((info) => wanted.has(info.key)));
  }

  /** A relay's own viewer count: the dashboard announces the new total. */
  relayViewers(index: number, generation: string, viewers: number): void {
    if (this.relays.counted(index, generation, viewers)) this.stream.announceViewers();
  }

  /** A history query from a viewer on a relay (the Worker checked its access when it connected). */
  async relayHistory(patterns: string[], from: number, to: number, step?: number): Promise<HistoryOutcome> {
    if (!this.store.meta()) return { status: "not_found" };
    return this.reads.answer(patterns, from, to, step);
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
    this.known();
    await this.maintenance.alarm();
  }

  /** One maintenance pass at `now`, as the alarm runs it (see `MaintenanceSchedule.maintain`). */
  maintain(now: number): MaintenanceReport {
    return this.maintenance.maintain(now);
  }
}
