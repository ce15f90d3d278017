/**
 * Runs the real app under `wrangler dev` for a test file: a free port on 127.0.0.1, a fresh
 * state directory, its output kept for failure messages, and a stop that ends the whole
 * process group (wrangler starts workerd as a child).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { devAdminToken } from "./api.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const wranglerBin = join(root, "node_modules/wrangler/bin/wrangler.js");
/** Cold starts build the client and boot workerd; a slow CI machine needs the margin. */
const startTimeoutMs = 90_000;
const outputLimit = 200;

/** Servers still running; ended if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) signalGroup(child, "SIGKILL");
});

export interface DevServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Port the server listens on. */
  port: number;
  /** Port of wrangler's inspector (Chrome DevTools Protocol) for the Worker's isolate. */
  inspectorPort: number;
  /** Directory holding the Durable Objects' state, so a restart keeps the data. */
  persistTo: string;
  /** The last lines wrangler printed, for failure messages. */
  output(): string;
  /** Stops the server; the state directory is kept (see `dispose`). */
  stop(): Promise<void>;
  /** Stops the server and deletes its state. */
  dispose(): Promise<void>;
}

/** Asks the OS for a port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface DevServerOptions {
  /** Reuse a port (to restart a stopped server where pages expect it). */
  port?: number;
  /** Reuse a state directory (to restart with the same data). */
  persistTo?: string;
  /** More arguments for `wrangler dev` (another `--config`, `--var`s). */
  extraArgs?: string[];
  /**
   * CPUs the server (wrangler and the runtime it starts) may run on, as `taskset -c` takes
   * them (e.g. "1"): a benchmark keeps its load generator off the server's CPU this way.
   */
  cpus?: string;
  /** wrangler's log level (default `info`; benchmarks quiet it so logging costs nothing). */
  logLevel?: "info" | "warn";
}

/** Starts `wrangler dev` and resolves once `/healthz` answers 200. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const persistTo = options.persistTo ?? (await mkdtemp(join(tmpdir(), "pulseboard-e2e-")));
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  // Colour codes make failure messages unreadable; wrangler prints some whatever the env says.
  const output = () => lines.join("").replace(/\x1b\[[0-9;]*m/g, "");

  const command = options.cpus === undefined ? [process.execPath] : ["taskset", "-c", options.cpus, process.execPath];
  const child = spawn(
    command[0]!,
    [
      ...command.slice(1),
      wranglerBin,
      "dev",
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(inspectorPort),
      "--persist-to", persistTo,
      "--show-interactive-dev-session=false",
      "--log-level", options.logLevel ?? "info",
      // The admin token a developer's .dev.vars holds (`npm start` writes it); given here so
      // the tests need no file and win over whatever a developer's file says.
      "--var", `ADMIN_TOKEN:${devAdminToken}`,
      // The e2e-relayed project sends every viewer to a relay (see test/e2e/vitest.config.ts).
      ...(process.env.PULSEBOARD_RELAY_AFTER_VIEWERS === undefined ? [] : ["--var", `RELAY_AFTER_VIEWERS:${process.env.PULSEBOARD_RELAY_AFTER_VIEWERS}`]),
      ...(options.extraArgs ?? []),
    ],
    {
      cwd: root,
      // Own process group, so stop() can end wrangler and workerd together.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // The `[build]` command runs `node scripts/build-client.ts`, which needs the project's
        // Node (type stripping); put its bin directory first whatever started the tests.
        PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
        // Nothing may leave the machine: no usage metrics, and no download of the `Request.cf`
        // sample from workers.cloudflare.com (miniflare then uses its built-in placeholder).
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
    },
  );
  const keep = (chunk: Buffer) => {
    lines.push(chunk.toString());
    if (lines.length > outputLimit) lines.splice(0, lines.length - outputLimit);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => running.delete(child));
  const alive = () => running.has(child);

  const stop = async () => {
    if (!alive()) return;
    signalGroup(child, "SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), delay(10_000).then(() => false)]);
    if (!stopped) {
      signalGroup(child, "SIGKILL");
      await exited;
    }
  };
  const server: DevServer = {
    url,
    port,
    inspectorPort,
    persistTo,
    output,
    stop,
    async dispose() {
      await stop();
      if (!options.persistTo) await rm(persistTo, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) {
      throw new Error(`wrangler dev exited before serving ${url}/healthz. Output:\n${output()}`);
    }
    // A failed build leaves wrangler waiting for a file change; no point waiting for it here.
    if (output().includes("Build failed")) {
      await server.dispose();
      throw new Error(`wrangler dev could not build the Worker. Output:\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return server;
    } catch {
      // Not listening yet.
    }
    await delay(250);
  }
  await server.dispose();
  throw new Error(`wrangler dev did not answer ${url}/healthz within ${startTimeoutMs} ms. Output:\n${output()}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // A negative pid addresses the process group started with `detached: true`.
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
