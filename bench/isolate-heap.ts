// The JavaScript heap of the Worker's isolate under `wrangler dev` (the Worker and its Durable
// Objects), read through wrangler's inspector with the Chrome DevTools Protocol
// (`Runtime.getHeapUsage`). workerd's inspector does not answer `HeapProfiler.collectGarbage`,
// so a reading includes garbage not yet collected: the lowest readings over a stretch of time
// are what the code still holds. Used by bench/soak.ts to tell the isolate's memory from the
// rest of the runtime's.
import { Inspector } from "./cpu-profile.ts";

/** What a heap reading gives, in bytes. */
export interface HeapReading {
  /** Objects on the heap: live ones, and garbage not yet collected. */
  usedBytes: number;
  /** The heap V8 has reserved. */
  totalBytes: number;
}

/** A connection to the isolate's inspector, for heap readings. */
export class IsolateHeap {
  private readonly inspector: Inspector;

  private constructor(inspector: Inspector) {
    this.inspector = inspector;
  }

  /** Connects to the first target wrangler's inspector lists on `port`. */
  static async connect(port: number): Promise<IsolateHeap> {
    return new IsolateHeap(await Inspector.connect(port));
  }

  /** Reads the heap. */
  async read(): Promise<HeapReading> {
    const usage = await this.inspector.call("Runtime.getHeapUsage");
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  }

  close(): void {
    this.inspector.close();
  }
}
