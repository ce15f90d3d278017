import type { Dashboard } from "../../src/dashboard/dashboard-object";
import type { DashboardStore } from "../../src/dashboard/dashboard-store";

/** The dashboard object's own store, for tests that run maintenance steps one by one inside it. */
export function storeOf(instance: Dashboard): DashboardStore {
  return (instance as unknown as { store: DashboardStore }).store;
}
