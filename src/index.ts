// The Worker: HTTP routes (src/worker/app.ts) and the Durable Object classes: a dashboard, and
// a relay holding a share of a large audience's viewers.
import { app } from "./worker/app";

export { Dashboard } from "./dashboard/dashboard-object";
export { Relay } from "./relay/relay-object";

export default app satisfies ExportedHandler<Env>;
