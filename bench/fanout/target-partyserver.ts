/** The partyserver room of bench/peers/partyserver under `wrangler dev`: same runtime, same proxy. */
import { fileURLToPath } from "node:url";
import { startDevServer } from "../../test/e2e/dev-server.ts";
import { devServerProcesses, runtimeBaseUrl } from "./dev-server-processes.ts";
import type { TargetKind } from "./target.ts";

const config = fileURLToPath(new URL("../peers/partyserver/wrangler.toml", import.meta.url));
/** routePartykitRequest's path: /parties/<binding in kebab case>/<room name>. */
const ROOM_PATH = "/parties/fanout-room/bench";

export const partyserver: TargetKind = {
  name: "partyserver",
  title: "partyserver room",
  async start({ direct }) {
    const server = await startDevServer({ logLevel: "warn", extraArgs: ["--config", config] });
    try {
      const pids = devServerProcesses(server.port);
      const base = direct ? await runtimeBaseUrl(pids.runtime) : server.url;
      return {
        viewerUrl: `${base.replace(/^http/, "ws")}${ROOM_PATH}`,
        ingest: { url: `${base}${ROOM_PATH}`, headers: { "content-type": "application/json" } },
        protocol: "broadcast",
        pids,
        inspectorPort: server.inspectorPort,
        output: () => server.output(),
        stop: () => server.dispose(),
      };
    } catch (error) {
      await server.dispose();
      throw error;
    }
  },
};
