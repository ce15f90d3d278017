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
import { sha256Hex } from "./secrets";
import { viewError } from "./view-error";
import { admitReader, offeredProtocols, viewKeyFromProtocols, type ViewAccess, type ViewAdmission, type ViewVerdict } from "./view-access";
import { scopeAllows, scopeNeeded, type TokenAction, type TokenScope } from "./token-scope";
import { tokenInfo, TokenStore, type TokenInfo } from "./token-store";
import { definitionOf, type DashboardDefinition } from "../common/dashboard-definition";
import { RefusalLimit, type AuthorizeOutcome } from "./write-refusal";
import { attachPosition, RELAY_FETCH_POINTS, seriesPerFetch, RELAY_ROUTE_HEADER, RELAY_ROUTING_HEADER, type AnnotationChange, type AttachOutcome, type RangeOutcome, type RelayRoute } from "../relay/relay-contract";
import type { Annotation, SeriesPoints } from "../common/protocol";
import { limits } from "../common/limits";
import { AnnotationStore, type AnnotationInput } from "./annotation-store";
import { RelayFleet } from "./relay-fleet";
import { snapshotPointsPerSeries } from "./snapshot-budget";
import { MAX_REPLAY_POINTS } from "./viewer-feed";
import type { DashboardMeta } from "./dashboard-store";
import { undefinedVariables, variablesField, type Variable } from "../common/template-variables";
import { shardFor, type DestroyOutcome, type DirectoryEntry, type StatsOutcome } from "../directory/directory-contract";
import { closeViewers, deleteStorage } from "../directory/deletion";
import { ClosableSource } from "../directory/closable-source";
import { Registration } from "../directory/registration";

/** Outcome of adding annotations: the annotations with their ids, or why none was added. */
export type AnnotateOutcome = { status: "ok"; added: Annotation[] } | { status: "not_found" } | { status: "forbidden"; required?: TokenScope } | { status: "full"; room: number };
/** Outcome of removing an annotation. */
export type UnannotateOutcome = { status: "ok" } | { status: "not_found" } | { status: "forbidden"; required?: TokenScope } | { status: "no_annotation" };
/** Outcome of reading annotations: at most `limits.maxAnnotationsPerRead`, `more` when the range holds more. */
export type AnnotationsOutcome = { status: "ok"; annotations: Annotation[]; more: boolean } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

/** Outcome of a configure call. */
export type ConfigureOutcome =
  | { status: "ok"; config: { id: string; title: string; panels: Panel[]; variables?: Variable[] } }
  | { status: "not_found" }
  | { status: "forbidden"; required?: TokenScope }
  /** The panels would name a variable the dashboard would not have: `field` is the body path at fault. */
  | { status: "invalid"; message: string; field: string };

/** Why a call with a token was refused: no such dashboard, not its token (or too many such), or a scope that does not allow it (`required`). */
export type TokenRefusal = Exclude<AuthorizeOutcome, { status: "ok" }>;
/** Outcome of adding a token: the token as listed (its secret was made by the Worker), or why not. */
export type AddTokenOutcome = { status: "ok"; token: TokenInfo } | TokenRefusal | { status: "full" };
/** Outcome of listing the tokens. */
export type ListTokensOutcome = { status: "ok"; tokens: TokenInfo[] } | TokenRefusal;
/** Outcome of revoking a token. */
export type RevokeTokenOutcome = { status: "ok" } | TokenRefusal | { status: "no_token" };
/** Outcome of reading the definition, for a reader allowed to see the dashboard. */
export type DefinitionOutcome = { status: "ok"; definition: DashboardDefinition } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

/** What a check of a credential found: allowed, not one of the dashboard's tokens, or a token whose scope does not allow it. */
type Permit = { status: "ok" } | { status: "unknown" } | { status: "forbidden"; required: TokenScope };
/** Outcome of a describe call. */
export type DescribeOutcome = { status: "ok"; info: DashboardInfo } | { status: "not_found" } | { status: Exclude<ViewVerdict, "allowed"> };

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
  private readonly tokens: TokenStore;
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
    this.tokens = new TokenStore(ctx.storage.sql, () => this.store.meta()!);
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

  /**
   * Creates the dashboard (private when a view key hash is given; with the `settings` of a
   * definition, under `title`), with its first tokens: the ingest token ("ingest token",
   * scope `edit`) and a private dashboard's view key ("view key", scope `read`); false when
   * it already exists.
   */
  create(input: { id: string; title: string; tokenHash: string; viewKeyHash: string | null; now: number; settings?: DashboardUpdate }): boolean {
    if (this.store.meta()) return false;
    // The only place tables are made: a request to an unknown id leaves no database behind.
    this.ctx.storage.transactionSync(() => {
      this.store.create({ id: input.id, title: input.title, tokenHash: input.tokenHash, viewKeyHash: input.viewKeyHash, createdAt: input.now });
      if (input.settings !== undefined) this.store.configure({ ...input.settings, title: input.title });
      this.idempotency.create();
      this.tokens.create(
        [{ name: "ingest token", scope: "edit", hash: input.tokenHash }, ...(input.viewKeyHash === null ? [] : [{ name: "view key", scope: "read" as const, hash: input.viewKeyHash }])],
        input.now,
      );
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
   * Deletes the dashboard and all its data, for the admin or an `edit` token of this
   * dashboard (a holder of which may already empty it of panels and tokens; deleting it is
   * the same trust, as an editor may delete a dashboard in Grafana). Its relays go first, each closing its viewers
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
  async destroy(credential: Credential): Promise<DestroyOutcome> {
    return this.ctx.blockConcurrencyWhile(async (): Promise<DestroyOutcome> => {
      const meta = this.store.meta();
      if (!meta) return { status: "not_found" };
      const refused = this.refusal(this.permit(credential, "edit"));
      if (refused) return refused;
      if (!(await this.relays.destroy())) return { status: "incomplete" };
      this.streamed.close();
      closeViewers(this.ctx);
      await this.registration.settled();
      await deleteStorage(this.ctx);
      this.store.wiped();
      this.tokens.forget();
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
   * Whether `credential` may do `action` (write, by default, or edit) here, asked by the
   * Worker before it reads a body. The Worker may remember a yes for a few seconds; every
   * call that writes or edits checks again, so a revoked token is refused at once.
   */
  authorize(credential: Credential, action: Exclude<TokenAction, "read"> = "write"): AuthorizeOutcome {
    if (!this.known()) return { status: "not_found" };
    return this.refusal(this.permit(credential, action)) ?? { status: "ok" };
  }

  /**
   * Whether `credential` may do `action`: the admin always (the Worker checked its token);
   * else it must be one of this dashboard's tokens, with a scope that allows it. A token's
   * use is recorded (at most once a minute).
   */
  private permit(credential: Credential, action: TokenAction): Permit {
    if (credential.kind === "admin") return { status: "ok" };
    const token = this.tokens.byHash(credential.tokenHash);
    if (!token) return { status: "unknown" };
    if (!scopeAllows(token.scope, action)) return { status: "forbidden", required: scopeNeeded(action) };
    this.tokens.used(token, Date.now());
    return { status: "ok" };
  }

  /** The refusal a permit stands for (a token that is not the dashboard's draws on the refusal limit), or null when allowed. */
  private refusal(permit: Permit): Exclude<TokenRefusal, { status: "not_found" }> | null {
    if (permit.status === "ok") return null;
    if (permit.status === "unknown") return this.refusals.refuse(Date.now());
    return permit;
  }

  /** Whether `access` may read this dashboard, and by which of its tokens; a token's use is recorded. */
  private admit(meta: { viewKeyHash: string | null }, access: ViewAccess): ViewAdmission {
    return admitReader(meta.viewKeyHash !== null, access, (hash) => {
      const token = this.tokens.byHash(hash);
      if (token) this.tokens.used(token, Date.now());
      return token;
    });
  }

  /** Adds a token (its secret made by the Worker, only its hash given), for the admin or an `edit` token. */
  addToken(credential: Credential, input: { name: string; scope: TokenScope; hash: string }): AddTokenOutcome {
    if (!this.store.meta()) return { status: "not_found" };
    const refused = this.refusal(this.permit(credential, "edit"));
    if (refused) return refused;
    if (this.tokens.count() >= limits.maxTokensPerDashboard) return { status: "full" };
    return { status: "ok", token: tokenInfo(this.tokens.add(input, Date.now())) };
  }

  /** The tokens, without secrets or hashes, for the admin or an `edit` token. */
  listTokens(credential: Credential): ListTokensOutcome {
    if (!this.store.meta()) return { status: "not_found" };
    const refused = this.refusal(this.permit(credential, "edit"));
    if (refused) return refused;
    return { status: "ok", tokens: this.tokens.list().map(tokenInfo) };
  }

  /**
   * Revokes token `id`, for the admin or an `edit` token. Effective at once: every later call
   * with it is refused here (whatever the Worker remembers), and the viewers it let in (here
   * and on the relays) are closed with 4403.
   */
  revokeToken(credential: Credential, id: string): RevokeTokenOutcome {
    if (!this.store.meta()) return { status: "not_found" };
    const refused = this.refusal(this.permit(credential, "edit"));
    if (refused) return refused;
    if (!this.tokens.remove(id)) return { status: "no_token" };
    this.stream.revoked([id]);
    this.relays.revoked([id]);
    return { status: "ok" };
  }

  /** The dashboard's definition (no data, no secret), for a reader allowed to see the dashboard. */
  definition(access: ViewAccess = {}): DefinitionOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const admission = this.admit(meta, access);
    if (admission.verdict !== "allowed") return { status: admission.verdict };
    // A dashboard without variables exports none, so older servers read its definition.
    const { variables, ...settings } = meta;
    return { status: "ok", definition: definitionOf({ ...settings, ...variablesField(variables) }, meta.viewKeyHash !== null) };
  }

  /** The dashboard's description, for a reader allowed to see it. */
  describe(access: ViewAccess = {}): DescribeOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const admission = this.admit(meta, access);
    if (admission.verdict !== "allowed") return { status: admission.verdict };
    const info: DashboardInfo = {
      id: meta.id,
      title: meta.title,
      createdAt: meta.createdAt,
      seq: meta.seq,
      viewers: this.stream.audience(),
      series: this.store.listSeries(),
      panels: meta.panels,
      ...variablesField(meta.variables),
      private: meta.viewKeyHash !== null,
    };
    return { status: "ok", info };
  }

  /**
   * Replaces the title, panels and/or variables and shows the change to every viewer at once.
   * Panels and variables given apart are checked together with the stored other: the schema
   * checks them only when both are in the body.
   */
  configure(credential: Credential, update: DashboardUpdate): ConfigureOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const refused = this.refusal(this.permit(credential, "edit"));
    if (refused) return refused.status === "rate_limited" ? { status: "forbidden" } : refused;
    const title = update.title ?? meta.title;
    const panels = update.panels ?? meta.panels;
    const variables = update.variables ?? meta.variables;
    const [unknown] = undefinedVariables(panels, variables);
    if (unknown) return { status: "invalid", message: unknown.message, field: update.panels ? unknown.path.join(".") : "variables" };
    this.store.configure(update);
    this.stream.configured(title, panels, variables);
    this.relays.configured(title, panels, variables);
    // The directory's copy of the title follows.
    this.known();
    return { status: "ok", config: { id: meta.id, title, panels, ...variablesField(variables) } };
  }

  /** Adds annotations and shows them to every viewer at once; refused whole when the dashboard has no room for them. */
  annotate(credential: Credential, inputs: AnnotationInput[]): AnnotateOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const permit = this.permit(credential, "write");
    if (permit.status !== "ok") return permit.status === "forbidden" ? permit : { status: "forbidden" };
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
    const permit = this.permit(credential, "write");
    if (permit.status !== "ok") return permit.status === "forbidden" ? permit : { status: "forbidden" };
    if (!this.annotations.remove(id)) return { status: "no_annotation" };
    this.announceAnnotations({ added: [], removed: [id] });
    return { status: "ok" };
  }

  /** Annotations with times in [`from`, `to`), for a reader allowed to see the dashboard. */
  annotationsIn(access: ViewAccess, from: number, to: number): AnnotationsOutcome {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const admission = this.admit(meta, access);
    if (admission.verdict !== "allowed") return { status: admission.verdict };
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
    const refused = this.refusal(this.permit(request.credential, "write"));
    if (refused) return refused;
    return this.writes.run(request, Date.now());
  }

  /**
   * Bucketed history of the series matching `patterns`, for a reader allowed to see it. Read
   * in slices, one per turn, so that live frames and ingest go on while a long range is read.
   */
  async history(access: ViewAccess, patterns: string[], from: number, to: number, step?: number): Promise<HistoryOutcome> {
    const meta = this.known();
    if (!meta) return { status: "not_found" };
    const admission = this.admit(meta, access);
    if (admission.verdict !== "allowed") return { status: admission.verdict };
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
    const admission = this.admit(meta, offeredKey === undefined ? {} : { viewKeyHash: await sha256Hex(offeredKey) });
    if (admission.verdict !== "allowed") return Response.json({ error: viewError(admission.verdict) }, { status: admission.verdict === "view_key_required" ? 401 : 403 });
    // A large audience's new viewers go to relays: the Worker takes them there.
    const route = request.headers.has(RELAY_ROUTING_HEADER) ? this.relays.route(this.stream.viewerCount()) : null;
    if (route !== null) return Response.json({ ...route, readers: this.readers(meta) } satisfies RelayRoute, { headers: { [RELAY_ROUTE_HEADER]: "1" } });
    const params = new URL(request.url).searchParams;
    const since = params.get("since");
    const series = viewerSeries(params);

    const { 0: client, 1: server } = new WebSocketPair();
    this.stream.join(
      server,
      { series, since: since === null ? null : Number(since), hello: helloOf(meta), token: admission.token },
      this.settings.maxFramesPerSecond,
    );
    // A browser that offered subprotocols fails the handshake unless one is selected.
    const headers: HeadersInit = offered.includes(VIEWER_PROTOCOL) ? { "Sec-WebSocket-Protocol": VIEWER_PROTOCOL } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** For the Worker to check a private dashboard's viewers before they reach a relay: each token's id and hash (null: public). */
  private readers(meta: { viewKeyHash: string | null }): RelayRoute["readers"] {
    return meta.viewKeyHash === null ? null : this.tokens.list().map((token) => ({ id: token.id, hash: token.hash }));
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
        hello: helloOf(meta),
        seq,
        prunedSeq: positions.prunedSeq,
        perSeries,
        series: this.store.recent(perSeries, seq, series.slice(0, carried)),
        withheld: series.slice(carried),
        viewers: this.stream.audience(),
        ...(meta.viewKeyHash === null ? {} : { tokens: this.tokens.list().map((token) => token.id) }),
      },
    };
  }

  /** Whether token `id` is the dashboard's, for a relay asked to let in a viewer with a token made after it attached. */
  hasToken(id: string): boolean {
    return this.store.meta() !== null && this.tokens.list().some((token) => token.id === id);
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

/** The dashboard's description as a viewer's `hello` carries it. */
function helloOf(meta: DashboardMeta): { dashboard: string; title: string; panels: Panel[]; variables?: Variable[] } {
  return { dashboard: meta.id, title: meta.title, panels: meta.panels, ...variablesField(meta.variables) };
}
