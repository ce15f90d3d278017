/** A server the fan-out benchmark measures: how to start it, reach it and watch its processes. */
import type { IngestEndpoint } from "./ingest-driver.ts";
import type { RelaySetup } from "./scenarios.ts";
import type { ViewerProtocol } from "./viewer-protocol.ts";

export type TargetName = "pulseboard" | "partyserver" | "ws";

/** A started server, ready for viewers and requests. */
export interface Target {
  /** Where viewers connect (ws://). */
  viewerUrl: string;
  /** Where requests go. */
  ingest: IngestEndpoint;
  /** How its viewer messages read. */
  protocol: ViewerProtocol;
  /**
   * Processes whose memory and CPU are the server's: `runtime` runs the dashboard or room;
   * `proxy` is wrangler's dev proxy in front of it (null without one, or when not found);
   * `relayRuntime` and `relayProxy` the same of the second `wrangler dev` that runs the
   * relays, when they have a process of their own.
   */
  pids: { runtime: number | null; proxy: number | null; relayRuntime?: number | null; relayProxy?: number | null };
  /** Port of wrangler's inspector for the dashboard's (or the room's) process, when it has one. */
  inspectorPort?: number;
  /** The same for the relays' process, when they have one of their own. */
  relayInspectorPort?: number;
  /**
   * Where the dashboard's process bundled the Worker, for the profile's source maps: the
   * directory holding its `.wrangler`, and when it started (the oldest bundle written since
   * is the dashboard process's).
   */
  bundle?: { dir: string; since: number };
  /** Relays holding viewers' state now (Relay objects with storage), when the server has relays. */
  relays?(): number;
  /** The last lines the server printed, for diagnosing a failed run. */
  output(): string;
  /** Ends the server and removes its state. */
  stop(): Promise<void>;
}

/** One kind of server. */
export interface TargetKind {
  name: TargetName;
  /** How the results name it. */
  title: string;
  /** Starts a fresh instance (fresh state, a free port on 127.0.0.1). */
  start(options: StartOptions): Promise<Target>;
}

export interface StartOptions {
  /**
   * Send viewers and requests straight to the workerd runtime, past wrangler's dev proxy
   * (which a deployed Worker does not have); no effect on a plain Node server.
   */
  direct: boolean;
  /** Where Pulseboard's viewers are served (no effect on the peers). */
  relays: RelaySetup;
}
