/**
 * Memory and CPU of the server's processes, read from /proc (Linux): resident memory from
 * `VmRSS` in /proc/<pid>/status, CPU time from utime + stime in /proc/<pid>/stat.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second, the unit of /proc/<pid>/stat's times. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Resident memory of `pid` in KiB, or null when it is gone. */
export function residentKiB(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** CPU time `pid` has used (user plus system), in seconds, or null when it is gone. */
export function cpuSeconds(pid: number | null): number | null {
  const fields = stat(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / ticksPerSecond : null;
}

/**
 * The two workerd processes of a `wrangler dev` listening on `port`: the dev proxy, which
 * owns the public port and forwards every request and socket, and the runtime beside it
 * (same parent, the one with an inspector), which runs the Worker and its objects.
 */
export function devServerProcesses(port: number): { runtime: number | null; proxy: number | null } {
  const workerd = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => ({ pid: Number(name), args: commandLine(Number(name)) }))
    .filter((process) => process.args[0]?.endsWith("/workerd"));
  const proxy = workerd.find((process) => process.args.includes(`--socket-addr=entry=127.0.0.1:${port}`));
  if (!proxy) return { runtime: null, proxy: null };
  const parent = parentOf(proxy.pid);
  const runtime = workerd.find((process) => process.pid !== proxy.pid && parentOf(process.pid) === parent && process.args.some((arg) => arg.startsWith("--inspector-addr")));
  return { runtime: runtime?.pid ?? null, proxy: proxy.pid };
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

function parentOf(pid: number): number | null {
  const fields = stat(pid);
  return fields ? Number(fields[1]) : null;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): state is [0]. */
function stat(pid: number | null): string[] | null {
  if (pid === null) return null;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}
