/** The hand-written Node `ws` server of bench/peers/ws-server.ts, in its own Node process. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { freePort } from "../../test/e2e/dev-server.ts";
import type { TargetKind } from "./target.ts";

const script = fileURLToPath(new URL("../peers/ws-server.ts", import.meta.url));
const START_TIMEOUT_MS = 15_000;

export const wsServer: TargetKind = {
  name: "ws",
  title: "Node ws server",
  async start() {
    const port = await freePort();
    // The same Node as the generator (the project's, which runs TypeScript as is).
    const child = spawn(process.execPath, [script, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    const keep = (chunk: Buffer) => lines.push(chunk.toString()) > 50 && lines.shift();
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const exited = once(child, "exit");
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    };
    process.once("exit", () => child.kill("SIGKILL"));
    const listening = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
      void exited.then(() => reject(new Error("the ws server exited before listening")));
      setTimeout(() => reject(new Error(`the ws server did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS).unref();
    });
    try {
      await listening;
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      viewerUrl: `ws://127.0.0.1:${port}/`,
      ingest: { url: `http://127.0.0.1:${port}/`, headers: { "content-type": "application/json" } },
      protocol: "broadcast",
      pids: { runtime: child.pid ?? null, proxy: null },
      output: () => lines.join(""),
      stop,
    };
  },
};
