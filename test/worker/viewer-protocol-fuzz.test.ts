import { env, evictDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CloseCode, MAX_CLIENT_MESSAGE_BYTES } from "../../src/common/protocol";
import { createDashboard, postMetrics } from "./api";
import { Viewer } from "./viewer";

/**
 * Random message sequences from several sockets at once, with points arriving between them,
 * against the real object. Whatever the sockets send, a watching viewer still gets every
 * point exactly once and in order, the object never fails a message, and every socket it
 * has not closed still answers within a bound. The seed is printed; a failure replays with
 * the same seed in `fc.assert`'s options.
 */
const seed = Date.now() ^ (Math.random() * 0x100000000);
console.log(`viewer protocol fuzz: fast-check seed ${seed}`);

/** How long the object may take to answer a socket once the sequence is over. */
const ANSWER_BOUND_MS = 3000;

const patterns = fc.array(fc.constantFrom("*", "a", "b", "a*", "?", "c{host=x}", "nothing", "*a*"), { minLength: 1, maxLength: 3 });

type Action =
  | { kind: "send"; socket: number; text: string }
  | { kind: "binary"; socket: number; bytes: number }
  | { kind: "burst"; socket: number; count: number }
  | { kind: "close"; socket: number }
  | { kind: "ingest"; series: "a" | "b" }
  | { kind: "pause" }
  | { kind: "evict" };

const socketIndex = fc.integer({ min: 0, max: 2 });
const message = fc.oneof(
  fc.record({ type: fc.constant("resume"), since: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ type: fc.constant("subscribe"), series: patterns }),
  fc.record({
    type: fc.constant("history"),
    id: fc.string({ minLength: 1, maxLength: 8 }),
    series: patterns,
    from: fc.integer({ min: 0, max: 2 }).map((hours) => Date.now() - hours * 3_600_000),
    to: fc.constant(Date.now() + 1000),
    step: fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: undefined }),
  }),
  // Wrong shapes: unknown type, missing or out-of-range fields, extra fields.
  fc.record({ type: fc.constantFrom("resume", "subscribe", "history", "hello", ""), since: fc.integer({ min: -5, max: 5 }), extra: fc.boolean() }),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("send" as const), socket: socketIndex, text: message.map((value) => JSON.stringify(value)) }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("send" as const), socket: socketIndex, text: fc.oneof(fc.string({ maxLength: 20 }), fc.constant("x".repeat(MAX_CLIENT_MESSAGE_BYTES + 1))) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("binary" as const), socket: socketIndex, bytes: fc.integer({ min: 0, max: 64 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("burst" as const), socket: socketIndex, count: fc.integer({ min: 20, max: 80 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("close" as const), socket: socketIndex }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("ingest" as const), series: fc.constantFrom("a" as const, "b" as const) }), weight: 3 },
  { arbitrary: fc.constant({ kind: "pause" as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: "evict" as const }), weight: 1 },
);

/** Close codes the object may send a fuzzing socket: its own table, or 1000 echoing the peer. */
const documentedCloses: number[] = [CloseCode.normal, CloseCode.tooManyInvalidMessages, CloseCode.overBudget];

describe("the viewer protocol under random message sequences from several sockets", () => {
  it("never fails a message, never breaks another viewer's stream, and answers every open socket within a bound", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
        const { id, token } = await createDashboard();
        await postMetrics(id, token, [
          { name: "a", value: 0 },
          { name: "b", value: 0 },
        ]);
        const watcher = await Viewer.open(id);
        const start = (await watcher.nth("snapshot")).seq;
        const sockets = await Promise.all([0, 1, 2].map(() => Viewer.open(id, { series: "*" })));
        const sent: Record<"a" | "b", number[]> = { a: [], b: [] };
        let value = 1;
        for (const step of actions) {
          const socket = "socket" in step ? sockets[step.socket]! : null;
          const open = socket !== null && socket.closed === null && socket.socket.readyState === WebSocket.OPEN;
          if (step.kind === "send" && open) socket.send(step.text);
          if (step.kind === "binary" && open) socket.socket.send(new Uint8Array(step.bytes).buffer);
          if (step.kind === "burst" && open) for (let n = 0; n < step.count; n++) socket.send({ type: "resume", since: 0 });
          if (step.kind === "close" && open) socket.close();
          if (step.kind === "ingest") {
            const response = await postMetrics(id, token, { name: step.series, value });
            expect(response.status).toBe(200);
            sent[step.series].push(value++);
          }
          if (step.kind === "pause") await new Promise((resolve) => setTimeout(resolve, 5));
          // An object that has already hibernated on its own has nothing to evict.
          if (step.kind === "evict") await evictDurableObject(env.DASHBOARD.getByName(id), { webSockets: "hibernate" }).catch((err: Error) => expect(err.message).toMatch(/not currently running/));
        }

        // The object still answers: a final point reaches the watcher within the bound...
        const last = await (await postMetrics(id, token, { name: "a", value })).json<{ seq: { to: number } }>();
        sent.a.push(value);
        await watcher.until(() => watcher.position() >= last.seq.to, "the final point at the watcher", ANSWER_BOUND_MS);
        // ...with every point once, in order, no gap (receivedValues checks the ranges).
        const received = watcher.receivedValues(start);
        expect(received.get("a") ?? []).toEqual(sent.a);
        expect(received.get("b") ?? []).toEqual(sent.b);
        expect(watcher.all("error")).toEqual([]);

        // ...and every fuzzing socket it has not closed answers a resume.
        for (const socket of sockets) {
          expect(socket.all("error").filter((error) => error.code !== "invalid_message")).toEqual([]);
          if (socket.closed !== null) {
            expect(documentedCloses).toContain(socket.closed.code);
            continue;
          }
          if (socket.socket.readyState !== WebSocket.OPEN) continue;
          const answered = socket.all("resumed").length + socket.all("snapshot").length;
          socket.send({ type: "resume", since: last.seq.to });
          await socket.until(
            () => socket.closed !== null || socket.all("resumed").length + socket.all("snapshot").length > answered,
            "an answer to the final resume",
            ANSWER_BOUND_MS,
          );
          // Read afresh: the wait above may have seen the socket closed.
          const closed = socket.closed as { code: number } | null;
          if (closed !== null) expect(documentedCloses).toContain(closed.code);
        }
        [watcher, ...sockets].forEach((viewer) => viewer.socket.readyState === WebSocket.OPEN && viewer.close());
      }),
      { seed, numRuns: 40 },
    );
  });
});
