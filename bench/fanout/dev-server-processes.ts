/**
 * What `wrangler dev` runs, found through /proc (Linux): two workerd processes, the dev proxy
 * that owns the public port and forwards every request and socket, and beside it the runtime
 * that runs the Worker and its objects, on a port of its own.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { parentOf } from "./process-stats.ts";

/** The proxy and runtime of the `wrangler dev` serving `port` (null where not found). */
export function devServerProcesses(port: number): { runtime: number | null; proxy: number | null } {
  const workerd = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => ({ pid: Number(name), args: commandLine(Number(name)) }))
    .filter((process) => process.args[0]?.endsWith("/workerd"));
  const proxy = workerd.find((process) => process.args.includes(`--socket-addr=entry=127.0.0.1:${port}`));
  if (!proxy) return { runtime: null, proxy: null };
  const parent = parentOf(proxy.pid);
  // The runtime is the sibling with an inspector; the proxy has none.
  const runtime = workerd.find((process) => process.pid !== proxy.pid && parentOf(process.pid) === parent && process.args.some((arg) => arg.startsWith("--inspector-addr")));
  return { runtime: runtime?.pid ?? null, proxy: proxy.pid };
}

/**
 * The runtime's own base URL, which serves the Worker without the dev proxy in between: the
 * one of its listening ports that answers `/healthz` (the others are the inspector's and
 * the debug port).
 */
export async function runtimeBaseUrl(runtime: number | null): Promise<string> {
  if (runtime === null) throw new Error("the workerd runtime of wrangler dev was not found");
  for (const port of listeningPorts(runtime)) {
    const base = `http://127.0.0.1:${port}`;
    try {
      const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return base;
    } catch {
      // Not an HTTP port.
    }
  }
  throw new Error(`no port of workerd ${runtime} answers /healthz`);
}

/** TCP ports `pid` listens on (IPv4): its socket inodes matched against /proc/net/tcp. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // Field 3 is the state (0A: listening), field 9 the inode; field 1 is address:port in hex.
    if (fields[3] === "0A" && inodes.has(fields[9]!)) ports.push(parseInt(fields[1]!.split(":")[1]!, 16));
  }
  return ports;
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}
