import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeferredCloses, type CloseOrder } from "../../src/dashboard/deferred-closes.ts";

const order: CloseOrder = { code: 4529, reason: "over budget: reconnect later" };
const limits = { quietMs: 250, mostMs: 5_000 };

/** A DeferredCloses on fake timers that logs `socket@ms` as it closes each. */
function closes(): { deferred: DeferredCloses<string>; log: string[] } {
  const log: string[] = [];
  const began = Date.now();
  const deferred = new DeferredCloses<string>((socket, given) => log.push(`${socket}@${Date.now() - began}:${given.code}`), limits);
  return { deferred, log };
}

describe("DeferredCloses", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("closes a socket once nothing has come from it for quietMs, not before", async () => {
    const { deferred, log } = closes();
    deferred.condemn("a", order);
    await vi.advanceTimersByTimeAsync(249);
    expect(log).toEqual([]);
    expect(deferred.has("a")).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(["a@250:4529"]);
    expect(deferred.has("a")).toBe(false);
    expect(deferred.size).toBe(0);
  });

  it("keeps a socket open while its messages keep coming, and reports them as to be dropped", async () => {
    const { deferred, log } = closes();
    deferred.condemn("a", order);
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(200);
      expect(deferred.heard("a")).toBe(true);
    }
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(250);
    expect(log).toEqual(["a@2250:4529"]);
    expect(deferred.heard("a")).toBe(false);
  });

  it("closes a socket that never falls quiet mostMs after it was condemned", async () => {
    const { deferred, log } = closes();
    deferred.condemn("a", order);
    for (let t = 0; t < 6_000; t += 100) {
      deferred.heard("a");
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(log).toEqual(["a@5000:4529"]);
  });

  it("keeps a socket's first order and time when condemned again", async () => {
    const { deferred, log } = closes();
    deferred.condemn("a", order);
    await vi.advanceTimersByTimeAsync(200);
    deferred.condemn("a", { code: 4008, reason: "too many invalid messages" });
    await vi.advanceTimersByTimeAsync(50);
    expect(log).toEqual(["a@250:4529"]);
  });

  it("closes each socket on its own schedule, and none that was forgotten", async () => {
    const { deferred, log } = closes();
    deferred.condemn("a", order);
    await vi.advanceTimersByTimeAsync(100);
    deferred.condemn("b", order);
    deferred.condemn("c", order);
    deferred.forget("c");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(["a@250:4529", "b@350:4529"]);
    expect(deferred.heard("x")).toBe(false);
  });
});
