// How a dashboard keeps trying to register in the directory when the directory's shard fails:
// the whole schedule, on a clock of the test's, against a shard that fails until told not to.
// The shard is the test's (a stand-in for `env.DIRECTORY`), so each attempt is counted; the
// dashboard's storage is real. directory.test.ts covers the same with real shards, end to end.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DirectoryEntry } from "../../src/directory/directory-contract";
import { Registration, RETRY_FIRST_MS, RETRY_MOST_MS } from "../../src/directory/registration";
import { uniqueId } from "./api";

/** A directory whose every shard records the entries put to it, and fails while `down`. */
function fakeDirectory() {
  const directory = {
    down: true,
    /** Every attempt to put an entry, failed or not. */
    attempts: [] as DirectoryEntry[],
    /** The entries a shard took. */
    taken: [] as DirectoryEntry[],
  };
  const shard = {
    put: async (entry: DirectoryEntry) => {
      directory.attempts.push(entry);
      if (directory.down) throw new Error("the shard is down");
      directory.taken.push(entry);
    },
  };
  const fakeEnv = { ...env, DIRECTORY: { getByName: () => shard } } as unknown as Env;
  return { directory, fakeEnv };
}

/** Runs `body` with a Registration over a fresh dashboard object's storage, on a clock the test moves. */
function withRegistration(body: (registration: Registration, clock: { at: number }, directory: ReturnType<typeof fakeDirectory>["directory"], state: DurableObjectState) => Promise<void>): Promise<void> {
  const id = uniqueId("registered");
  return runInDurableObject(env.DASHBOARD.getByName(id), async (_instance, state) => {
    const { directory, fakeEnv } = fakeDirectory();
    const clock = { at: 1_000_000 };
    await body(new Registration(state, fakeEnv, () => clock.at), clock, directory, state);
  });
}

const entry: DirectoryEntry = { id: "boiler-room", title: "Boiler room", private: false, created: 1_700_000_000_000 };

/** A request's check, then whatever attempt it started settled. */
async function request(registration: Registration, asked = entry): Promise<void> {
  registration.check(asked);
  await registration.settled();
}

afterEach(() => vi.restoreAllMocks());

describe("registering a dashboard in the directory", () => {
  it("tries again after 1, 2, 4 … s, at most a minute apart, and never gives up while requests come", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    await withRegistration(async (registration, clock, directory) => {
      await request(registration);
      expect(directory.attempts).toHaveLength(1);
      // Expected waits written out, not computed by the code under test.
      const waits = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000];
      for (const [index, wait] of waits.entries()) {
        const tries = directory.attempts.length;
        // A request every 100 ms up to the moment before the wait ends tries nothing.
        const until = clock.at + wait;
        for (clock.at += 100; clock.at < until; clock.at += 100) await request(registration);
        clock.at = until - 1;
        await request(registration);
        expect(directory.attempts.length, `after failure ${index + 1}, ${wait - 1} ms on`).toBe(tries);
        clock.at = until;
        await request(registration);
        expect(directory.attempts.length, `after failure ${index + 1}, ${wait} ms on`).toBe(tries + 1);
      }
      expect(directory.attempts).toHaveLength(waits.length + 1);
      expect(directory.taken).toEqual([]);
    });
    // Each failure reported once, with its count in a row and the wait before the next try.
    expect(warnings).toHaveBeenCalledTimes(11);
    expect(warnings.mock.calls[0]![0]).toBe('registering dashboard "boiler-room" in the directory failed (1 in a row); a request from 1 s on tries again');
    expect(warnings.mock.calls[1]![0]).toBe('registering dashboard "boiler-room" in the directory failed (2 in a row); a request from 2 s on tries again');
    expect(warnings.mock.calls[10]![0]).toBe('registering dashboard "boiler-room" in the directory failed (11 in a row); a request from 60 s on tries again');
    expect(String(warnings.mock.calls[0]![1])).toContain("the shard is down");
    expect(RETRY_FIRST_MS).toBe(1_000);
    expect(RETRY_MOST_MS).toBe(60_000);
  });

  it("notes the entry once a try succeeds, asks no more, and starts the waits over after the next failure", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await withRegistration(async (registration, clock, directory, state) => {
      await request(registration);
      clock.at += 1_000;
      await request(registration);
      clock.at += 2_000;
      directory.down = false;
      await request(registration);
      expect(directory.taken).toEqual([entry]);
      expect(state.storage.kv.get("directory")).toEqual(entry);
      for (let i = 0; i < 10; i++, clock.at += 60_000) await request(registration);
      expect(directory.attempts).toHaveLength(3);

      // A title changed: registered again; a failure now waits 1 s, not 8.
      directory.down = true;
      const renamed = { ...entry, title: "Boiler room 2" };
      await request(registration, renamed);
      expect(directory.attempts).toHaveLength(4);
      clock.at += 999;
      await request(registration, renamed);
      expect(directory.attempts).toHaveLength(4);
      clock.at += 1;
      directory.down = false;
      await request(registration, renamed);
      expect(directory.taken).toEqual([entry, renamed]);
      expect(state.storage.kv.get("directory")).toEqual(renamed);
    });
  });

  it("tries at once when asked to ensure the entry (creation, a title change), whatever the wait, and answers whether it is listed", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await withRegistration(async (registration, clock, directory) => {
      expect(await registration.ensure(entry)).toBe(false);
      expect(await registration.ensure(entry)).toBe(false);
      expect(directory.attempts).toHaveLength(2);
      // Two failures in a row: requests now wait 2 s.
      clock.at += 1_999;
      await request(registration);
      expect(directory.attempts).toHaveLength(2);
      directory.down = false;
      expect(await registration.ensure(entry)).toBe(true);
      expect(await registration.ensure(entry)).toBe(true);
      expect(directory.attempts).toHaveLength(3);
    });
  });

  it("starts no second try while one is under way", async () => {
    await withRegistration(async (registration, _clock, directory) => {
      directory.down = false;
      registration.check(entry);
      registration.check(entry);
      const ensured = registration.ensure(entry);
      await registration.settled();
      expect(await ensured).toBe(true);
      expect(directory.attempts).toHaveLength(1);
    });
  });

  it("registers again from scratch once the dashboard's storage is deleted", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await withRegistration(async (registration, clock, directory, state) => {
      await request(registration);
      clock.at += 1_000;
      await request(registration);
      // Deleted: nothing noted, no wait left over from before.
      await state.storage.deleteAll();
      registration.forget();
      await request(registration);
      expect(directory.attempts).toHaveLength(3);
      clock.at += 999;
      await request(registration);
      expect(directory.attempts).toHaveLength(3);
    });
  });
});
