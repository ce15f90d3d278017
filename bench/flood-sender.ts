// The abusive side of bench/socket-floods.ts, in a worker thread of its own, so that sending
// 10,000 messages (or taking in 50 snapshots) never holds up the probe's timers and
// measurements in the main thread. Reports what happened to the flood, then exits.
import { parentPort, workerData } from "node:worker_threads";

/** What the main thread asks for. */
export type FloodOrder =
  | { kind: "messages"; url: string; messages: string[] }
  | { kind: "joins"; url: string; joins: number };

/** What the flood did. */
export interface FloodReport {
  /** The close code the server sent (messages), or null if it never closed the socket. */
  code: number | null;
  /** Messages the server sent back after the snapshot (messages), or snapshots received (joins). */
  received: number;
  /** Bytes of those messages; for joins, of the largest snapshot. */
  bytes: number;
  /** Bytes of every snapshot, for joins. */
  totalBytes: number;
  /** From the first message sent (or the first join) until the flood was over, in ms. */
  ms: number;
}

const order = workerData as FloodOrder;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => resolve(socket), { once: true });
    socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)), { once: true });
  });
}

/** Resolves with the snapshot's size in bytes, or null if the socket closes first. */
function snapshot(socket: WebSocket): Promise<number | null> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      const text = String(event.data);
      if (!text.startsWith('{"type":"snapshot"')) return;
      socket.removeEventListener("message", onMessage);
      resolve(Buffer.byteLength(text));
    };
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", () => resolve(null), { once: true });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function messages(url: string, texts: string[]): Promise<FloodReport> {
  const socket = await open(url);
  await snapshot(socket);
  let received = 0;
  let bytes = 0;
  let quietSince = performance.now();
  let code: number | null = null;
  socket.addEventListener("message", (event) => {
    const text = String(event.data);
    // Live frames and viewer counts keep coming whatever the flood does; only answers count.
    if (text.startsWith('{"type":"points"') || text.startsWith('{"type":"viewers"')) return;
    received++;
    bytes += Buffer.byteLength(text);
    quietSince = performance.now();
  });
  socket.addEventListener("close", (event) => (code = event.code), { once: true });
  const began = performance.now();
  for (const text of texts) {
    if (socket.readyState !== WebSocket.OPEN) break;
    socket.send(text);
  }
  quietSince = performance.now();
  // Over when the server closes the socket, or once it has answered nothing for 3 s.
  while (code === null && performance.now() - quietSince < 3000) await delay(20);
  const ms = performance.now() - began;
  if (code === null) socket.close();
  return { code, received, bytes, totalBytes: bytes, ms };
}

async function joins(url: string, count: number): Promise<FloodReport> {
  const began = performance.now();
  const sizes = await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = await open(url);
      const size = await snapshot(socket);
      socket.close();
      return size;
    }),
  );
  const served = sizes.filter((size): size is number => size !== null);
  return { code: null, received: served.length, bytes: Math.max(0, ...served), totalBytes: served.reduce((a, b) => a + b, 0), ms: performance.now() - began };
}

parentPort!.postMessage(order.kind === "messages" ? await messages(order.url, order.messages) : await joins(order.url, order.joins));
