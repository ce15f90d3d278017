// The Worker: HTTP routes (src/worker/app.ts) and the Durable Object classes: a dashboard, a
// relay holding a share of a large audience's viewers, and a shard of the directory of dashboards.
import { app } from "./worker/app";

export { Dashboard } from "./dashboard/dashboard-object";
export { Relay } from "./relay/relay-object";
export { Directory } from "./directory/directory-object";

export default app satisfies ExportedHandler<Env>;
