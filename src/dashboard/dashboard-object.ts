import { DurableObject } from "cloudflare:workers";
import { limits } from "../shared/limits";
import { HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE, type ServerMessage } from "../shared/protocol";
import type { Credential } from "./credential";
import { DashboardStore, type SeriesInfo } from "./dashboard-store";
import { broadcast, closeQuietly, send } from "./fan-out";
import type { Point } from "./point";
import { admitSeries } from "./series-cap";
import { constantTimeEqual } from "../worker/tokens";

/** What a viewer socket carries through hibernation (the only per-socket state). */
export interface ViewerAttachment {
  /** When the viewer connected, milliseconds since the epoch. */
  joinedAt: number;
}

/** A dashboard as the API describes it. */
export interface DashboardInfo {
  /** Dashboard id. */
  id: string;
  /** Human title. */
  title: string;
  /** Creation time, milliseconds since the epoch. */
  createdAt: number;
  /** Sequence number of the newest stored point. */
  seq: number;
  /** Viewers connected now. */
  viewers: number;
  /** Every series the dashboard has seen. */
  series: SeriesInfo[];
}

/** Outcome of an ingest call; `rejected` positions index the `points` array that was passed. */
export type IngestResult =
  | { status: "stored"; from: number; to: number; rejected: { position: number; message: string }[] }
  | { status: "rejected"; rejected: { position: number; message: string }[] }
  | { status: "not_found" }
  | { status: "forbidden" };

/**
 * One dashboard: its SQLite history and its viewers' sockets. An adapter only: storage,
 * fan-out and validation live in plain modules; this class wires them to the runtime.
 */
export class Dashboard extends DurableObject<Env> {
  private readonly store: DashboardStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DashboardStore(ctx.storage);
    // Answered by the runtime itself, so a heartbeat never wakes a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE));
  }

  /** Creates the dashboard; false when it already exists. */
  create(input: { id: string; title: string; tokenHash: string; now: number }): boolean {
    if (this.store.meta()) return false;
    this.store.create({ id: input.id, title: input.title, tokenHash: input.tokenHash, createdAt: input.now });
    return true;
  }

  /** The dashboard's description, or null when it was never created. */
  describe(): DashboardInfo | null {
    const meta = this.store.meta();
    if (!meta) return null;
    return {
      id: meta.id,
      title: meta.title,
      createdAt: meta.createdAt,
      seq: meta.seq,
      viewers: this.viewers().length,
      series: this.store.listSeries(),
    };
  }

  /** Stores the points the credential may write, then broadcasts them to every viewer. */
  ingest(credential: Credential, points: Point[]): IngestResult {
    const meta = this.store.meta();
    if (!meta) return { status: "not_found" };
    if (credential.kind === "ingest" && !constantTimeEqual(credential.tokenHash, meta.tokenHash)) return { status: "forbidden" };

    const { admitted, rejected } = admitSeries(points, (key) => this.store.hasSeries(key), this.store.seriesCount(), limits.maxSeriesPerDashboard);
    if (admitted.length === 0) return { status: "rejected", rejected };
    const batch = this.store.append(admitted);
    broadcast(this.viewers(), { type: "points", from: batch.from, to: batch.to, series: batch.series } satisfies ServerMessage);
    return { status: "stored", from: batch.from, to: batch.to, rejected };
  }

  /** Accepts a viewer's WebSocket (the Worker has checked the upgrade header and the id). */
  override async fetch(request: Request): Promise<Response> {
    const meta = this.store.meta();
    if (!meta) {
      return Response.json({ error: { code: "dashboard_not_found", message: "no such dashboard" } }, { status: 404 });
    }
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({ error: { code: "upgrade_required", message: "expected Upgrade: websocket" } }, { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ joinedAt: Date.now() } satisfies ViewerAttachment);

    const viewers = this.viewers();
    send(server, { type: "hello", dashboard: meta.id, title: meta.title, seq: meta.seq, viewers: viewers.length, serverTime: Date.now() });
    send(server, { type: "snapshot", seq: meta.seq, series: this.store.recent(limits.snapshotPointsPerSeries) });
    broadcast(
      viewers.filter((socket) => socket !== server),
      { type: "viewers", count: viewers.length },
    );
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): void {
    // Heartbeats never arrive here (auto-response); nothing else is part of the protocol yet.
    const what = typeof message === "string" ? `"${message.slice(0, 40)}"` : "a binary message";
    send(socket, { type: "error", code: "unsupported_message", message: `the server does not understand ${what}` });
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    // The Hibernation API does not answer a peer's close frame for us on any compat date.
    closeQuietly(socket, code, reason);
    this.announceViewers(socket);
  }

  override webSocketError(socket: WebSocket): void {
    closeQuietly(socket, 1011, "socket error");
    this.announceViewers(socket);
  }

  private announceViewers(leaving: WebSocket): void {
    const remaining = this.viewers().filter((socket) => socket !== leaving);
    broadcast(remaining, { type: "viewers", count: remaining.length });
  }

  /** Open viewer sockets; survives hibernation because the runtime keeps the list. */
  private viewers(): WebSocket[] {
    return this.ctx.getWebSockets().filter((socket) => socket.readyState === WebSocket.OPEN);
  }
}
