import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RefusalWatch, type Refusal } from "../../../src/client/connection/refusal-watch.ts";
import type { DashboardLookup } from "../../../src/client/dashboard/dashboard-api.ts";

const found: DashboardLookup = { kind: "found", dashboard: { id: "d", title: "D", createdAt: 0, seq: 0, viewers: 1, series: [], panels: [], private: false } };
const EVERY_MS = 10_000;

describe("the watch for a refused viewer socket", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A watch whose lookups answer from `answers` in turn (the last one repeats). */
  function watch(answers: DashboardLookup[]) {
    const asked: number[] = [];
    const refused: Refusal[] = [];
    const start = Date.now();
    const lookUp = async () => {
      asked.push(Date.now() - start);
      return answers[Math.min(asked.length - 1, answers.length - 1)]!;
    };
    return { watch: new RefusalWatch(lookUp, (refusal) => refused.push(refusal), EVERY_MS), asked, refused };
  }

  it("asks at once when the server closed the socket because the dashboard was deleted (4404) or its key revoked (4403), not for other codes", async () => {
    for (const [code, asks] of [[4404, 1], [4403, 1], [1006, 0], [4008, 0], [4529, 0]] as const) {
      const { watch: w, asked, refused } = watch([{ kind: "not-found" }]);
      w.state("live");
      w.closedFor(code);
      w.state("offline");
      await vi.advanceTimersByTimeAsync(1);
      expect(asked, `close ${code}`).toHaveLength(asks);
      expect(refused).toHaveLength(asks);
    }
  });

  it("asks nothing while the socket is connecting or live", async () => {
    const { watch: w, asked } = watch([{ kind: "not-found" }]);
    w.state("connecting");
    w.state("live");
    await vi.advanceTimersByTimeAsync(10 * EVERY_MS);
    expect(asked).toEqual([]);
  });

  it("asks within one and a half intervals of a drop, then every interval while the server says the dashboard is there", async () => {
    const { watch: w, asked, refused } = watch([found]);
    w.state("live");
    w.state("reconnecting");
    await vi.advanceTimersByTimeAsync(1.5 * EVERY_MS);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThanOrEqual(0.5 * EVERY_MS);
    await vi.advanceTimersByTimeAsync(3 * EVERY_MS);
    expect(asked).toHaveLength(4);
    expect(asked[3]! - asked[2]!).toBe(EVERY_MS);
    expect(refused).toEqual([]);
  });

  it("keeps asking while the server cannot be reached, and reports the refusal once it answers with one", async () => {
    const { watch: w, asked, refused } = watch([{ kind: "failed", message: "down" }, { kind: "failed", message: "down" }, { kind: "not-found" }]);
    w.state("reconnecting");
    w.state("offline");
    await vi.advanceTimersByTimeAsync(1.5 * EVERY_MS + 2 * EVERY_MS);
    expect(asked).toHaveLength(3);
    expect(refused).toEqual([{ kind: "not-found" }]);
    // Then it stops for good, whatever the socket does.
    w.state("reconnecting");
    await vi.advanceTimersByTimeAsync(10 * EVERY_MS);
    expect(asked).toHaveLength(3);
  });

  it("reports a missing or refused view key as a refusal", async () => {
    for (const refusal of [{ kind: "private" }, { kind: "wrong-key" }] as const) {
      const { watch: w, refused } = watch([refusal]);
      w.state("reconnecting");
      await vi.advanceTimersByTimeAsync(1.5 * EVERY_MS);
      expect(refused).toEqual([refusal]);
    }
  });

  it("stops asking when the socket is live again, and drops an answer that comes after", async () => {
    let answer: (lookup: DashboardLookup) => void = () => {};
    const refused: Refusal[] = [];
    let asked = 0;
    const w = new RefusalWatch(
      () => {
        asked++;
        return new Promise((resolve) => (answer = resolve));
      },
      (refusal) => refused.push(refusal),
      EVERY_MS,
    );
    w.state("reconnecting");
    await vi.advanceTimersByTimeAsync(1.5 * EVERY_MS);
    expect(asked).toBe(1);
    w.state("live");
    answer({ kind: "not-found" });
    await vi.advanceTimersByTimeAsync(10 * EVERY_MS);
    expect(refused).toEqual([]);
    expect(asked).toBe(1);
  });
});
