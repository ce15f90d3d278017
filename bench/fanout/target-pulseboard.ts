/**
 * Pulseboard itself under `wrangler dev`, with its ingest rate limits raised out of the way,
 * its viewers served where the scenario says (see `RelaySetup`): by the dashboard's own
 * object, by relays in the same process, or by relays in a second `wrangler dev`
 * (bench/relay-process/), where the viewers then connect while ingest goes to the first.
 */
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { createDashboard } from "../../test/e2e/api.ts";
import { startDevServer } from "../../test/e2e/dev-server.ts";
import { relayProcessDir, relaysWithStorage, startRelayProcesses } from "../relay-process/start.ts";
import { devServerProcesses, runtimeBaseUrl } from "./dev-server-processes.ts";
import type { RelaySetup } from "./scenarios.ts";
import type { TargetKind } from "./target.ts";

const DASHBOARD = "fanout";
const unlimited = ["--var", "RATE_LIMIT_REQUESTS_PER_SECOND:1000000", "--var", "RATE_LIMIT_POINTS_PER_SECOND:100000000"];
/** The vars each setup adds (both processes get them in the two-process one). */
const relayVars: Record<RelaySetup, string[]> = {
  default: [],
  // Past any audience of the benchmark: every viewer stays on the dashboard's own object.
  off: ["--var", "RELAY_AFTER_VIEWERS:1000000"],
  all: ["--var", "RELAY_AFTER_VIEWERS:0", "--var", "VIEWERS_PER_RELAY:1000"],
  "second-process": ["--var", "RELAY_AFTER_VIEWERS:0", "--var", "VIEWERS_PER_RELAY:1000"],
};
const root = fileURLToPath(new URL("../..", import.meta.url));
/** How long the second process may take to reach the first (and back) through the dev registry. */
const LINK_TIMEOUT_MS = 30_000;

export const pulseboard: TargetKind = {
  name: "pulseboard",
  title: "Pulseboard",
  async start({ direct, relays }) {
    if (relays === "second-process") return startTwoProcesses(direct);
    const startedAt = Date.now();
    const server = await startDevServer({ logLevel: "warn", extraArgs: [...unlimited, ...relayVars[relays]] });
    try {
      const { ingestToken } = await createDashboard(server.url, DASHBOARD);
      const pids = devServerProcesses(server.port);
      const base = direct ? await runtimeBaseUrl(pids.runtime) : server.url;
      return {
        viewerUrl: viewerUrl(base),
        ingest: ingestEndpoint(base, ingestToken),
        protocol: "pulseboard",
        pids,
        inspectorPort: server.inspectorPort,
        bundle: { dir: root, since: startedAt },
        relays: () => relaysWithStorage(server.persistTo),
        output: () => server.output(),
        stop: () => server.dispose(),
      };
    } catch (error) {
      await server.dispose();
      throw error;
    }
  },
};

/** The dashboard and its relays in two processes (bench/relay-process/start.ts). */
async function startTwoProcesses(direct: boolean) {
  const startedAt = Date.now();
  const { dashboard, relays, stop } = await startRelayProcesses({ vars: relayVars["second-process"], dashboardArgs: unlimited });
  try {
    const { ingestToken } = await createDashboard(dashboard.url, DASHBOARD);
    const pids = devServerProcesses(dashboard.port);
    const relayPids = devServerProcesses(relays.port);
    const ingestBase = direct ? await runtimeBaseUrl(pids.runtime) : dashboard.url;
    // Viewers reach the relays' runtime on its own port, as Cloudflare's edge hands a socket to
    // the object holding it: through wrangler's dev proxy, every frame to 4,000 viewers would
    // pass through one more Node process on these two cores (41% of a core, results/relays.md),
    // which no deployed relay has in front of it.
    const viewerBase = await runtimeBaseUrl(relayPids.runtime);
    await linked(viewerUrl(viewerBase));
    return {
      viewerUrl: viewerUrl(viewerBase),
      ingest: ingestEndpoint(ingestBase, ingestToken),
      protocol: "pulseboard" as const,
      pids: { ...pids, relayRuntime: relayPids.runtime, relayProxy: relayPids.proxy },
      inspectorPort: dashboard.inspectorPort,
      relayInspectorPort: relays.inspectorPort,
      // Both processes bundle into bench/relay-process/.wrangler/tmp; the dashboard's started first.
      bundle: { dir: relayProcessDir, since: startedAt },
      relays: () => relaysWithStorage(relays.persistTo),
      output: () => `dashboard's process:\n${dashboard.output()}\nrelays' process:\n${relays.output()}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Waits until one viewer, connecting to the relays' process, gets its snapshot: the routing
 * question, the relay's attach and its base all cross between the processes. The viewer then
 * leaves (its relay detaches and keeps nothing).
 */
async function linked(url: string): Promise<void> {
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  let last = "";
  while (Date.now() < deadline) {
    const outcome = await new Promise<string>((resolve) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5_000 });
      const timer = setTimeout(() => finish("no snapshot within 5 s"), 5_000);
      const finish = (why: string) => {
        clearTimeout(timer);
        socket.terminate();
        resolve(why);
      };
      socket.on("message", (data: Buffer) => (JSON.parse(data.toString()) as { type?: string }).type === "snapshot" && finish("ok"));
      socket.on("error", (error) => finish(error.message));
      socket.on("close", (code) => finish(`closed with ${code}`));
    });
    if (outcome === "ok") return;
    last = outcome;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`a viewer of the relays' process got no snapshot within ${LINK_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function viewerUrl(base: string): string {
  return `${base.replace(/^http/, "ws")}/api/dashboards/${DASHBOARD}/ws`;
}

function ingestEndpoint(base: string, ingestToken: string) {
  return {
    url: `${base}/api/dashboards/${DASHBOARD}/metrics`,
    headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json" },
  };
}
