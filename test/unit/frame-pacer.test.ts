import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FramePacer } from "../../src/dashboard/frame-pacer.ts";

/**
 * The pacer on a fake clock. A flush's cost is simulated by advancing the clock inside it,
 * as sends queued in the runtime would keep the zero-delay timer after it from firing.
 */
describe("FramePacer", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  function pacer(perSecond: number, options: { share?: number; cost?: () => number } = {}) {
    const flushes: number[] = [];
    const instance = new FramePacer(
      perSecond,
      () => {
        flushes.push(Date.now());
        const cost = options.cost?.() ?? 0;
        if (cost > 0) vi.setSystemTime(Date.now() + cost);
      },
      { share: options.share },
    );
    return { instance, flushes };
  }

  it("flushes a lone notification at once", () => {
    const { instance, flushes } = pacer(10);
    instance.notify();
    expect(flushes).toEqual([1_000_000]);
  });

  it("keeps to the token bucket: at most t × rate + 1.5 frames over any t, however often notified", async () => {
    const { instance, flushes } = pacer(10);
    for (let ms = 0; ms < 5_000; ms += 7) {
      instance.notify();
      await vi.advanceTimersByTimeAsync(7);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    for (let i = 0; i < flushes.length; i++) {
      for (let j = i; j < flushes.length; j++) {
        const span = (flushes[j]! - flushes[i]!) / 1000;
        expect(j - i + 1).toBeLessThanOrEqual(Math.floor(span * 10 + 1.5));
      }
    }
    // Notified every 7 ms for 5 s: the rate is what limits, not the notifications.
    expect(flushes.length).toBeGreaterThanOrEqual(49);
  });

  it("never flushes while the last flush's writes are still queued, and then flushes once for all that came meanwhile", async () => {
    // Tokens refill during the 10 ms flush, so only the queued writes can hold the others back.
    const { instance, flushes } = pacer(1000, { share: 1, cost: () => 10 });
    instance.notify();
    instance.notify();
    instance.notify();
    expect(flushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(flushes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(flushes).toHaveLength(2);
  });

  it("after a frame that took t, waits t × (1 − share) / share before the next", async () => {
    const { instance, flushes } = pacer(1000, { share: 0.5, cost: () => 200 });
    instance.notify();
    // The drain timer fires once the clock has passed the frame's cost.
    await vi.advanceTimersByTimeAsync(0);
    instance.notify();
    await vi.advanceTimersByTimeAsync(199);
    expect(flushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes).toHaveLength(2);
    expect(flushes[1]! - flushes[0]!).toBe(400);
  });

  it("with a share of 1, only waits for the writes to go out", async () => {
    const { instance, flushes } = pacer(1000, { share: 1, cost: () => 200 });
    instance.notify();
    await vi.advanceTimersByTimeAsync(0);
    instance.notify();
    expect(flushes).toHaveLength(2);
  });

  it("rests at most a second, however long a frame took", async () => {
    const { instance, flushes } = pacer(1000, { share: 0.1, cost: () => (flushes.length === 1 ? 5_000 : 0) });
    instance.notify();
    await vi.advanceTimersByTimeAsync(0);
    instance.notify();
    await vi.advanceTimersByTimeAsync(999);
    expect(flushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes).toHaveLength(2);
  });

  it("a quick frame leaves the token bucket in charge", async () => {
    const { instance, flushes } = pacer(10, { cost: () => 3 });
    instance.notify();
    await vi.advanceTimersByTimeAsync(50);
    instance.notify();
    await vi.advanceTimersByTimeAsync(1_000);
    // The bucket held 1.5 tokens: the second frame waited for half a token (50 ms), not for the rest.
    expect(flushes).toHaveLength(2);
    expect(flushes[1]! - flushes[0]!).toBeLessThanOrEqual(53);
  });

  it("at one frame per second, sends a lone notification at once and holds the next ones for the half token it lacks, then sends them in one frame", async () => {
    const { instance, flushes } = pacer(1);
    instance.notify();
    expect(flushes).toEqual([1_000_000]);
    await vi.advanceTimersByTimeAsync(10);
    instance.notify();
    await vi.advanceTimersByTimeAsync(10);
    instance.notify();
    // 1.5 tokens less the first frame's leave half a token: 500 ms at one a second.
    await vi.advanceTimersByTimeAsync(479);
    expect(flushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes).toEqual([1_000_000, 1_000_500]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(flushes).toHaveLength(2);
  });
});
