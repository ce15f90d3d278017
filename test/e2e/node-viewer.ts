/**
 * A viewer socket from Node (its built-in WebSocket), recording every frame, for end-to-end
 * tests that check what reaches viewers without a browser in between.
 */
import type { ServerMessage } from "../../src/common/protocol.ts";

export class NodeViewer {
  /** Every JSON frame received, in order. */
  readonly frames: ServerMessage[] = [];
  #socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      if (typeof event.data === "string" && event.data.startsWith("{")) this.frames.push(JSON.parse(event.data) as ServerMessage);
    });
  }

  /** Opens a viewer of dashboard `id` at `base`; `since` resumes from a sequence number. */
  static async open(base: string, id: string, since?: number): Promise<NodeViewer> {
    const url = `${base.replace(/^http/, "ws")}/api/dashboards/${id}/ws${since === undefined ? "" : `?since=${since}`}`;
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), { once: true });
    });
    return new NodeViewer(socket);
  }

  /** The viewer's position: the last `to`, or `seq` of a snapshot or resume. */
  position(): number {
    let position = 0;
    for (const frame of this.frames) {
      if (frame.type === "snapshot" || frame.type === "resumed") position = frame.seq;
      if (frame.type === "points") position = frame.to;
    }
    return position;
  }

  /** Every point of the `points` frames as `key=value`, in arrival order. */
  points(): string[] {
    return this.frames.flatMap((frame) =>
      frame.type === "points" ? frame.series.flatMap((series) => series.values.map((value) => `${series.key}=${value}`)) : [],
    );
  }

  /** Waits until `ready()` holds, polling, failing after `timeoutMs` with what arrived. */
  async until(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 800)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.#socket.close(1000, "done");
  }
}
