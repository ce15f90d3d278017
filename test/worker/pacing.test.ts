import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

// Runs in the project with MAX_FRAMES_PER_SECOND=1 (see vitest.config.ts).

describe("frame pacing at one frame per second", () => {
  it("sends a lone point on a quiet dashboard at once, and holds the next ones until a frame is due", async () => {
    const { id, token } = await createDashboard();
    const viewer = await Viewer.open(id);
    expect((await viewer.nth("hello")).maxFramesPerSecond).toBe(1);
    await viewer.nth("snapshot");

    const start = Date.now();
    await postMetrics(id, token, { name: "lone", value: 1 });
    await viewer.nth("points");
    const first = Date.now() - start;
    await postMetrics(id, token, { name: "lone", value: 2 });
    await postMetrics(id, token, { name: "lone", value: 3 });
    const second = await viewer.nth("points", 2);
    const held = Date.now() - start;

    // Half a token is left after the first frame: the next waits about half a second.
    expect(first).toBeLessThan(300);
    expect(held).toBeGreaterThanOrEqual(400);
    // Both points that waited travel together in the one frame.
    expect(second).toMatchObject({ from: 2, to: 3, series: [{ key: "lone", values: [2, 3] }] });
    viewer.close();
  });
});
