/**
 * Many viewer sockets in this one process: opened with bounded concurrency and a deadline,
 * each message booked as it arrives. The client is kept light: the `ws` package without
 * compression or UTF-8 validation, each message read once (viewer-protocol.ts), no
 * per-socket timers.
 */
import WebSocket from "ws";
import type { DeliveryLedger } from "./delivery-ledger.ts";
import { readMessage, type ViewerProtocol } from "./viewer-protocol.ts";

export interface FleetOptions {
  /** Viewer URL (ws://). */
  url: string;
  /** Sockets to open. */
  count: number;
  protocol: ViewerProtocol;
  ledger: DeliveryLedger;
  /** Handshakes in flight at once. */
  concurrency: number;
  /** Longest wait for one handshake, in ms. */
  handshakeTimeoutMs: number;
  /** No handshake starts later than this many ms after the first; the rest are not opened. */
  connectDeadlineMs: number;
}

export class ViewerFleet {
  private readonly options: FleetOptions;
  private readonly sockets: (WebSocket | undefined)[] = [];
  /** Per viewer: open now; ready (a Pulseboard viewer has its snapshot). */
  private readonly open: Uint8Array;
  private readonly ready: Uint8Array;
  /** Why sockets failed to open or closed early, with counts. */
  readonly failures = new Map<string, number>();
  /** Sockets that closed while the run was still measuring. */
  closedEarly = 0;
  /** When the latest message of any kind came (performance.now()). */
  lastMessageAt = 0;
  private measuring = true;

  constructor(options: FleetOptions) {
    this.options = options;
    this.open = new Uint8Array(options.count);
    this.ready = new Uint8Array(options.count);
  }

  /** Opens the fleet's sockets; resolves once every handshake started has ended one way or another. */
  async connectAll(): Promise<void> {
    const { count, concurrency, connectDeadlineMs } = this.options;
    const deadline = performance.now() + connectDeadlineMs;
    let next = 0;
    const opener = async () => {
      while (next < count && performance.now() < deadline) await this.connect(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, opener));
  }

  /** Sockets open now. */
  openCount(): number {
    return this.open.reduce((sum, flag) => sum + flag, 0);
  }

  /** Indices of the viewers that are open and ready: the ones a run's verdict counts. */
  connected(): number[] {
    const indices: number[] = [];
    for (let i = 0; i < this.options.count; i++) if (this.open[i] && this.ready[i]) indices.push(i);
    return indices;
  }

  /**
   * Waits until every open viewer is ready and no message has arrived for `quietMs` (a
   * server may still be telling viewers about each other), at most `maxMs`.
   */
  async settle(quietMs: number, maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline) {
      const allReady = this.connected().length === this.openCount();
      if (allReady && performance.now() - this.lastMessageAt >= quietMs) return;
      await delay(50);
    }
  }

  /** The run stopped measuring: later closes are the teardown's, not the server's doing. */
  stopMeasuring(): void {
    this.measuring = false;
  }

  /** Drops every socket at once, without closing handshakes. */
  terminate(): void {
    this.measuring = false;
    for (const socket of this.sockets) socket?.terminate();
  }

  private connect(index: number): Promise<void> {
    const { url, protocol, ledger, handshakeTimeoutMs } = this.options;
    const socket = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: handshakeTimeoutMs });
    this.sockets[index] = socket;
    socket.on("message", (data: Buffer) => {
      const at = performance.now();
      this.lastMessageAt = at;
      if (readMessage(protocol, ledger, index, data, at)) this.ready[index] = 1;
    });
    return new Promise((resolve) => {
      socket.once("open", () => {
        this.open[index] = 1;
        if (protocol === "broadcast") this.ready[index] = 1;
        resolve();
      });
      socket.on("error", (error) => {
        this.count(`error: ${error.message}`);
        resolve();
      });
      socket.once("close", (code) => {
        if (this.open[index] && this.measuring) {
          this.closedEarly++;
          this.count(`closed with ${code}`);
        }
        this.open[index] = 0;
        resolve();
      });
    });
  }

  private count(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
