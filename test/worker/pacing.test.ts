import { describe, expect, it } from "vitest";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

// Runs in the project with MAX_FRAMES_PER_SECOND=1 (see vitest.config.ts). How long a frame
// is held is FramePacer's to say, on a fake clock (test/unit/frame-pacer.test.ts); here only
// what holds however slow the machine is.

describe("frame pacing at one frame per second", () => {
  it("tells viewers the rate, sends a lone point in a frame of its own, and delivers the held ones after it in order, without gap", async () => {
    const { id, token } = await createDashboard();
    const viewer = await Viewer.open(id);
    expect((await viewer.nth("hello")).maxFramesPerSecond).toBe(1);
    await viewer.nth("snapshot");

    await postMetrics(id, token, { name: "lone", value: 1 });
    expect(await viewer.nth("points")).toMatchObject({ from: 1, to: 1, series: [{ key: "lone", values: [1] }] });
    await postMetrics(id, token, { name: "lone", value: 2 });
    await postMetrics(id, token, { name: "lone", value: 3 });
    // Held for about half a second, but a frame may be late on a busy machine: wait long.
    await viewer.until(() => viewer.position() >= 3, "points 2 and 3", 10_000);
    expect(viewer.receivedValues(0)).toEqual(new Map([["lone", [1, 2, 3]]]));
    viewer.close();
  });
});
