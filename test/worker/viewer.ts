import { SELF } from "cloudflare:test";
import type { ServerMessage } from "../../src/common/protocol";

type MessageOf<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** A viewer socket opened through the Worker, recording every frame it receives. */
export class Viewer {
  /** Every parsed JSON frame, in arrival order. */
  readonly frames: ServerMessage[] = [];
  /** The length in bytes of each of {@link frames}, as it arrived. */
  readonly sizes: number[] = [];
  /** Text frames that were not JSON (heartbeat answers). */
  readonly texts: string[] = [];
  /** The close the server sent, once it has. */
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.addEventListener("message", (event) => {
      const data = event.data as string;
      try {
        this.frames.push(JSON.parse(data) as ServerMessage);
        this.sizes.push(new TextEncoder().encode(data).length);
      } catch {
        this.texts.push(data);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Opens a viewer; `query` is the socket URL's query string (`since`, `series`). */
  static async open(dashboard: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Viewer> {
    const response = await Viewer.handshake(dashboard, query, headers);
    if (response.status !== 101 || !response.webSocket) throw new Error(`expected 101, got ${response.status}: ${await response.text()}`);
    response.webSocket.accept();
    return new Viewer(response.webSocket);
  }

  /** The upgrade request a viewer makes, answered but not yet accepted. */
  static handshake(dashboard: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const search = new URLSearchParams(query).toString();
    return SELF.fetch(`http://localhost/api/dashboards/${dashboard}/ws${search ? `?${search}` : ""}`, { headers: { Upgrade: "websocket", ...headers } });
  }

  /** Frames of one type received so far. */
  all<T extends ServerMessage["type"]>(type: T): MessageOf<T>[] {
    return this.frames.filter((frame): frame is MessageOf<T> => frame.type === type);
  }

  /** Waits until `ready()` holds over what has arrived, failing after `timeoutMs`. */
  async until(ready: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the `n`-th (1-based) frame of a type and returns it. */
  async nth<T extends ServerMessage["type"]>(type: T, n = 1): Promise<MessageOf<T>> {
    await this.until(() => this.all(type).length >= n, `${type} frame #${n}`);
    return this.all(type)[n - 1]!;
  }

  /** The last viewer count this viewer was told (from hello or viewers frames). */
  viewerCount(): number | undefined {
    const counts = this.frames.flatMap((frame) => (frame.type === "viewers" ? [frame.count] : frame.type === "hello" ? [frame.viewers] : []));
    return counts.at(-1);
  }

  /** The sequence number this viewer has reached: the last `to`, or `seq` of a snapshot or resume. */
  position(): number {
    let position = 0;
    for (const frame of this.frames) {
      if (frame.type === "snapshot" || frame.type === "resumed") position = frame.seq;
      if (frame.type === "points") position = frame.to;
    }
    return position;
  }

  /**
   * The values of every `points` frame, per series key, in arrival order, after checking
   * that the frames' ranges follow one another from `start` without gap or overlap
   * (frames that end at or before `start` are skipped).
   */
  receivedValues(start: number): Map<string, number[]> {
    const values = new Map<string, number[]>();
    let previous = start;
    for (const frame of this.all("points")) {
      if (frame.to <= start) continue;
      if (frame.from !== previous + 1) throw new Error(`frame ${frame.from}..${frame.to} does not follow ${previous}`);
      previous = frame.to;
      for (const series of frame.series) {
        if (!values.has(series.key)) values.set(series.key, []);
        values.get(series.key)!.push(...series.values);
      }
    }
    return values;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  close(): void {
    this.socket.close(1000, "done");
  }
}
