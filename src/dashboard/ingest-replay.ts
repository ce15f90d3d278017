import { rejection, type IngestAnswer, type IngestRecord, type IngestRequest, type ItemUnit, type Rejection, type Remembered, type SeriesBatch } from "./ingest-contract";
import { admitSeries } from "./series-cap";

/** Every refused item of a request, in request order: the Worker's and the series cap's. */
export function allRejections(workers: readonly Rejection[], caps: readonly Rejection[]): Rejection[] {
  return [...workers, ...caps].sort((a, b) => (a.index ?? a.line!) - (b.index ?? b.line!));
}

/**
 * A 64-bit FNV-1a digest (hex) of a list of rejections. It checks a list rebuilt on a retry
 * against the first one, both made by this code from a body already bound by SHA-256, so it
 * need not resist forgery, only tell lists apart; and it is synchronous, as the ingest that
 * stores points with it must be (Web Crypto's digest is a promise).
 */
export function rejectionDigest(rejected: readonly Rejection[]): string {
  const text = JSON.stringify(rejected);
  // The 64-bit state as four 16-bit limbs (offset basis 0xcbf29ce484222325), since JS
  // integers are exact only to 53 bits; the prime is 2^40 + 0x1b3.
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h0 ^= unit & 0xff;
    [h0, h1, h2, h3] = timesPrime(h0, h1, h2, h3);
    h0 ^= unit >>> 8;
    [h0, h1, h2, h3] = timesPrime(h0, h1, h2, h3);
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, "0")).join("");
}

/** (h3:h2:h1:h0) x (2^40 + 0x1b3) mod 2^64, in 16-bit limbs. */
function timesPrime(h0: number, h1: number, h2: number, h3: number): [number, number, number, number] {
  let r0 = h0 * 0x1b3;
  let r1 = h1 * 0x1b3;
  let r2 = h2 * 0x1b3 + (h0 << 8);
  let r3 = h3 * 0x1b3 + (h1 << 8);
  r1 += r0 >>> 16;
  r2 += r1 >>> 16;
  r3 += r2 >>> 16;
  return [r0 & 0xffff, r1 & 0xffff, r2 & 0xffff, r3 & 0xffff];
}

/** Bit i set for each of `series` not in `admitted`; null when all were admitted. */
export function refusedSeriesBits(series: readonly SeriesBatch[], admitted: readonly SeriesBatch[]): Uint8Array | null {
  if (admitted.length === series.length) return null;
  const kept = new Set(admitted);
  const bits = new Uint8Array(Math.ceil(series.length / 8));
  series.forEach((batch, i) => {
    if (!kept.has(batch)) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

/**
 * The answer to a retry of a request already answered. Its counts and sequence numbers are
 * the first answer's. Its rejections are rebuilt from the retry (the same bytes): the
 * Worker's afresh, the series cap's from the recorded refused series (the cap's verdict
 * depends on what was stored then, not now). When the rebuilt list's digest differs from the
 * first one's (the Worker's validation changed in between, such as a point's time crossing
 * the edge of the accepted window), the answer says its list is the retry's
 * (`rejectedExact: false`); nothing is stored either way.
 */
export function replayAnswer(remembered: Remembered, request: IngestRequest, maxSeries: number): IngestAnswer {
  if ("answer" in remembered) return remembered.answer.status === "stored" ? { ...remembered.answer, replayed: true } : remembered.answer;
  const { record } = remembered;
  const admitted = request.series.filter((_, i) => !refusedBy(record.refusedSeries, i));
  const rejected = allRejections(request.rejected, [...capRejections(record, request, maxSeries), ...storeRejections(request.unit, admitted, record.refusedPoints)]);
  const first: IngestAnswer = { status: "stored", accepted: record.accepted, seq: record.seq, rejected, total: record.total, replayed: true };
  const answer = record.replaced > 0 ? { ...first, replaced: record.replaced } : first;
  return rejectionDigest(rejected) === record.rejectedDigest ? answer : { ...answer, rejectedExact: false };
}

/**
 * The rejections of the points the store refused (pairs of a series batch among `admitted`
 * and a point of it, see `IngestRecord.refusedPoints`), with the store's reason.
 */
export function storeRejections(unit: ItemUnit, admitted: readonly SeriesBatch[], pairs: Uint32Array | null): Rejection[] {
  const rejected: Rejection[] = [];
  for (let i = 0; pairs && i + 1 < pairs.length; i += 2) {
    const batch = admitted[pairs[i]!];
    const index = pairs[i + 1]!;
    if (!batch || index >= batch.ts.length) continue;
    const message =
      `"${batch.key}" at ${new Date(batch.ts[index]!).toISOString()}: the raw points of that minute are no longer all kept (raw retention), ` +
      `so a write there cannot be told from a retry of a point its per-minute summary already counts; not stored`;
    rejected.push(rejection(unit, batch.items[index]!, message, unit === "index" ? "ts" : undefined));
  }
  return rejected;
}

function refusedBy(bits: Uint8Array | null, i: number): boolean {
  return bits !== null && (((bits[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
}

/** The series cap's rejections of the recorded refused series, with the cap's own messages. */
function capRejections(record: IngestRecord, request: IngestRequest, maxSeries: number): Rejection[] {
  const bits = record.refusedSeries;
  if (!bits) return [];
  const refused = request.series.filter((_, i) => refusedBy(bits, i));
  // Every one of them new to a full dashboard: the cap refuses each, as it did.
  return admitSeries(refused, request.unit, () => false, maxSeries, maxSeries).rejected;
}
