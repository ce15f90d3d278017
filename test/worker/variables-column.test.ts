import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Dashboard } from "../../src/dashboard/dashboard-object";
import { DashboardStore } from "../../src/dashboard/dashboard-store";
import { BASE, createDashboard } from "./api";

const panels = [{ id: "cpu", title: "CPU", type: "line", series: ["cpu.*"] }];

describe("a dashboard stored before template variables", () => {
  it("gets its variables column on first read, with no variables and its panels as they were", async () => {
    const { id, token } = await createDashboard();
    const put = await SELF.fetch(`${BASE}/api/dashboards/${id}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ panels }),
    });
    expect(put.status).toBe(200);
    await runInDurableObject(env.DASHBOARD.getByName(id), (_instance: Dashboard, state) => {
      // The table as it was made before variables.
      state.storage.sql.exec("ALTER TABLE dashboard DROP COLUMN variables");
      const meta = new DashboardStore(state.storage).meta();
      expect(meta?.panels).toEqual(panels);
      expect(meta?.variables).toEqual([]);
      const upgraded = new DashboardStore(state.storage);
      upgraded.configure({ variables: [{ name: "host", tag: "host" }] });
      expect(upgraded.meta()?.variables).toEqual([{ name: "host", tag: "host" }]);
    });
  });
});
