// The JavaScript heap of the Worker's isolate under `wrangler dev` (the Worker and its Durable
// Objects), read through wrangler's inspector with the Chrome DevTools Protocol
// (`Runtime.getHeapUsage`). workerd's inspector does not answer `HeapProfiler.collectGarbage`,
// so a reading includes garbage not yet collected: the lowest readings over a stretch of time
// are what the code still holds. Used by bench/soak.ts to tell the isolate's memory from the
// rest of the runtime's.
import WebSocket from "ws";

/** What a heap reading gives, in bytes. */
export interface HeapReading {
  /** Objects on the heap: live ones, and garbage not yet collected. */
  usedBytes: number;
  /** The heap V8 has reserved. */
  totalBytes: number;
}

type Reply = { id?: number; result?: Record<string, unknown>; error?: { message: string } };

/** A connection to the isolate's inspector. */
export class IsolateHeap {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data) => {
      const reply = JSON.parse(String(data)) as Reply;
      if (reply.id !== undefined) this.waiting.get(reply.id)?.(reply);
    });
  }

  /** Connects to the first target wrangler's inspector lists on `port`. */
  static async connect(port: number): Promise<IsolateHeap> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
    const url = targets.find((target) => target.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}: ${JSON.stringify(targets)}`);
    // wrangler's inspector proxy takes DevTools connections from local origins only.
    const socket = new WebSocket(url, { origin: "http://localhost" });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", (err) => reject(new Error(`could not open ${url}: ${err.message}`)));
    });
    return new IsolateHeap(socket);
  }

  private call(method: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s`)), 30_000);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      this.socket.send(JSON.stringify({ id, method }));
    });
  }

  /** Reads the heap. */
  async read(): Promise<HeapReading> {
    const usage = await this.call("Runtime.getHeapUsage");
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  }

  close(): void {
    this.socket.close();
  }
}
