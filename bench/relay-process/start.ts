/**
 * The dashboard in one `wrangler dev` (dashboard.toml: its RELAY binding names the Worker
 * "pulseboard-relays"), its relays in a second (wrangler.toml: its DASHBOARD binding names
 * "pulseboard"), so that relays run on a thread of their own. wrangler's dev registry is how
 * each finds the other; both get a registry directory of their own, so no other `wrangler
 * dev` on the machine (another benchmark's "pulseboard") can answer for either.
 */
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer, type DevServer } from "../../test/e2e/dev-server.ts";

export const relayProcessDir = fileURLToPath(new URL(".", import.meta.url));

export interface RelayProcesses {
  dashboard: DevServer;
  relays: DevServer;
  /** Stops both (the relays first: they would otherwise retry the dashboard they lost). */
  stop(): Promise<void>;
}

/**
 * Starts both processes: `dashboardArgs` go to the dashboard's only, `vars` to both; each
 * may be held to CPUs (`taskset -c`).
 */
export async function startRelayProcesses(options: { vars: string[]; dashboardArgs?: string[]; dashboardCpus?: string; relayCpus?: string }): Promise<RelayProcesses> {
  const registry = await mkdtemp(join(tmpdir(), "pulseboard-registry-"));
  const saved = process.env.WRANGLER_REGISTRY_PATH;
  process.env.WRANGLER_REGISTRY_PATH = registry;
  const servers: DevServer[] = [];
  const stop = async () => {
    for (const server of [...servers].reverse()) await server.dispose();
    await rm(registry, { recursive: true, force: true });
  };
  try {
    const cpus = (value: string | undefined) => (value === undefined ? {} : { cpus: value });
    servers.push(
      await startDevServer({ logLevel: "warn", extraArgs: ["--config", join(relayProcessDir, "dashboard.toml"), ...(options.dashboardArgs ?? []), ...options.vars], ...cpus(options.dashboardCpus) }),
    );
    servers.push(await startDevServer({ logLevel: "warn", extraArgs: ["--config", join(relayProcessDir, "wrangler.toml"), ...options.vars], ...cpus(options.relayCpus) }));
  } catch (error) {
    await stop();
    throw error;
  } finally {
    if (saved === undefined) delete process.env.WRANGLER_REGISTRY_PATH;
    else process.env.WRANGLER_REGISTRY_PATH = saved;
  }
  const [dashboard, relays] = servers as [DevServer, DevServer];
  return { dashboard, relays, stop };
}

/**
 * Relay objects that have written storage under `persistTo` (a relay records its position
 * as its first viewer joins): one SQLite file each in the Relay class's directory.
 */
export function relaysWithStorage(persistTo: string): number {
  let count = 0;
  try {
    for (const dir of readdirSync(join(persistTo, "v3/do"))) {
      if (!dir.endsWith("-Relay")) continue;
      count += readdirSync(join(persistTo, "v3/do", dir)).filter((file) => /^[0-9a-f]{64}\.sqlite$/.test(file)).length;
    }
  } catch {
    // No relay has stored anything.
  }
  return count;
}
