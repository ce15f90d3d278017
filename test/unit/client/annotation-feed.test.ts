import { describe, expect, it } from "vitest";
import type { Annotation } from "../../../src/common/protocol.ts";
import { AnnotationFeed } from "../../../src/client/dashboard/annotation-feed.ts";

const note = (id: number, ts: number, text = `n${id}`): Annotation => ({ id, ts, text, tags: {} });

/** A fetch answering each call with the next of `answers` once `release` is called (or at once). */
function fakeFetch(answers: Annotation[][]) {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(`${String(input)} ${JSON.stringify(init?.headers ?? {})}`);
    await gate;
    return new Response(JSON.stringify({ annotations: answers.shift() ?? [] }), { status: 200 });
  }) as typeof fetch;
  return { load, calls, release };
}

describe("AnnotationFeed", () => {
  it("reads the annotations with the view key, keeps them in time order, and tells its listeners", async () => {
    const { load, calls, release } = fakeFetch([[note(2, 300), note(1, 100)]]);
    const feed = new AnnotationFeed("boiler room", "pbv_key", load);
    let changes = 0;
    feed.onChange(() => changes++);
    release();
    await feed.refresh(1_800_000_000_000);
    expect(calls[0]).toMatch(/^\/api\/dashboards\/boiler%20room\/annotations\?from=\d+&to=\d+ .*pbv_key/);
    expect(feed.all.map((a) => a.id)).toEqual([1, 2]);
    expect(feed.within(200, 400).map((a) => a.id)).toEqual([2]);
    expect(changes).toBe(1);
  });

  it("applies live changes, and those heard while a read is under way over its answer", async () => {
    const { load, release } = fakeFetch([[note(1, 100), note(2, 200)]]);
    const feed = new AnnotationFeed("d", undefined, load);
    const reading = feed.refresh(1_800_000_000_000);
    // Heard before the read's answer, which was read before they happened.
    feed.apply({ added: [note(3, 50)], removed: [2] });
    release();
    await reading;
    expect(feed.all.map((a) => a.id)).toEqual([3, 1]);
    feed.apply({ added: [], removed: [3] });
    expect(feed.all.map((a) => a.id)).toEqual([1]);
  });

  it("keeps what it holds when a read fails", async () => {
    const feed = new AnnotationFeed("d", undefined, (async () => new Response("down", { status: 503 })) as typeof fetch);
    feed.apply({ added: [note(1, 1)], removed: [] });
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      await feed.refresh();
    } finally {
      console.warn = warn;
    }
    expect(feed.all.map((a) => a.id)).toEqual([1]);
  });
});

describe("parseLocalTime", () => {
  it("reads YYYY-MM-DD HH:MM[:SS] in the browser's time zone, empty as now, and refuses the rest", async () => {
    const { parseLocalTime } = await import("../../../src/client/dashboard/annotator.ts");
    expect(parseLocalTime("")).toBeUndefined();
    expect(parseLocalTime("  ")).toBeUndefined();
    expect(parseLocalTime("2026-11-30 14:05:09")).toBe(new Date(2026, 10, 30, 14, 5, 9).getTime());
    expect(parseLocalTime("2026-11-30T14:05")).toBe(new Date(2026, 10, 30, 14, 5, 0).getTime());
    for (const bad of ["2026-02-30 10:00", "2026-11-30 24:00", "30/11/2026 14:05", "14:05", "2026-11-30 2:05 PM"]) expect(parseLocalTime(bad)).toBeNull();
  });
});

describe("AnnotationFeed.within", () => {
  it("gives the annotations in [from, to], both ends included, as a filter over all of them would", () => {
    const feed = new AnnotationFeed("d", undefined, (async () => new Response("{}")) as typeof fetch);
    const all = [5, 1, 3, 3, 9, 7].map((ts, i) => note(i + 1, ts));
    feed.apply({ added: all, removed: [] });
    for (let from = 0; from <= 10; from++) {
      for (let to = from; to <= 10; to++) {
        const expected = [...all].sort((a, b) => a.ts - b.ts || a.id - b.id).filter((a) => a.ts >= from && a.ts <= to);
        expect(feed.within(from, to)).toEqual(expected);
      }
    }
  });
});
