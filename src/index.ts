// The Worker: HTTP routes (src/worker/app.ts) and the dashboard Durable Object class.
import { app } from "./worker/app";

export { Dashboard } from "./dashboard/dashboard-object";

export default app satisfies ExportedHandler<Env>;
