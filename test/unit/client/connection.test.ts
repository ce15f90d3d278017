import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Connection, type ConnectionState } from "../../../src/client/connection/connection.ts";
import { CloseCode, OVER_BUDGET_RETRY_MS } from "../../../src/common/protocol.ts";

/** A socket the test opens and closes by hand; every one made is kept, in order. */
class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static made: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  binaryType = "blob";
  /** When it was made (the fake clock). */
  readonly madeAt = Date.now();
  constructor(readonly url: string) {
    super();
    FakeSocket.made.push(this);
  }
  send(): void {}
  close(code = 1000, reason = ""): void {
    this.serverClose(code, reason);
  }
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }
  /** The server closes the socket with `code`. */
  serverClose(code: number, reason = ""): void {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(Object.assign(new Event("close"), { code, reason, wasClean: true }));
  }
}

describe("the page's connection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    vi.stubGlobal("navigator", { onLine: true });
    vi.stubGlobal("addEventListener", () => {});
    vi.stubGlobal("removeEventListener", () => {});
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  /** A connection on fake sockets, with its first socket open, and the states it went through. */
  async function connected(): Promise<{ connection: Connection; states: ConnectionState[] }> {
    const states: ConnectionState[] = [];
    const connection = new Connection(() => "ws://test/ws", { onState: (state) => states.push(state), onText: () => {} }, {}, undefined, FakeSocket as unknown as typeof WebSocket);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.made).toHaveLength(1);
    FakeSocket.made[0]!.open();
    return { connection, states };
  }

  it(`waits at least one budget window (${OVER_BUDGET_RETRY_MS / 1000} s), at most two, after the server closed it for its budget`, async () => {
    const { connection, states } = await connected();
    const closedAt = Date.now();
    FakeSocket.made[0]!.serverClose(CloseCode.overBudget, "over budget: reconnect later");
    expect(states.at(-1)).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(OVER_BUDGET_RETRY_MS - 1);
    expect(FakeSocket.made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(OVER_BUDGET_RETRY_MS + 1);
    // The next attempt came within the second window (later ones, as the fake never opens, may follow).
    expect(FakeSocket.made.length).toBeGreaterThanOrEqual(2);
    const waited = FakeSocket.made[1]!.madeAt - closedAt;
    expect(waited).toBeGreaterThanOrEqual(OVER_BUDGET_RETRY_MS);
    expect(waited).toBeLessThanOrEqual(2 * OVER_BUDGET_RETRY_MS);
    connection.close();
  });

  it("comes back within seconds after an ordinary drop", async () => {
    const { connection } = await connected();
    FakeSocket.made[0]!.serverClose(CloseCode.sendFailed);
    // The first retry waits 1-2 s (spread so that a crowd does not come back at once).
    await vi.advanceTimersByTimeAsync(2_500);
    expect(FakeSocket.made).toHaveLength(2);
    connection.close();
  });

  it("does not come back after a do-not-reconnect code, and says offline", async () => {
    const { connection, states } = await connected();
    FakeSocket.made[0]!.serverClose(CloseCode.tooManyInvalidMessages);
    await vi.advanceTimersByTimeAsync(4 * OVER_BUDGET_RETRY_MS);
    expect(FakeSocket.made).toHaveLength(1);
    expect(states.at(-1)).toBe("offline");
    connection.close();
  });
});
