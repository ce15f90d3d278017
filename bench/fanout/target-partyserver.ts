/** The partyserver room of bench/peers/partyserver under `wrangler dev`: same runtime, same proxy. */
import { fileURLToPath } from "node:url";
import { startDevServer } from "../../test/e2e/dev-server.ts";
import { devServerProcesses } from "./process-stats.ts";
import type { TargetKind } from "./target.ts";

const config = fileURLToPath(new URL("../peers/partyserver/wrangler.toml", import.meta.url));
/** routePartykitRequest's path: /parties/<binding in kebab case>/<room name>. */
const ROOM_PATH = "/parties/fanout-room/bench";

export const partyserver: TargetKind = {
  name: "partyserver",
  title: "partyserver room",
  async start() {
    const server = await startDevServer({ logLevel: "warn", extraArgs: ["--config", config] });
    return {
      viewerUrl: `${server.url.replace(/^http/, "ws")}${ROOM_PATH}`,
      ingest: { url: `${server.url}${ROOM_PATH}`, headers: { "content-type": "application/json" } },
      protocol: "broadcast",
      pids: devServerProcesses(server.port),
      stop: () => server.dispose(),
    };
  },
};
