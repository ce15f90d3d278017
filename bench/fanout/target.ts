/** A server the fan-out benchmark measures: how to start it, reach it and watch its processes. */
import type { IngestEndpoint } from "./ingest-driver.ts";
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
   * `proxy` is wrangler's dev proxy in front of it (null without one, or when not found).
   */
  pids: { runtime: number | null; proxy: number | null };
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
}
