/** Pulseboard itself under `wrangler dev`, with its ingest rate limits raised out of the way. */
import { createDashboard } from "../../test/e2e/api.ts";
import { startDevServer } from "../../test/e2e/dev-server.ts";
import { devServerProcesses, runtimeBaseUrl } from "./dev-server-processes.ts";
import type { TargetKind } from "./target.ts";

const DASHBOARD = "fanout";
const unlimited = ["--var", "RATE_LIMIT_REQUESTS_PER_SECOND:1000000", "--var", "RATE_LIMIT_POINTS_PER_SECOND:100000000"];

export const pulseboard: TargetKind = {
  name: "pulseboard",
  title: "Pulseboard",
  async start({ direct }) {
    const server = await startDevServer({ logLevel: "warn", extraArgs: unlimited });
    try {
      const { ingestToken } = await createDashboard(server.url, DASHBOARD);
      const pids = devServerProcesses(server.port);
      const base = direct ? await runtimeBaseUrl(pids.runtime) : server.url;
      return {
        viewerUrl: `${base.replace(/^http/, "ws")}/api/dashboards/${DASHBOARD}/ws`,
        ingest: {
          url: `${base}/api/dashboards/${DASHBOARD}/metrics`,
          headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/json" },
        },
        protocol: "pulseboard",
        pids,
        output: () => server.output(),
        stop: () => server.dispose(),
      };
    } catch (error) {
      await server.dispose();
      throw error;
    }
  },
};
