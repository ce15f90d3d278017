// The JavaScript heap of the Worker's isolate under `wrangler dev` (the Worker and its Durable
// Objects), read through wrangler's inspector with the Chrome DevTools Protocol: a full
// garbage collection first, so what is left is what the code still holds, not what V8 has not
// yet collected. Used by bench/soak.ts to tell the object's memory from the runtime's.

/** What a heap reading gives, in bytes. */
export interface HeapReading {
  /** Live objects after a full collection. */
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
    socket.addEventListener("message", (event) => {
      const reply = JSON.parse(String(event.data)) as Reply;
      if (reply.id !== undefined) this.waiting.get(reply.id)?.(reply);
    });
  }

  /** Connects to the first target wrangler's inspector lists on `port`. */
  static async connect(port: number): Promise<IsolateHeap> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
    const url = targets.find((target) => target.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}: ${JSON.stringify(targets)}`);
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), { once: true });
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

  /** Collects garbage, then reads the heap. */
  async read(): Promise<HeapReading> {
    await this.call("HeapProfiler.collectGarbage");
    const usage = await this.call("Runtime.getHeapUsage");
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  }

  close(): void {
    this.socket.close();
  }
}
