/**
 * Memory and CPU of the server's processes, read from /proc (Linux): resident memory from
 * `VmRSS` in /proc/<pid>/status, CPU time from utime + stime in /proc/<pid>/stat.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

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

/** The parent of `pid`, or null when it is gone. */
export function parentOf(pid: number): number | null {
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
