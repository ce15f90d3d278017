import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClientMessage } from "../../src/dashboard/client-message.ts";
import { MAX_CLIENT_MESSAGE_BYTES, type ClientMessage } from "../../src/common/protocol.ts";
import { patternLimits } from "../../src/common/series-pattern.ts";

const TYPES = "type must be one of resume, subscribe, history";
const text = (message: unknown) => JSON.stringify(message);

// Messages a viewer may send, across the whole range each field allows.
const patterns = fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 8 });
const time = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const validMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant("resume" as const), since: time }),
  fc.record({ type: fc.constant("subscribe" as const), series: patterns }),
  fc.record(
    {
      type: fc.constant("history" as const),
      id: fc.string({ minLength: 1, maxLength: 64 }),
      series: patterns,
      from: time,
      to: time,
      step: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    },
    { requiredKeys: ["type", "id", "series", "from", "to"] },
  ),
);

describe("parseClientMessage", () => {
  it("reads each message type the protocol defines", () => {
    expect(parseClientMessage(text({ type: "resume", since: 0 }))).toEqual({ message: { type: "resume", since: 0 } });
    expect(parseClientMessage(text({ type: "subscribe", series: ["cpu.*", "mem.used"] }))).toEqual({ message: { type: "subscribe", series: ["cpu.*", "mem.used"] } });
    const history = { type: "history", id: "r1", series: ["cpu.load"], from: 1_000, to: 2_000 };
    expect(parseClientMessage(text(history))).toEqual({ message: history });
    expect(parseClientMessage(text({ ...history, step: 10 }))).toEqual({ message: { ...history, step: 10 } });
  });

  it("reads any message the protocol allows back exactly as it was sent", () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        expect(parseClientMessage(text(message))).toEqual({ message });
      }),
    );
  });

  it("never throws, whatever text or JSON arrives", () => {
    const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.json({ maxDepth: 3 }), validMessage.map(text));
    fc.assert(
      fc.property(anyText, (raw) => {
        const result = parseClientMessage(raw);
        expect("message" in result || typeof result.error === "string").toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a binary frame", () => {
    expect(parseClientMessage(new TextEncoder().encode(text({ type: "resume", since: 0 })).buffer)).toEqual({ error: "messages must be JSON text, not binary" });
  });

  it(`reads a text of ${MAX_CLIENT_MESSAGE_BYTES} characters and refuses one longer, before parsing it`, () => {
    const message = text({ type: "subscribe", series: ["a"] });
    const padded = (length: number) => message.slice(0, -1) + " ".repeat(length - message.length) + "}";
    expect(padded(MAX_CLIENT_MESSAGE_BYTES)).toHaveLength(MAX_CLIENT_MESSAGE_BYTES);
    expect(parseClientMessage(padded(MAX_CLIENT_MESSAGE_BYTES))).toEqual({ message: { type: "subscribe", series: ["a"] } });
    expect(parseClientMessage(padded(MAX_CLIENT_MESSAGE_BYTES + 1))).toEqual({ error: `messages are at most ${MAX_CLIENT_MESSAGE_BYTES} bytes` });
    // Too long is said even when the text is not JSON at all: the length is checked first.
    expect(parseClientMessage("{".repeat(MAX_CLIENT_MESSAGE_BYTES + 1))).toEqual({ error: `messages are at most ${MAX_CLIENT_MESSAGE_BYTES} bytes` });
  });

  it(`counts the limit in bytes of UTF-8, not in characters`, () => {
    const message = text({ type: "subscribe", series: ["a"] });
    // "é" is one character and two bytes: 4,000-odd characters, over 4096 bytes.
    const wide = message.slice(0, -1) + " ".repeat(100) + ',"x":"' + "é".repeat(2100) + '"}';
    expect(wide.length).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
    expect(new TextEncoder().encode(wide).byteLength).toBeGreaterThan(MAX_CLIENT_MESSAGE_BYTES);
    expect(parseClientMessage(wide)).toEqual({ error: `messages are at most ${MAX_CLIENT_MESSAGE_BYTES} bytes` });
    const fitting = message.slice(0, -1) + ',"x":"' + "é".repeat(1000) + '"}';
    expect(parseClientMessage(fitting)).toEqual({ error: 'Unrecognized key: "x"' });
  });

  it.each(["", "ping", "{", "{'type':'resume'}", '{"type":"resume",}'])("refuses text that is not JSON: %j", (raw) => {
    expect(parseClientMessage(raw)).toEqual({ error: "messages must be JSON" });
  });

  it.each(["null", "[]", "5", '"resume"', "true"])("refuses JSON that is not an object (%s) by naming the types", (raw) => {
    expect(parseClientMessage(raw)).toEqual({ error: TYPES });
  });

  it.each([{}, { type: "unsubscribe" }, { type: "RESUME", since: 0 }, { type: 1 }])("refuses an object without a known type (%j) at its type field", (message) => {
    expect(parseClientMessage(text(message))).toEqual({ error: `type: ${TYPES}` });
  });

  it.each([
    [{ type: "resume" }, /^since: .*expected number, received undefined/],
    [{ type: "resume", since: -1 }, /^since: .*>=0/],
    [{ type: "resume", since: 1.5 }, /^since: .*expected int/],
    [{ type: "resume", since: "1" }, /^since: .*expected number, received string/],
    [{ type: "resume", since: Number.MAX_SAFE_INTEGER + 1 }, /^since: Too big/],
    [{ type: "subscribe", series: ["a", 1] }, /^series\.1: .*expected string, received number/],
    [{ type: "history", id: "", series: ["a"], from: 0, to: 1 }, /^id: .*>=1 characters/],
    [{ type: "history", id: "r", series: ["a"], from: 0, to: 1, step: 0 }, /^step: .*>0/],
    [{ type: "history", id: "r", series: ["a"], from: 0.5, to: 1 }, /^from: .*expected int/],
    [{ type: "history", id: "r", series: ["a"], from: 0, to: -1 }, /^to: .*>=0/],
  ])("names the field at fault: %j", (message, error) => {
    const result = parseClientMessage(text(message));
    expect(result).toHaveProperty("error");
    expect((result as { error: string }).error).toMatch(error);
  });

  it("refuses a field the message type does not have, naming it", () => {
    expect(parseClientMessage(text({ type: "resume", since: 1, series: ["a"] }))).toEqual({ error: 'Unrecognized key: "series"' });
    expect(parseClientMessage(text({ type: "subscribe", series: ["a"], since: 1 }))).toEqual({ error: 'Unrecognized key: "since"' });
  });

  it("takes a history id of 1 to 64 characters", () => {
    const history = (id: string) => text({ type: "history", id, series: ["a"], from: 0, to: 1 });
    expect(parseClientMessage(history("x".repeat(64)))).toHaveProperty("message");
    const tooLong = parseClientMessage(history("x".repeat(65)));
    // An id outside the protocol's 1-64 characters is not echoed back.
    expect(tooLong).not.toHaveProperty("id");
    expect((tooLong as { error: string }).error).toMatch(/^id: .*<=64 characters/);
  });

  it("says what is wrong with the series list in the words of the pattern rules", () => {
    const subscribe = (series: unknown) => parseClientMessage(text({ type: "subscribe", series }));
    expect(subscribe("cpu.*")).toEqual({ error: "series: series must be an array of patterns" });
    expect(subscribe([])).toEqual({ error: "series: at least one pattern is needed" });
    expect(subscribe(["a", ""])).toEqual({ error: "series: a pattern must not be empty" });
    expect(subscribe(Array.from({ length: patternLimits.maxPatterns + 1 }, (_, i) => `s${i}`))).toEqual({ error: `series: at most ${patternLimits.maxPatterns} patterns` });
    expect(subscribe(["a".repeat(patternLimits.maxPatternLength + 1)])).toEqual({ error: `series: a pattern is at most ${patternLimits.maxPatternLength} characters` });
    expect(subscribe(["a".repeat(patternLimits.maxPatternLength)])).toEqual({ message: { type: "subscribe", series: ["a".repeat(patternLimits.maxPatternLength)] } });
    // The history query checks its list with the same rules.
    expect(parseClientMessage(text({ type: "history", id: "r", series: [], from: 0, to: 1 }))).toEqual({ error: "series: at least one pattern is needed", id: "r" });
  });

  it("returns the request id with the error whenever the refused message carries a valid one (a string of 1 to 64 characters)", () => {
    expect(parseClientMessage(text({ type: "history", id: "r7", series: ["a"], from: -1, to: 1 }))).toMatchObject({ id: "r7" });
    expect(parseClientMessage(text({ type: "nope", id: "r8" }))).toEqual({ error: `type: ${TYPES}`, id: "r8" });
    // An id that is not a string is not echoed (the answer's id is typed as a string).
    const numbered = parseClientMessage(text({ type: "history", id: 7, series: ["a"], from: 0, to: 1 }));
    expect(numbered).not.toHaveProperty("id");
    expect((numbered as { error: string }).error).toMatch(/^id: .*expected string, received number/);
    // A message without an id gets an error without one.
    expect(parseClientMessage(text({ type: "resume", since: -1 }))).not.toHaveProperty("id");
  });

  it("reports only the first problem of a message", () => {
    expect(parseClientMessage(text({ type: "history", id: "", series: [], from: -1, to: -1 }))).toEqual({ error: expect.stringMatching(/^id: /) });
  });
});
