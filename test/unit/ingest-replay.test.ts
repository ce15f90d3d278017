import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRejections, refusedSeriesBits, rejectionDigest, replayAnswer, storeRejections } from "../../src/dashboard/ingest-replay.ts";
import { rejection, type IngestRequest, type Rejection, type SeriesBatch } from "../../src/dashboard/ingest-contract.ts";
import { admitSeries } from "../../src/dashboard/series-cap.ts";

/** FNV-1a, 64-bit, over each UTF-16 code unit's low then high byte, in BigInt: the reference. */
function referenceDigest(rejected: Rejection[]): string {
  const text = JSON.stringify(rejected);
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    for (const byte of [text.charCodeAt(i) & 0xff, text.charCodeAt(i) >>> 8]) {
      hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
    }
  }
  return hash.toString(16).padStart(16, "0");
}

const rejections = fc.array(
  fc.record({ line: fc.nat({ max: 100_000 }), message: fc.string({ unit: "grapheme" }), field: fc.option(fc.string(), { nil: undefined }) }).map((r) => rejection("line", r.line, r.message, r.field)),
  { maxLength: 30 },
);

function batch(key: string, items: number[]): SeriesBatch {
  return { key, name: key, tags: {}, ts: new Float64Array(items.length), values: new Float64Array(items.length), items: Uint32Array.from(items) };
}

describe("rejectionDigest", () => {
  it("is FNV-1a 64 computed in 16-bit limbs exactly as in 64-bit arithmetic", () => {
    fc.assert(fc.property(rejections, (list) => rejectionDigest(list) === referenceDigest(list)));
  });

  it("tells apart lists that differ in one item, one reason or one field", () => {
    fc.assert(
      fc.property(rejections, fc.nat(), fc.string({ minLength: 1 }), (list, at, extra) => {
        fc.pre(list.length > 0);
        const i = at % list.length;
        const changed = list.map((r, j) => (j === i ? { ...r, message: r.message + extra } : r));
        return rejectionDigest(changed) !== rejectionDigest(list) && rejectionDigest(list.slice(1)) !== rejectionDigest(list);
      }),
    );
  });
});

describe("replayAnswer", () => {
  const max = 3;
  /** A request of four series (items 0-6 but 4) to a dashboard holding `known`, which may hold `max` series. */
  function firstAnswer(known: string[], workers: Rejection[]) {
    const series = [batch("a", [0, 2]), batch("b", [1]), batch("c", [3]), batch("d", [5, 6])];
    const request: IngestRequest = { credential: { kind: "admin" }, series, rejected: workers, unit: "index", total: 7 + workers.length };
    const { admitted, rejected } = admitSeries(series, "index", (key) => known.includes(key), known.length, max);
    const all = allRejections(workers, rejected);
    const record = { accepted: admitted.reduce((n, b) => n + b.ts.length, 0), seq: { from: 10, to: 12 }, total: request.total, rejectedDigest: rejectionDigest(all), refusedSeries: refusedSeriesBits(series, admitted), replaced: 0, refusedPoints: null };
    return { request, all, record, admitted };
  }

  it("rebuilds the series cap's rejections from the recorded bits, whatever is stored since", () => {
    const workers = [rejection("index", 4, "value must be a finite number", "value")];
    const { request, all, record } = firstAnswer(["a", "x"], workers);
    expect(all.map((r) => r.index)).toEqual([3, 4, 5, 6]);
    expect(record.refusedSeries).toEqual(Uint8Array.from([0b1100]));
    expect(replayAnswer({ bodyHash: "h", record }, request, max)).toEqual({ status: "stored", accepted: 3, seq: { from: 10, to: 12 }, rejected: all, total: 8, replayed: true });
  });

  it("rebuilds the store's refusals from the recorded pairs, and carries the count of replaced points", () => {
    const { request, admitted, record } = firstAnswer(["a", "x"], []);
    // The store refused the second point of the first admitted batch ("a", item 2).
    const pairs = Uint32Array.from([0, 1]);
    const refused = storeRejections("index", admitted, pairs);
    expect(refused).toEqual([expect.objectContaining({ index: 2, field: "ts" })]);
    const all = allRejections([], [...admitSeries(request.series, "index", (key) => ["a", "x"].includes(key), 2, max).rejected, ...refused]);
    const first = { ...record, accepted: record.accepted - 1, rejectedDigest: rejectionDigest(all), replaced: 2, refusedPoints: pairs };
    const replay = replayAnswer({ bodyHash: "h", record: first }, request, max);
    expect(replay).toEqual({ status: "stored", accepted: 2, replaced: 2, seq: { from: 10, to: 12 }, rejected: all, total: 7, replayed: true });
    // Without the pairs the rebuilt list lacks the store's refusal, and the answer says so.
    expect(replayAnswer({ bodyHash: "h", record: { ...first, refusedPoints: null } }, request, max)).toMatchObject({ rejectedExact: false });
  });

  it("keeps no bits when the cap refused nothing", () => {
    const { record } = firstAnswer(["a", "b", "c", "d"], []);
    expect(record.refusedSeries).toBeNull();
  });

  it("says its list is the retry's when the rebuilt list differs from the first", () => {
    const { request, record } = firstAnswer(["a", "b", "c", "d"], [rejection("index", 4, "too old", "ts")]);
    const retry = { ...request, rejected: [rejection("index", 4, "too old", "ts"), rejection("index", 7, "too old", "ts")] };
    expect(replayAnswer({ bodyHash: "h", record }, retry, max)).toMatchObject({ accepted: record.accepted, seq: record.seq, rejectedExact: false, rejected: retry.rejected });
  });
});
