import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { patternLimits } from "../../src/common/series-pattern";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

/** `count` glob patterns of `length` characters that match nothing. */
function patterns(count: number, length: number): string[] {
  return Array.from({ length: count }, (_, i) => `${String(i).padStart(3, "0")}${"*x".repeat(length)}`.slice(0, length));
}

describe("a selection of series at its limits", () => {
  it("is accepted on connect at 4,000 characters in all, and kept across messages", async () => {
    const { id, token } = await createDashboard();
    expect((await postMetrics(id, token, { name: "cpu", value: 1 })).status).toBe(200);
    const selection = patterns(20, 200);
    expect(selection.join("").length).toBe(patternLimits.maxTotalLength);
    const viewer = await Viewer.open(id, { series: selection.join(",") });
    expect((await viewer.nth("snapshot")).series).toEqual([]);
    viewer.send({ type: "resume", since: 0 });
    expect(await viewer.nth("resumed")).toMatchObject({ since: 0 });
    viewer.close();
  });

  it("is refused with a 400 naming series past 4,000 characters in all, not a server error", async () => {
    const { id } = await createDashboard();
    // 100 patterns of 200 characters: the socket's attachment would exceed the runtime's 16 KiB.
    const response = await Viewer.handshake(id, { series: patterns(100, 200).join(",") });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_parameter", field: "series", message: expect.stringContaining("4000 characters together") } });
  });

  it("is refused the same way by the history route and in a subscribe message", async () => {
    const { id } = await createDashboard();
    const history = await SELF.fetch(`http://localhost/api/dashboards/${id}/series?names=${patterns(21, 200).join(",")}`);
    expect(history.status).toBe(400);
    expect(await history.json()).toMatchObject({ error: { code: "invalid_parameter", field: "names" } });

    const viewer = await Viewer.open(id);
    await viewer.nth("snapshot");
    viewer.send({ type: "subscribe", series: patterns(19, 200).concat(["a".repeat(201)]) });
    expect(await viewer.nth("error")).toMatchObject({ code: "invalid_message", message: expect.stringContaining("200 characters") });
    viewer.close();
  });
});
