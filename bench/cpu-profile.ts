// A CPU profile of the Worker's isolate under `wrangler dev` (the Worker and its Durable
// Objects share it), taken through wrangler's inspector with the Chrome DevTools Protocol
// (`Profiler.*`), and summarised: self time per function, and the longest stretches in which
// the isolate was busy without a break. The raw profile is written out so that it can be
// opened in DevTools (Performance panel, "Load profile"). Also home to the inspector
// connection bench/isolate-heap.ts reads the heap through.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { SourceMap } from "node:module";
import { readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

type Reply = { id?: number; result?: Record<string, unknown>; error?: { message: string } };

/** A connection to the isolate's inspector. */
export class Inspector {
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
  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
    const url = targets.find((target) => target.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}: ${JSON.stringify(targets)}`);
    // wrangler's inspector proxy takes DevTools connections from local origins only.
    const socket = new WebSocket(url, { origin: "http://localhost", maxPayload: 1 << 30 });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", (err) => reject(new Error(`could not open ${url}: ${err.message}`)));
    });
    return new Inspector(socket);
  }

  /** Sends one command and resolves with its result. */
  call(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s`)), 30_000);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      this.socket.send(JSON.stringify(params ? { id, method, params } : { id, method }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** A profile as `Profiler.stop` returns it (the .cpuprofile format). */
interface Profile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  /** Microseconds, on the clock `nowUs` reads (see `CpuProfile.stop`). */
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Microseconds on the system's monotonic clock, the one V8's profile timestamps use on Linux. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

const root = fileURLToPath(new URL("..", import.meta.url));
const IDLE = "(idle)";
const PROGRAM = "(program)";
const GC = "(garbage collector)";
/**
 * A pause between samples this many intervals long is a break, as an idle sample is: workerd
 * takes no samples while the isolate waits for its next event, so the sample before such a
 * pause stands for an ordinary interval, not for the pause.
 */
const GAP_FACTOR = 10;
/** How a profile's time splits, in the order the summary gives it. */
const KINDS = ["JavaScript", PROGRAM, GC, IDLE];

/** One function's place in a summary: its name and where it is. */
interface Site {
  name: string;
  where: string;
}

/** A sampling profile of the isolate, from `start` to `stop`. */
export class CpuProfile {
  private readonly inspector: Inspector;
  private readonly intervalUs: number;
  /** Our clock when `Profiler.start` was sent and when it answered. */
  private readonly startedUs: [number, number];

  private constructor(inspector: Inspector, intervalUs: number, startedUs: [number, number]) {
    this.inspector = inspector;
    this.intervalUs = intervalUs;
    this.startedUs = startedUs;
  }

  /** Connects to the inspector on `port` and starts sampling every `intervalUs` microseconds. */
  static async start(port: number, intervalUs = 100): Promise<CpuProfile> {
    const inspector = await Inspector.connect(port);
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: intervalUs });
    const sent = nowUs();
    await inspector.call("Profiler.start");
    return new CpuProfile(inspector, intervalUs, [sent, nowUs()]);
  }

  /**
   * Stops sampling, writes the raw profile to bench/results/profiles/`name`.cpuprofile and
   * returns its summary in markdown. Call it before the server stops: wrangler deletes the
   * bundle (and its source map) on exit.
   */
  async stop(options: StopOptions): Promise<string> {
    const { name, zeroUs, marks = [], wranglerDir = root } = options;
    const profile = (await this.inspector.call("Profiler.stop")).profile as Profile;
    await this.inspector.call("Profiler.disable");
    this.inspector.close();
    const dir = join(root, "bench/results/profiles");
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    // workerd's V8 stamps samples with the system's monotonic clock, as Node's hrtime does, so
    // the two compare directly; if the start stamp is not where we started, fall back to
    // counting from the moment `Profiler.start` was answered.
    const [sent, answered] = this.startedUs;
    const sameClock = profile.startTime >= sent - 5_000 && profile.startTime <= answered + 5_000;
    const shift = sameClock ? 0 : (sent + answered) / 2 - profile.startTime;
    return await summarise(profile, wranglerDir, {
      file: relative(root, file),
      zeroUs: zeroUs - shift,
      intervalUs: this.intervalUs,
      clock: sameClock ? "shared monotonic clock" : `start of sampling (±${((answered - sent) / 2000).toFixed(1)} ms)`,
      marks: marks.map((mark) => ({ ...mark, fromUs: mark.fromUs - shift, toUs: mark.toUs - shift })),
    });
  }
}

export interface StopOptions {
  /** The file's name, without .cpuprofile. */
  name: string;
  /** Where the summary's times count from, on `nowUs`'s clock. */
  zeroUs: number;
  /** Spans (same clock) to show against the busy stretches. */
  marks?: { label: string; fromUs: number; toUs: number }[];
  /** The directory holding the `.wrangler` the server bundles into (its config's); the repository's root by default. */
  wranglerDir?: string;
}

interface SummaryOptions {
  file: string;
  zeroUs: number;
  intervalUs: number;
  clock: string;
  marks: { label: string; fromUs: number; toUs: number }[];
}

async function summarise(profile: Profile, wranglerDir: string, options: SummaryOptions): Promise<string> {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const place = await placer(profile, wranglerDir);

  // Each sample's time stamp, and the time it stands for: up to the next sample.
  const stamps: number[] = [];
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) stamps.push((at += deltas[i] ?? 0));
  const gap = GAP_FACTOR * options.intervalUs;
  const steps = stamps.slice(1).map((stamp, i) => stamp - stamps[i]!);
  // The sampler's real interval (on a loaded machine, longer than the one asked for).
  const typical = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? options.intervalUs;
  const weight = (i: number) => {
    const step = steps[i];
    return step !== undefined && step <= gap ? step : typical;
  };
  const pauses = steps.filter((step) => step > gap);
  const nameOf = (i: number) => byId.get(samples[i]!)!.callFrame.functionName;

  const selfTimes = (from: number, to: number) => {
    const sites = new Map<string, { site: Site; us: number; count: number }>();
    for (let i = from; i < to; i++) {
      const site = place(samples[i]!);
      const key = `${site.name} ${site.where}`;
      const entry = sites.get(key) ?? { site, us: 0, count: 0 };
      entry.us += weight(i);
      entry.count++;
      sites.set(key, entry);
    }
    return [...sites.values()].sort((a, b) => b.us - a.us);
  };
  // Time with a function anywhere on the stack, each function counted once per sample: which
  // code path the self time was spent under.
  const totalTimes = (from: number, to: number) => {
    const sites = new Map<string, { site: Site; us: number }>();
    for (let i = from; i < to; i++) {
      const seen = new Set<string>();
      for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
        const frame = byId.get(id)!.callFrame;
        if (!frame.url) continue;
        const site = place(id);
        const key = `${site.name} ${site.where}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const entry = sites.get(key) ?? { site, us: 0 };
        entry.us += weight(i);
        sites.set(key, entry);
      }
    }
    return [...sites.values()].sort((a, b) => b.us - a.us);
  };

  const ms = (us: number) => (us / 1000).toFixed(1);
  const rel = (us: number) => `${((us - options.zeroUs) / 1000).toFixed(0)} ms`;
  const total = samples.reduce((sum, _, i) => sum + weight(i), 0);
  const kinds = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const name = nameOf(i);
    const kind = name === IDLE || name === PROGRAM || name === GC ? name : "JavaScript";
    kinds.set(kind, (kinds.get(kind) ?? 0) + weight(i));
  }
  const lines: string[] = [
    `Profile \`${options.file}\`: ${samples.length} samples, ${ms(total)} ms sampled (asked every ${options.intervalUs} µs, taken every ${typical} µs at the median), ` +
      `from ${rel(profile.startTime)} to ${rel(profile.endTime)} (times from the flood's first message, by the ${options.clock}); ` +
      `${pauses.length} pauses in sampling over ${ms(gap)} ms, ${ms(pauses.reduce((sum, step) => sum + step, 0))} ms in all. Sampled: ` +
      KINDS.map((kind) => `${kind} ${ms(kinds.get(kind) ?? 0)} ms`).join(", ") +
      ".",
    ...options.marks.map((mark) => {
      // What the isolate did while that probe waited: the samples inside its span.
      let first = stamps.findIndex((stamp) => stamp >= mark.fromUs);
      if (first < 0) first = stamps.length;
      let end = first;
      while (end < stamps.length && stamps[end]! < mark.toUs) end++;
      let busy = 0;
      let idle = 0;
      for (let i = first; i < end; i++) {
        if (nameOf(i) === IDLE) idle += weight(i);
        else busy += weight(i);
      }
      const span = mark.toUs - mark.fromUs;
      const top = selfTimes(first, end)
        .filter((entry) => entry.site.name !== IDLE)
        .slice(0, 5)
        .map((entry) => `${entry.site.name} ${entry.site.where} ${ms(entry.us)}`.trim())
        .join("; ");
      const under = totalTimes(first, end)
        .filter((entry) => entry.site.where.startsWith("src/"))
        .slice(0, 6)
        .map((entry) => `${entry.site.name} ${entry.site.where} ${ms(entry.us)}`)
        .join("; ");
      return (
        `${mark.label}: ${rel(mark.fromUs)} to ${rel(mark.toUs)}; in it the isolate was sampled busy ${ms(busy)} ms, idle ${ms(idle)} ms, ` +
        `and not sampled ${ms(Math.max(0, span - busy - idle))} ms` +
        `${top ? `; self time: ${top}` : ""}${under ? `; under: ${under}` : ""}.`
      );
    }),
    "",
    "Self time, top 25 (idle left out; % of all samples):",
    "",
    "| function | where | self ms | % |",
    "| --- | --- | --- | --- |",
    ...selfTimes(0, samples.length)
      .filter((entry) => entry.site.name !== IDLE)
      .slice(0, 25)
      .map((entry) => `| ${cell(entry.site.name)} | ${entry.site.where} | ${ms(entry.us)} | ${((100 * entry.count) / samples.length).toFixed(1)} |`),
  ];

  // Runs of samples without an idle one and without a pause in sampling.
  const stretches: { from: number; to: number; us: number }[] = [];
  let from = -1;
  for (let i = 0; i <= samples.length; i++) {
    const busy = i < samples.length && nameOf(i) !== IDLE;
    const broken = i < samples.length && from >= 0 && stamps[i]! - stamps[i - 1]! > gap;
    if (from >= 0 && (!busy || broken)) {
      stretches.push({ from, to: i, us: stamps[i - 1]! - stamps[from]! + weight(i - 1) });
      from = -1;
    }
    if (busy && from < 0) from = i;
  }
  stretches.sort((a, b) => b.us - a.us);
  // No sample is taken while the isolate waits, so a long pause is time the isolate did not run.
  const longPauses = steps
    .map((step, i) => ({ step, at: stamps[i]! }))
    .filter((pause) => pause.step > gap)
    .sort((a, b) => b.step - a.step)
    .slice(0, 5)
    .map((pause) => `${ms(pause.step)} ms from ${rel(pause.at)}`);
  lines.push("", `Longest pauses in sampling: ${longPauses.join("; ") || "none"}.`);
  lines.push("", `Longest busy stretches (no idle sample, no pause over ${ms(gap)} ms):`, "");
  lines.push("| start | ms | (program) ms | GC ms | top functions by self time (ms) | under (total ms) |", "| --- | --- | --- | --- | --- | --- |");
  for (const stretch of stretches.slice(0, 5)) {
    const self = selfTimes(stretch.from, stretch.to);
    const of = (name: string) => ms(self.find((entry) => entry.site.name === name)?.us ?? 0);
    const top = self
      .filter((entry) => entry.site.name !== PROGRAM && entry.site.name !== GC)
      .slice(0, 5)
      .map((entry) => `${entry.site.name} ${entry.site.where} ${ms(entry.us)}`)
      .join("; ");
    const under = totalTimes(stretch.from, stretch.to)
      .filter((entry) => entry.site.where.startsWith("src/"))
      .slice(0, 5)
      .map((entry) => `${entry.site.name} ${entry.site.where} ${ms(entry.us)}`)
      .join("; ");
    lines.push(`| ${rel(stamps[stretch.from]!)} | ${ms(stretch.us)} | ${of(PROGRAM)} | ${of(GC)} | ${cell(top) || "-"} | ${cell(under) || "-"} |`);
  }
  return lines.join("\n");
}

/**
 * Names each profile node's function and where it is: the TypeScript source through the
 * bundle's source map when there is one (wrangler bundles src/ into one file), else the
 * bundle's url and line.
 */
async function placer(profile: Profile, wranglerDir: string): Promise<(id: number) => Site> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    if (!url || maps.has(url)) continue;
    maps.set(url, null);
    const path = url.startsWith("file://") ? fileURLToPath(url) : isAbsolute(url) ? url : bundled(wranglerDir, url);
    if (!path) continue;
    try {
      const text = await readFile(`${path}.map`, "utf8");
      maps.set(url, { map: new SourceMap(JSON.parse(text) as ConstructorParameters<typeof SourceMap>[0]), dir: dirname(path) });
    } catch {
      // No map beside it (a runtime script): its own url and line.
    }
  }
  const cache = new Map<number, Site>();
  return (id) => {
    const known = cache.get(id);
    if (known) return known;
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    const name = functionName || (url ? "(anonymous)" : "(native)");
    let where = url ? `${shortUrl(url)}:${lineNumber + 1}` : "";
    const mapped = maps.get(url);
    if (mapped) {
      const entry = mapped.map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number };
      if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
        where = `${shortUrl(entry.originalSource, mapped.dir)}:${entry.originalLine + 1}`;
      }
    }
    const site = { name, where };
    cache.set(id, site);
    return site;
  };
}

/** A url or path as a path from the repository's root where it is under it. */
function shortUrl(url: string, base?: string): string {
  let path = url.startsWith("file://") ? fileURLToPath(url) : url;
  if (base && !isAbsolute(path)) path = join(base, path);
  if (path.includes("/node_modules/")) return `node_modules/${path.split("/node_modules/").pop()}`;
  return isAbsolute(path) ? relative(root, path) : path;
}

/** Every bundle called `name` under `dir`/.wrangler/tmp, with when it was written (wrangler names a script by its file only). */
export function bundlesNamed(dir: string, name: string): { path: string; at: number }[] {
  const tmp = join(dir, ".wrangler/tmp");
  const found: { path: string; at: number }[] = [];
  let entries: string[];
  try {
    entries = readdirSync(tmp);
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(tmp, entry, name);
    try {
      found.push({ path, at: statSync(path).mtimeMs });
    } catch {
      // Not in this one.
    }
  }
  return found;
}

/** The newest bundle called `name` under `dir`. */
function bundled(dir: string, name: string): string | null {
  return bundlesNamed(dir, name).reduce<{ path: string; at: number } | null>((best, bundle) => (!best || bundle.at > best.at ? bundle : best), null)?.path ?? null;
}

/** Text safe in a markdown table cell. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}
