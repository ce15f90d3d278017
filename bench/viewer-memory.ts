// Memory per viewer: how much the runtime process's resident memory (and its isolate's
// JavaScript heap) grows while viewers connect, for Pulseboard (direct: the
// dashboard's own object holds every socket) and the partyserver room of the fan-out
// benchmark, each with viewers joining fast (100 at a time, the next batch as soon as the
// last is in, as the fan-out benchmark joins them) and slowly (the same batches 1.5 s apart,
// so that every message a join causes has gone out before the next batch), and again once
// every viewer has been sent one message (a request the server broadcasts), and after 30 s
// without traffic (time for an idle object to hibernate); and for Pulseboard with every viewer
// on a relay in a second process (bench/relay-process/), both runtimes counted.
// Usage: npx node bench/viewer-memory.ts [--viewers 2000] [--rows direct,direct-slow,room,room-slow,none,relayed]
// Viewers are `ws` sockets without compression in this process, straight to the runtime (past
// wrangler's dev proxy). Resident memory is VmRSS of the workerd process running the objects;
// the heap is the lowest of five readings over a second (workerd's inspector does not collect
// garbage on request).
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { IsolateHeap } from "./isolate-heap.ts";
import { machine } from "./machine.ts";
import { residentKiB } from "./fanout/process-stats.ts";
import { partyserver } from "./fanout/target-partyserver.ts";
import { pulseboard } from "./fanout/target-pulseboard.ts";
import type { Target, TargetKind } from "./fanout/target.ts";

const ROWS = ["direct", "direct-slow", "room", "room-slow", "none", "relayed"] as const;
const { values: args } = parseArgs({ options: { viewers: { type: "string", default: "2000" }, rows: { type: "string", default: ROWS.join(",") } } });
const chosen = args.rows.split(",");
const unknown = chosen.filter((row) => !(ROWS as readonly string[]).includes(row));
if (unknown.length > 0) throw new Error(`--rows takes some of ${ROWS.join(",")}; not ${unknown.join(",")}`);
const viewers = Number(args.viewers);
if (!(Number.isInteger(viewers) && viewers >= 100 && viewers <= 8000)) throw new Error("--viewers takes 100-8000");
const BATCH = 100;
const SLOW_PAUSE_MS = 1_500;
const QUIET_MS = 3_000;
const IDLE_MS = 30_000;
process.env.X_LOCAL_OBSERVABILITY = "false";

/** Opens one viewer; resolves once it is ready (Pulseboard: its snapshot has come). */
function open(url: string, pulseboardViewer: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`no answer from ${url} in 30 s`)), 30_000);
    const ready = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    socket.once("error", reject);
    if (!pulseboardViewer) socket.once("open", ready);
    else socket.on("message", (data) => String(data).startsWith('{"type":"snapshot"') && ready());
  });
}

/** One request of 10 points, which the server sends on to every viewer. */
async function post(target: Target, value: number): Promise<void> {
  const response = await fetch(target.ingest.url, { method: "POST", headers: target.ingest.headers, body: JSON.stringify(Array.from({ length: 10 }, (_, p) => ({ name: `s${p}`, value }))) });
  await response.arrayBuffer();
}

/** The heap in use (lowest of five readings over a second) and reserved (the last reading). */
async function lowestHeap(heap: IsolateHeap | null): Promise<{ used: number; reserved: number } | null> {
  if (!heap) return null;
  let used = Infinity;
  let reserved = 0;
  for (let i = 0; i < 5; i++) {
    const reading = await heap.read();
    used = Math.min(used, reading.usedBytes);
    reserved = reading.totalBytes;
    await delay(200);
  }
  return { used, reserved };
}

async function measure(kind: TargetKind, slow: boolean, query = "", relays: "off" | "second-process" = "off"): Promise<string> {
  const target: Target = await kind.start({ direct: true, relays });
  // With relays in a second process: both runtimes (the dashboard's holds no viewer).
  const resident = () => residentKiB(target.pids.runtime)! + (relays === "second-process" ? residentKiB(target.pids.relayRuntime ?? null)! : 0);
  const sockets: WebSocket[] = [];
  try {
    // A few requests first, as the fan-out benchmark warms up: Pulseboard's snapshots then hold points.
    for (let i = 0; i < 20; i++) await post(target, i);
    await delay(QUIET_MS);
    // The isolate holding the viewers: with relays in a second process, the relays'.
    const inspectorPort = relays === "off" ? target.inspectorPort : target.relayInspectorPort;
    const heap = inspectorPort === undefined ? null : await IsolateHeap.connect(inspectorPort);
    const before = { rss: resident(), heap: await lowestHeap(heap) };
    const began = performance.now();
    for (let i = 0; i < viewers; i += BATCH) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, viewers - i) }, () => open(`${target.viewerUrl}${query}`, kind === pulseboard)))));
      if (slow) await delay(SLOW_PAUSE_MS);
    }
    const joinSeconds = (performance.now() - began) / 1000;
    await delay(QUIET_MS);
    const after = { rss: resident(), heap: await lowestHeap(heap) };
    // Then one message to every viewer (a request the server broadcasts), to see what a
    // socket that has been sent something holds.
    await post(target, 999);
    await delay(QUIET_MS);
    const afterSend = resident();
    // Then nothing for a while, long enough for an idle object to hibernate (its instance and
    // the sockets' JavaScript objects go; the sockets stay open in the runtime).
    await delay(IDLE_MS);
    const afterIdle = resident();
    heap?.close();
    const perViewer = (bytes: number) => (bytes / viewers).toFixed(1);
    const heapNote =
      before.heap === null || after.heap === null
        ? "n/a | n/a"
        : `${((after.heap.used - before.heap.used) / 1024 / viewers).toFixed(1)} | ${((after.heap.reserved - before.heap.reserved) / 1024 / viewers).toFixed(1)}`;
    const row = `| ${kind.title}${relays === "off" ? "" : ", viewers on relays in a second process (both runtimes)"}${query ? ` (${query})` : ""} | ${slow ? `slow (batches ${SLOW_PAUSE_MS / 1000} s apart)` : "fast"} | ${joinSeconds.toFixed(1)} | ${(before.rss / 1024).toFixed(0)} → ${(after.rss / 1024).toFixed(0)} → ${(afterSend / 1024).toFixed(0)} | ${perViewer(after.rss - before.rss)} | ${perViewer(afterSend - before.rss)} | ${perViewer(afterIdle - before.rss)} | ${heapNote} |`;
    console.log(row);
    return row;
  } finally {
    for (const socket of sockets) socket.terminate();
    await target.stop();
  }
}

const rows: string[] = [];
if (chosen.includes("direct")) rows.push(await measure(pulseboard, false));
if (chosen.includes("direct-slow")) rows.push(await measure(pulseboard, true));
if (chosen.includes("room")) rows.push(await measure(partyserver, false));
if (chosen.includes("room-slow")) rows.push(await measure(partyserver, true));
// Viewers subscribed to a series that does not exist: an empty snapshot, no points frames.
if (chosen.includes("none")) rows.push(await measure(pulseboard, false, "?series=none"));
// Every viewer on a relay of 1,000 in a second `wrangler dev` (bench/relay-process/), which
// has no static assets in front of it (the room has none either). Its heap is the relays' isolate's.
if (chosen.includes("relayed")) rows.push(await measure(pulseboard, false, "", "second-process"));
console.log(
  [
    "",
    `${machine()}; ${viewers} viewers`,
    "",
    "| server | join | join s | runtime RSS before → connected → after one broadcast, MiB | RSS KiB per viewer, connected | after one broadcast | after 30 s idle | JS heap in use, KiB per viewer | JS heap reserved, KiB per viewer |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n"),
);
