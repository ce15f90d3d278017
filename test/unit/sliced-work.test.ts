import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SlicedWork } from "../../src/dashboard/sliced-work.ts";

/** A job of `slices` slices that logs `name:i` as each runs. */
function* job(log: string[], name: string, slices: number): Generator<void, void> {
  for (let i = 1; i <= slices; i++) {
    if (i > 1) yield;
    log.push(`${name}:${i}`);
  }
}

describe("SlicedWork", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs nothing at once, then one slice per turn, other timers running between slices", async () => {
    const log: string[] = [];
    const work = new SlicedWork<string>();
    work.start("a", job(log, "a", 3));
    expect(log).toEqual([]);
    setTimeout(() => log.push("other"), 0);
    await vi.runAllTimersAsync();
    expect(log).toEqual(["a:1", "other", "a:2", "a:3"]);
    expect(work.busy("a")).toBe(false);
  });

  it("serves jobs one after another in the order they started", async () => {
    const log: string[] = [];
    const work = new SlicedWork<string>();
    work.start("a", job(log, "a", 2));
    work.start("b", job(log, "b", 2));
    await vi.runAllTimersAsync();
    expect(log).toEqual(["a:1", "a:2", "b:1", "b:2"]);
  });

  it("lets a newer job replace an older one of the same key, in its place in line", async () => {
    const log: string[] = [];
    const work = new SlicedWork<string>();
    work.start("a", job(log, "old", 3));
    work.start("b", job(log, "b", 1));
    await vi.runAllTimersAsync();
    expect(log).toEqual(["old:1", "old:2", "old:3", "b:1"]);
    log.length = 0;
    work.start("a", job(log, "old", 3));
    work.start("b", job(log, "b", 1));
    setTimeout(() => work.start("a", job(log, "new", 2)), 0);
    await vi.runAllTimersAsync();
    expect(log).toEqual(["old:1", "new:1", "new:2", "b:1"]);
  });

  it("waits as long as a job asks before its next slice, the jobs behind it too", async () => {
    const log: string[] = [];
    const work = new SlicedWork<string>();
    work.start(
      "a",
      (function* () {
        log.push(`a:1@${Date.now()}`);
        yield 250;
        log.push(`a:2@${Date.now()}`);
      })(),
    );
    work.start("b", job(log, "b", 1));
    const start = Date.now();
    await vi.runAllTimersAsync();
    expect(log).toEqual([`a:1@${start}`, `a:2@${start + 250}`, "b:1"]);
  });

  it("never runs the remaining slices of a cancelled job", async () => {
    const log: string[] = [];
    const work = new SlicedWork<string>();
    work.start("a", job(log, "a", 5));
    setTimeout(() => setTimeout(() => work.cancel("a"), 0), 0);
    await vi.runAllTimersAsync();
    expect(log.length).toBeLessThan(5);
    expect(work.size).toBe(0);
  });

  it("reports a job that throws and goes on with the others", async () => {
    const log: string[] = [];
    const failed: string[] = [];
    const work = new SlicedWork<string>((key) => failed.push(key));
    work.start(
      "bad",
      (function* () {
        yield;
        throw new Error("broken");
      })(),
    );
    work.start("good", job(log, "good", 2));
    await vi.runAllTimersAsync();
    expect(failed).toEqual(["bad"]);
    expect(log).toEqual(["good:1", "good:2"]);
  });
});
