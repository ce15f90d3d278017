import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics } from "./api";

// This file runs in its own workerd project with low limits (see vitest.config.ts):
// 20 requests/s and 500 points/s, so bursts of 40 requests and 1,000 points.

describe("rate limits", () => {
  it("answer 429 with Retry-After once a dashboard goes over its points per second", async () => {
    const { id, token } = await createDashboard();
    const batch = Array.from({ length: 400 }, (_, i) => ({ name: "flood", value: i }));
    const statuses: number[] = [];
    for (let request = 0; request < 4; request++) statuses.push((await postMetrics(id, token, batch)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = await postMetrics(id, token, batch);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limited", retryAfter } });
  });

  it("answer 429 once a dashboard goes over its requests per second, and let it in again later", async () => {
    const { id, token } = await createDashboard();
    const started = Date.now();
    let accepted = 0;
    let status = 200;
    for (let request = 0; request < 200 && status === 200; request++) {
      status = (await postMetrics(id, token, { name: "tick", value: request })).status;
      if (status === 200) accepted++;
    }
    const elapsed = (Date.now() - started) / 1000;
    expect(status).toBe(429);
    // The burst of 40, plus what 20 requests/s refilled while the requests ran.
    expect(accepted).toBeGreaterThanOrEqual(40);
    expect(accepted).toBeLessThanOrEqual(40 + Math.ceil(20 * elapsed) + 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await postMetrics(id, token, { name: "tick", value: 0 })).status).toBe(200);
  });

  it("limit each dashboard on its own", async () => {
    const busy = await createDashboard();
    const quiet = await createDashboard();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ name: "flood", value: i }));
    expect((await postMetrics(busy.id, busy.token, batch)).status).toBe(200);
    expect((await postMetrics(busy.id, busy.token, batch)).status).toBe(429);
    expect((await postMetrics(quiet.id, quiet.token, batch)).status).toBe(200);
  });
});
