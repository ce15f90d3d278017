/**
 * The viewer WebSocket: partysocket's reconnecting socket plus a heartbeat, reduced to four
 * states the page can show. It knows the heartbeat words of the protocol and nothing else;
 * every other text frame is handed on as it arrived.
 */
import { WebSocket as ReconnectingWebSocket } from "partysocket";
import { CloseCode, HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE, isFinalClose, OVER_BUDGET_RETRY_MS } from "../../common/protocol.ts";

/**
 * - `connecting`: first attempt, nothing received yet.
 * - `live`: the server has spoken on the current socket.
 * - `reconnecting`: the socket dropped or an attempt failed; retrying with backoff.
 * - `offline`: the browser reports no network, many attempts failed in a row, or the
 *   server closed with a "do not reconnect" code.
 */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** Timings; the defaults suit people watching a dashboard. */
export interface ConnectionTiming {
  /** How often to send a heartbeat while open, in ms. */
  heartbeatEveryMs: number;
  /** How long after a heartbeat silence means a dead socket, in ms. */
  heartbeatTimeoutMs: number;
  /** First retry delay, in ms (partysocket grows it by `reconnectGrowth` per failure). */
  reconnectMinMs: number;
  /** Longest retry delay, in ms. */
  reconnectMaxMs: number;
  /** Factor the delay grows by per failed attempt. */
  reconnectGrowth: number;
  /** How long an attempt may take to open, in ms. */
  connectTimeoutMs: number;
  /** Consecutive failed attempts after which the badge says offline (retries go on). */
  offlineAfterFailures: number;
}

export const defaultTiming: ConnectionTiming = {
  // Proxies commonly drop idle sockets after 30-100 s; a 15 s heartbeat keeps it busy and
  // notices a half-open socket (no close frame ever arrives) within 25 s.
  heartbeatEveryMs: 15_000,
  heartbeatTimeoutMs: 10_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 15_000,
  reconnectGrowth: 1.5,
  connectTimeoutMs: 5_000,
  offlineAfterFailures: 8,
};

/**
 * The server closed because this socket asked for more than its budget. The page asks for
 * one snapshot or replay per connection, well within it, so this is rare; retrying at the
 * usual pace would only be closed again, so the retry waits one budget window (spread, so a
 * crowd closed together does not come back together).
 */
function isOverBudget(code: number): boolean {
  return code === CloseCode.overBudget;
}

export interface ConnectionEvents {
  /** The state changed. */
  onState(state: ConnectionState): void;
  /** A text frame other than the heartbeat answer arrived. */
  onText(text: string): void;
  /** The socket closed, with this code (docs/protocol.md, close codes). */
  onClose?(code: number): void;
}

export class Connection {
  #socket: ReconnectingWebSocket;
  #events: ConnectionEvents;
  #timing: ConnectionTiming;
  #state: ConnectionState = "connecting";
  #failures = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #silence: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #budgetRetry: ReturnType<typeof setTimeout> | undefined;

  /**
   * `url` is asked again before every attempt, so a reconnect can say where to resume.
   * `protocols` are the subprotocols offered on every attempt (a private dashboard's view key
   * travels this way, since browsers cannot set headers on a WebSocket). `socketClass` is the
   * browser's WebSocket unless a test gives another.
   */
  constructor(
    url: () => string,
    events: ConnectionEvents,
    timing: Partial<ConnectionTiming> = {},
    protocols?: string[],
    socketClass?: typeof WebSocket,
  ) {
    this.#events = events;
    this.#timing = { ...defaultTiming, ...timing };
    const t = this.#timing;
    this.#socket = new ReconnectingWebSocket(url, protocols, {
      minReconnectionDelay: t.reconnectMinMs * (1 + Math.random()), // spread a crowd's retries
      maxReconnectionDelay: t.reconnectMaxMs,
      reconnectionDelayGrowFactor: t.reconnectGrowth,
      connectionTimeout: t.connectTimeoutMs,
      shouldReconnectOnClose: (event) => !isFinalClose(event.code) && !isOverBudget(event.code),
      ...(socketClass === undefined ? {} : { WebSocket: socketClass }),
    });
    this.#socket.addEventListener("open", () => this.#startHeartbeat());
    this.#socket.addEventListener("message", (event) => this.#receive(event.data));
    this.#socket.addEventListener("close", (event) => this.#dropped(event.code));
    addEventListener("offline", this.#wentOffline);
    addEventListener("online", this.#cameOnline);
    if (!navigator.onLine) this.#setState("offline");
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Sends text if the socket is open; returns whether it went out. */
  send(text: string): boolean {
    return this.#socket.readyState === ReconnectingWebSocket.OPEN && this.#socket.send(text);
  }

  /** Closes for good; no more events. */
  close(): void {
    this.#stopped = true;
    this.#stopHeartbeat();
    clearTimeout(this.#budgetRetry);
    removeEventListener("offline", this.#wentOffline);
    removeEventListener("online", this.#cameOnline);
    this.#socket.close();
  }

  #receive(data: unknown): void {
    if (this.#stopped || typeof data !== "string") return;
    clearTimeout(this.#silence);
    this.#failures = 0;
    if (navigator.onLine) this.#setState("live");
    if (data !== HEARTBEAT_RESPONSE) this.#events.onText(data);
  }

  #dropped(code: number): void {
    this.#stopHeartbeat();
    if (this.#stopped) return;
    this.#events.onClose?.(code);
    this.#failures++;
    if (isOverBudget(code)) {
      clearTimeout(this.#budgetRetry);
      this.#budgetRetry = setTimeout(() => this.#socket.reconnect(), OVER_BUDGET_RETRY_MS * (1 + Math.random()));
    }
    const giveUp = isFinalClose(code) || !navigator.onLine || this.#failures >= this.#timing.offlineAfterFailures;
    this.#setState(giveUp ? "offline" : "reconnecting");
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      if (!this.send(HEARTBEAT_REQUEST)) return;
      clearTimeout(this.#silence);
      // Any frame (the `pong` or data) clears this; silence means the socket is dead even
      // though no close event came, which is what a sleeping laptop or a lost route looks like.
      this.#silence = setTimeout(() => this.#socket.reconnect(), this.#timing.heartbeatTimeoutMs);
    }, this.#timing.heartbeatEveryMs);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#silence);
  }

  #wentOffline = (): void => {
    this.#setState("offline");
  };

  #cameOnline = (): void => {
    // Retry at once instead of waiting out a long backoff that was grown while offline.
    this.#failures = 0;
    this.#setState("reconnecting");
    this.#socket.reconnect();
  };

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#events.onState(state);
  }
}
