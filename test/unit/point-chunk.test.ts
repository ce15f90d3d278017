import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lastSeq, mergeChunks, seqAt, type PointChunk } from "../../src/dashboard/point-chunk.ts";

function chunk(firstSeq: number, ts: number[], values: number[], seqs?: number[]): PointChunk {
  return { firstSeq, seriesId: 7, ts: Float64Array.from(ts), values: Float64Array.from(values), seqs: seqs ? Float64Array.from(seqs) : undefined };
}

/** Each point of a chunk as [seq, ts, value]. */
function points(c: PointChunk): [number, number, number][] {
  return Array.from(c.ts, (ts, i) => [seqAt(c, i), ts, c.values[i]!]);
}

describe("mergeChunks", () => {
  it("keeps every point's sequence number, time and value, bit for bit", () => {
    const merged = mergeChunks([chunk(3, [10, 11], [-0, 5e-324]), chunk(9, [9], [1.5]), chunk(20, [30, 31], [2, 3], [20, 25])]);
    expect(points(merged)).toEqual([
      [3, 10, -0],
      [4, 11, 5e-324],
      [9, 9, 1.5],
      [20, 30, 2],
      [25, 31, 3],
    ]);
    expect(Object.is(merged.values[0], -0)).toBe(true);
    expect(merged.firstSeq).toBe(3);
    expect(lastSeq(merged)).toBe(25);
  });

  it("leaves out the list of sequence numbers when they run without a gap", () => {
    const merged = mergeChunks([chunk(5, [1, 2], [1, 2]), chunk(7, [3], [3])]);
    expect(merged.seqs).toBeUndefined();
    expect(points(merged).map(([seq]) => seq)).toEqual([5, 6, 7]);
  });

  it("refuses chunks of different series, out of order, or none", () => {
    expect(() => mergeChunks([])).toThrow(/at least one/);
    expect(() => mergeChunks([chunk(5, [1], [1]), chunk(3, [1], [1])])).toThrow(/order/);
    expect(() => mergeChunks([chunk(1, [1], [1]), { ...chunk(2, [1], [1]), seriesId: 8 }])).toThrow(/different series/);
  });

  it("gives the concatenation of its chunks' points for any run of chunks", () => {
    // Chunks as (gap before, point count); each chunk's numbers run on from its first.
    const runs = fc.array(fc.tuple(fc.nat(20), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(runs, (shape) => {
        let next = 1;
        const chunks = shape.map(([gap, count]) => {
          const first = next + gap;
          next = first + count;
          return chunk(first, Array.from({ length: count }, (_, i) => first * 1000 + i), Array.from({ length: count }, (_, i) => first - i / 8));
        });
        const merged = mergeChunks(chunks);
        expect(points(merged)).toEqual(chunks.flatMap(points));
        expect(merged.seqs === undefined).toBe(shape.slice(1).every(([gap]) => gap === 0));
      }),
    );
  });
});
