import { env, runInDurableObject } from "cloudflare:test";
import type { Dashboard } from "../../src/dashboard/dashboard-object";

/** The dashboard object's entry points that relays and the Worker call. */
const entryPoints = ["fetch", "attachRelay", "relayRange", "relayRecent", "relayViewers", "relayHistory"] as const;

/** Calls into a dashboard's object, by entry point. */
export type DashboardCalls = Record<(typeof entryPoints)[number], number>;

/** Counts per instance being counted; the wrappers count nothing for any other. */
const counting = new WeakMap<object, DashboardCalls>();

/**
 * Counts every call into the dashboard `id`'s object from now on, until its instance is
 * evicted. The runtime calls entry points found on the class (RPC ignores an instance's own
 * properties), so each is wrapped on the prototype, once, counting for counted instances only.
 */
export async function countCalls(id: string): Promise<void> {
  await runInDurableObject(env.DASHBOARD.getByName(id), (dashboard: Dashboard) => {
    const prototype = Object.getPrototypeOf(dashboard) as Record<string, (...args: unknown[]) => unknown> & { countedCalls?: true };
    if (!prototype.countedCalls) {
      prototype.countedCalls = true;
      for (const name of entryPoints) {
        const original = prototype[name]!;
        prototype[name] = function (this: object, ...args: unknown[]) {
          const counts = counting.get(this);
          if (counts) counts[name]++;
          return original.apply(this, args);
        };
      }
    }
    counting.set(dashboard, Object.fromEntries(entryPoints.map((name) => [name, 0])) as DashboardCalls);
  });
}

/** The calls counted since `countCalls`. */
export function callsSoFar(id: string): Promise<DashboardCalls> {
  return runInDurableObject(env.DASHBOARD.getByName(id), (dashboard: Dashboard) => ({ ...counting.get(dashboard)! }));
}
