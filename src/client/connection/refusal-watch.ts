/**
 * Tells a refused viewer socket from a lost one. The server refuses a viewer before the
 * upgrade (docs/protocol.md, "Connecting": 404 for an unknown dashboard, 401/403 for a missing
 * or wrong view key), and a browser shows a page nothing of a refused upgrade but a close
 * with code 1006, exactly as for a network failure. So while the socket is down the page asks
 * the HTTP API, which answers with the reason; a refusal (the dashboard is gone, say after a
 * local server was restarted with fresh state) ends the retries instead of reading "Offline"
 * for ever. An unreachable server answers nothing, and the socket keeps retrying.
 */
import type { DashboardLookup } from "../dashboard/dashboard-api.ts";
import type { ConnectionState } from "./connection.ts";
import { CloseCode } from "../../common/protocol.ts";

/** What the HTTP API said that means "stop retrying". */
export type Refusal = Extract<DashboardLookup, { kind: "not-found" | "private" | "wrong-key" }>;

export class RefusalWatch {
  #lookUp: () => Promise<DashboardLookup>;
  #onRefused: (refusal: Refusal) => void;
  #everyMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts the times the socket went live, so an answer to a question asked before is dropped. */
  #lives = 0;
  #done = false;

  /**
   * `lookUp` reads the dashboard as the page first did; `onRefused` hears the first refusal,
   * after which the watch stops. While the socket is down it asks every `everyMs` (the first
   * time after half to one and a half of that, so a crowd dropped together asks spread out).
   */
  constructor(lookUp: () => Promise<DashboardLookup>, onRefused: (refusal: Refusal) => void, everyMs = 10_000) {
    this.#lookUp = lookUp;
    this.#onRefused = onRefused;
    this.#everyMs = everyMs;
  }

  /** Hears every connection state: down starts asking, live stops. */
  state(state: ConnectionState): void {
    if (this.#done) return;
    if (state === "live") {
      this.#lives++;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (state !== "connecting" && this.#timer === undefined) {
      this.#schedule(this.#everyMs * (0.5 + Math.random()));
    }
  }

  /**
   * The server closed the socket with a code that says the dashboard or the key is gone
   * (4404 deleted, 4403 key revoked): ask at once rather than after the usual wait.
   */
  closedFor(code: number): void {
    if (this.#done || (code !== CloseCode.deleted && code !== CloseCode.revoked)) return;
    clearTimeout(this.#timer);
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    const lives = this.#lives;
    this.#timer = setTimeout(() => void this.#ask(lives), delayMs);
  }

  async #ask(lives: number): Promise<void> {
    const lookup = await this.#lookUp();
    // Live again meanwhile: the answer is about a socket that is back.
    if (this.#done || lives !== this.#lives) return;
    if (lookup.kind === "not-found" || lookup.kind === "private" || lookup.kind === "wrong-key") {
      this.#done = true;
      this.#timer = undefined;
      this.#onRefused(lookup);
      return;
    }
    this.#schedule(this.#everyMs);
  }
}
