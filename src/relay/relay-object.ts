import { DurableObject } from "cloudflare:workers";
import { ErrorCode, VIEWER_PROTOCOL, viewerSeries } from "../common/http-contract";
import { CloseCode, HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE } from "../common/protocol";
import { dashboardSettings, type DashboardSettings } from "../dashboard/dashboard-settings";
import { closeQuietly } from "../dashboard/fan-out";
import { offeredProtocols } from "../dashboard/view-access";
import { RelayFleet } from "../dashboard/relay-fleet";
import type { SeriesPoints } from "../common/protocol";
import { viewError } from "../dashboard/view-error";
import { RELAY_VIEWER_TOKEN_HEADER, relayAddressOf, type AttachOutcome, type RangeOutcome, type RelayAck, type RelayAddress, type RelayUpdate } from "./relay-contract";
import { RelayedStream } from "./relayed-stream";
import { closeViewers, deleteStorage } from "../directory/deletion";

/**
 * A relay: holds a share of one dashboard's viewer sockets (hibernatable, their state in
 * attachments, the heartbeat answered by the runtime), takes each frame once from upstream
 * (the dashboard, or the relay above it) and sends it on to them and to the relays below it
 * (`RelayedStream`). Only the Worker reaches its sockets, after routing the viewer here and
 * checking a private dashboard's view key; only relays call its upstream methods. Entry
 * points only.
 */
export class Relay extends DurableObject<Env> {
  private readonly settings: DashboardSettings;
  private started: Promise<RelayedStream | null> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.settings = dashboardSettings(env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE));
  }

  /**
   * A viewer's upgrade, handed over by the Worker as it came (a copy of the request would
   * cost about 8 KiB per socket for as long as it stays open): the relay's own name says
   * which dashboard and relay it is (`relayName`).
   */
  override async fetch(request: Request): Promise<Response> {
    const address = relayAddressOf(this.ctx.id.name);
    if (!address) return Response.json({ error: { code: "not_found", message: "relays are reached through their dashboard" } }, { status: 404 });
    const relayed = await this.relayed(address);
    if (!relayed) return Response.json({ error: { code: ErrorCode.dashboardNotFound, message: "no such dashboard" } }, { status: 404 });
    const token = request.headers.get(RELAY_VIEWER_TOKEN_HEADER);
    if (token !== null && !(await relayed.admits(token))) return Response.json({ error: viewError("invalid_view_key") }, { status: 403 });
    const params = new URL(request.url).searchParams;
    const since = params.get("since");
    const { 0: client, 1: server } = new WebSocketPair();
    relayed.join(server, { series: viewerSeries(params), since: since === null ? null : Number(since), token });
    const offered = offeredProtocols(request.headers.get("Sec-WebSocket-Protocol"));
    const headers: HeadersInit = offered.includes(VIEWER_PROTOCOL) ? { "Sec-WebSocket-Protocol": VIEWER_PROTOCOL } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** A push from upstream: a frame, a viewer count, a config change, or a position to catch up to. */
  async update(update: RelayUpdate): Promise<RelayAck> {
    // A relay with no viewers and no relay below it takes no pushes: upstream stops sending them.
    if (!this.started && this.ctx.getWebSockets().length === 0 && !RelayFleet.hasMembers(this.ctx)) return { status: "detached" };
    const relayed = await this.relayed(update.address);
    return relayed ? relayed.update(update) : { status: "detached" };
  }

  /** A relay below this one (`self`) starts taking its frames (see `Dashboard.attachRelay`). */
  async attachRelay(self: RelayAddress, index: number, generation: string, through: number | null): Promise<AttachOutcome> {
    const relayed = await this.relayed(self);
    return relayed ? relayed.attachChild(index, generation, through) : { status: "not_found" };
  }

  /** Points after `after` for a relay below this one (see `Dashboard.relayRange`). */
  async relayRange(self: RelayAddress, after: number, through: number, limit: number): Promise<RangeOutcome> {
    const relayed = await this.relayed(self);
    return relayed ? relayed.range(after, through, limit) : { status: "not_found" };
  }

  /** The newest points of some series, for a relay below this one (see `Dashboard.relayRecent`). */
  async relayRecent(self: RelayAddress, keys: string[], perSeries: number, through: number): Promise<SeriesPoints[]> {
    const relayed = await this.relayed(self);
    return relayed ? relayed.recent(keys, perSeries, through) : [];
  }

  /** A relay below this one reports its viewers (see `Dashboard.relayViewers`). */
  async relayViewers(self: RelayAddress, index: number, generation: string, viewers: number): Promise<void> {
    (await this.relayed(self))?.childCounted(index, generation, viewers);
  }

  /**
   * The dashboard is being deleted (see `Dashboard.destroy`): the relays below this one
   * first, then its own viewers are closed with 4404 and its storage deleted. Whether this
   * relay and every one below it did.
   */
  async destroy(): Promise<boolean> {
    const address = relayAddressOf(this.ctx.id.name);
    if (!address) return true;
    if (!(await RelayFleet.destroyRecorded(this.ctx, this.env, address.dashboard))) return false;
    // Not waited for: a stream still starting asks the dashboard, which waits for this call.
    // Once started, it writes nothing more; the relay's next viewer starts a stream afresh.
    const started = this.started;
    this.started = null;
    started?.then((relayed) => relayed?.retire(), () => undefined);
    closeViewers(this.ctx);
    await deleteStorage(this.ctx);
    return true;
  }

  override async webSocketMessage(socket: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const relayed = await this.relayed();
    if (relayed) relayed.stream.message(socket, raw);
    else closeQuietly(socket, CloseCode.restarted, "the relay stopped: reconnect with since");
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    (await this.relayed())?.stream.left(socket, code, reason);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    (await this.relayed())?.stream.left(socket);
  }

  /**
   * The relay's stream, started on first use: for `address` when given, else for the
   * dashboard its record names (an instance woken by a viewer's message after hibernation).
   */
  private relayed(address?: RelayAddress): Promise<RelayedStream | null> {
    if (!this.started) {
      const known = address ?? RelayedStream.recordedAddress(this.ctx);
      if (!known) return Promise.resolve(null);
      const starting = RelayedStream.start(this.ctx, this.env, this.settings, { dashboard: known.dashboard, index: known.index }, () => {
        if (this.started === starting) this.started = null;
      }).then(
        (outcome) => {
          if (outcome.status === "ok") return outcome.stream;
          if (this.started === starting) this.started = null;
          return null;
        },
        (err: unknown) => {
          if (this.started === starting) this.started = null;
          throw err;
        },
      );
      this.started = starting;
    }
    return this.started;
  }
}
