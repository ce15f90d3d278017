// Properties of the line-protocol decoder over inputs too many to list: every point line protocol
// can carry survives encoding and decoding unchanged, bad lines never cost the good ones, and no
// body whatsoever makes the decoder throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeLines,
  type FieldValue,
  LineProtocolError,
  type LineProtocolField,
  type LineProtocolPoint,
  type LineProtocolTag,
  type LineResult,
  type Precision,
  PRECISION_NANOSECONDS,
} from "../../src/ingest/line-protocol";
import { encodeLine } from "../support/line-protocol-encode";
import { INT64_MAX, INT64_MIN, UINT64_MAX } from "../../src/ingest/line-protocol-number";
import { decodeUtf8, hasLoneSurrogate } from "../../src/ingest/utf8-decode";

/** Characters that the grammar treats specially somewhere, so names hit every escape rule. */
const AWKWARD = [" ", ",", "=", "\\", '"', "#", "'", "-", ".", "0", "9", "e", "i", "u", "t", "F", "é", "\u00a0", "\u2028", "😀", "\ufeff"];

/** One character of a name: awkward ASCII, or any code point that is not a control character. */
const nameChar = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => !/^[\u0000-\u001f\u007f]$/.test(c)),
);

/**
 * A measurement, key or tag value that line protocol can carry: non-empty, without control
 * characters, and not ending in a backslash (the delimiter after it would read as escaped).
 */
const name = fc
  .string({ unit: nameChar, minLength: 1, maxLength: 12 })
  .map((s) => (s.endsWith("\\") ? `${s}x` : s));

/** A measurement: a name that does not start with "#", which would make the line a comment. */
const measurement = name.map((s) => (s.startsWith("#") ? `m${s}` : s));

/** A string value: anything at all, control characters and line breaks included. */
const stringValue = fc.string({
  unit: fc.oneof(fc.constantFrom(...AWKWARD, "\n", "\r", "\t", "\u0000", "\\n", '\\"'), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
  maxLength: 20,
});

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((float) => ({ float })),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map((int) => ({ int })),
  fc.bigInt({ min: 0n, max: UINT64_MAX }).map((uint) => ({ uint })),
  stringValue.map((string) => ({ string })),
  fc.boolean().map((bool) => ({ bool })),
);

const precision = fc.constantFrom<Precision>("ns", "us", "ms", "s", "m", "h");

/** A point with a time that is a whole number of `precision` units within the 64-bit range. */
const pointIn = (unit: Precision) =>
  fc.record({
    measurement,
    tags: fc.uniqueArray(fc.record({ key: name, value: name }), { selector: (tag) => tag.key, maxLength: 10 }),
    fields: fc.array(fc.record({ key: name, value: fieldValue }), { minLength: 1, maxLength: 6 }),
    time: fc.option(
      fc.bigInt({ min: INT64_MIN / PRECISION_NANOSECONDS[unit], max: INT64_MAX / PRECISION_NANOSECONDS[unit] }).map((n) => n * PRECISION_NANOSECONDS[unit]),
      { nil: undefined },
    ),
  });

/** A point with its precision. */
const pointWithPrecision = precision.chain((unit) => fc.tuple(fc.constant(unit), pointIn(unit)));

/** A time at which a body is received, in nanoseconds: any in the signed 64-bit range. */
const defaultTime = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });

/** Lines that are wrong in a way every decoder must notice; none holds a quote or a line break. */
const badLine = fc.constantFrom(
  "cpu",
  "cpu ",
  "cpu,host=a",
  "cpu,host= v=1",
  "cpu,=a v=1",
  "cpu,host=a,host=b v=1",
  "cpu v=",
  "cpu v=1x",
  "cpu v=NaN",
  "cpu v=9223372036854775808i",
  "cpu v=-1u",
  "cpu v=tru",
  "cpu v=1 12:00",
  "cpu v=1 1 2",
  "cpu v=1 9223372036854775808",
  ",cpu v=1",
  "\tcpu v=1",
  "# a comment with a \u0001 control character",
);

/** The point we expect `decodeLines` to give for `point` written at `line`. */
function expected(point: { measurement: string; tags: LineProtocolTag[]; fields: LineProtocolField[]; time?: bigint }, line: number, fallback: bigint): LineProtocolPoint {
  return { measurement: point.measurement, tags: point.tags, fields: point.fields, time: point.time ?? fallback, line };
}

/** Time given to points without one: the whole number of precision units at or before `time` (after, below the range). */
function truncated(time: bigint, unit: Precision): bigint {
  const scale = PRECISION_NANOSECONDS[unit];
  let units = time / scale;
  if (units * scale > time) units -= 1n;
  return units * scale >= INT64_MIN ? units * scale : (units + 1n) * scale;
}

/** `toEqual` for decode results, with floats compared by Object.is (so -0 is not 0). */
function expectSameResults(actual: LineResult[], wanted: LineResult[]): void {
  expect(actual).toHaveLength(wanted.length);
  actual.forEach((result, i) => {
    const want = wanted[i]!;
    if ("error" in want) {
      expect(result).toHaveProperty("error");
      return;
    }
    expect(result).toEqual(want);
    if ("point" in result) {
      result.point.fields.forEach((field, j) => {
        const wantValue = want.point.fields[j]!.value;
        if ("float" in wantValue && "float" in field.value) expect(Object.is(field.value.float, wantValue.float)).toBe(true);
      });
    }
  });
}

/** Checks what every result of every body must satisfy, valid or not. */
function expectWellFormed(results: LineResult[], body: string): void {
  const lines = body.split("\n").length;
  for (const result of results) {
    if ("error" in result) {
      expect(result.error).toBeInstanceOf(LineProtocolError);
      expect(result.error.line).toBeGreaterThanOrEqual(1);
      expect(result.error.line).toBeLessThanOrEqual(lines);
      expect(result.error.column).toBeGreaterThanOrEqual(1);
      continue;
    }
    const { point } = result;
    expect(point.measurement.length).toBeGreaterThan(0);
    expect(point.fields.length).toBeGreaterThan(0);
    expect(new Set(point.tags.map((tag) => tag.key)).size).toBe(point.tags.length);
    expect(point.time >= INT64_MIN && point.time <= INT64_MAX).toBe(true);
    for (const { value } of point.fields) {
      if ("float" in value) expect(Number.isFinite(value.float)).toBe(true);
      if ("int" in value) expect(value.int >= INT64_MIN && value.int <= INT64_MAX).toBe(true);
      if ("uint" in value) expect(value.uint >= 0n && value.uint <= UINT64_MAX).toBe(true);
    }
  }
}

describe("decoding what the encoder writes", () => {
  it("gives back every point exactly: names with escapes, every field type at its edges, and times in every precision", () => {
    fc.assert(
      fc.property(pointWithPrecision, defaultTime, ([unit, point], now) => {
        const line = encodeLine(point, unit);
        const results = decodeLines(line, { precision: unit, defaultTime: now });
        expectSameResults(results, [{ point: expected(point, 1, truncated(now, unit)) }]);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives the same points from the UTF-8 bytes of a body as from its text", () => {
    fc.assert(
      fc.property(fc.array(pointIn("ns"), { minLength: 1, maxLength: 5 }), (points) => {
        const body = points.map((point) => encodeLine(point)).join("\n");
        const options = { precision: "ns" as const, defaultTime: 0n };
        expectSameResults(decodeLines(new TextEncoder().encode(body), options), decodeLines(body, options));
      }),
      { numRuns: 500 },
    );
  });

  it("numbers points by the line they start on, across blank lines, comments, CRLF and strings holding raw line breaks", () => {
    const filler = fc.constantFrom("", "   ", "\r", "# comment", "  # indented comment ☃", "#");
    const entry = fc.oneof(
      pointIn("ns").map((point) => ({ point, text: encodeLine(point) })),
      // A string value may hold a raw line break; the entry then spans lines.
      fc.tuple(measurement, stringValue).map(([m, s]) => ({
        point: { measurement: m, tags: [], fields: [{ key: "s", value: { string: s } }] },
        text: `${encodeLine({ measurement: m, tags: [], fields: [{ key: "s", value: { bool: true } }] }).slice(0, -"true".length)}"${s.replace(/["\\]/g, "\\$&")}"`,
      })),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(filler, { maxLength: 2 }), entry), { minLength: 1, maxLength: 6 }),
        fc.constantFrom("\n", "\r\n"),
        (parts, newline) => {
          let body = "";
          const wanted: LineResult[] = [];
          for (const [fillers, { point, text }] of parts) {
            for (const line of fillers) body += line + newline;
            const line = body.split("\n").length;
            wanted.push({ point: expected(point, line, 7n) });
            body += text + newline;
          }
          expectSameResults(decodeLines(body, { precision: "ns", defaultTime: 7n }), wanted);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("decoding a body with bad lines", () => {
  it("rejects each bad line on its own line number and still decodes every good line", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(pointIn("ns").map((point) => ({ point })), badLine.map((bad) => ({ bad }))), { minLength: 1, maxLength: 12 }), (entries) => {
        const body = entries.map((entry) => ("point" in entry ? encodeLine(entry.point) : entry.bad)).join("\n");
        const results = decodeLines(body, { precision: "ns", defaultTime: 0n });
        expect(results).toHaveLength(entries.length);
        entries.forEach((entry, i) => {
          const result = results[i]!;
          if ("point" in entry) {
            expectSameResults([result], [{ point: expected(entry.point, i + 1, 0n) }]);
          } else {
            expect("error" in result && result.error.line).toBe(i + 1);
          }
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("reading a body given as bytes", () => {
  it("turns well-formed UTF-8 into exactly the text it encodes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(decodeUtf8(new TextEncoder().encode(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it("turns long well-formed UTF-8 into exactly the text it encodes, characters straddling its 4096-unit pieces included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 4000, maxLength: 9000, size: "max" }), (text) => {
        expect(decodeUtf8(new TextEncoder().encode(text))).toBe(text);
      }),
      // Shrinking texts this long would take minutes; the failing text itself is enough.
      { numRuns: 100, endOnFailure: true },
    );
  });

  it("marks ill-formed UTF-8 exactly where a strict decoder refuses it", () => {
    const strict = new TextDecoder("utf-8", { fatal: true });
    const byteRun = fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.string({ unit: "binary", maxLength: 4 }).map((s) => new TextEncoder().encode(s)));
    fc.assert(
      fc.property(fc.array(byteRun, { maxLength: 6 }), (runs) => {
        const bytes = new Uint8Array(runs.flatMap((run) => [...run]));
        let wellFormed = true;
        try {
          strict.decode(bytes);
        } catch {
          wellFormed = false;
        }
        expect(hasLoneSurrogate(decodeUtf8(bytes))).toBe(!wellFormed);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("decoding arbitrary input", () => {
  /** Text built from the grammar's own characters, so that decoding gets deep into a line. */
  const grammarChar = fc.constantFrom(
    ..."abc09.-+eEiutTfF \",=\\#\n\r\t\u0000\u007f\u00e9\ud83d\ude00xX_".split(""),
    "true",
    "FALSE",
    "9223372036854775807",
    "18446744073709551616",
    "1e400",
    "\ud800",
  );
  const grammarText = fc.string({ unit: grammarChar, maxLength: 80 });

  /** Encoded points with a few characters changed, inserted or removed. */
  const mutatedLines = fc
    .tuple(fc.array(pointIn("ns"), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat(2), grammarChar), { maxLength: 4 }))
    .map(([points, edits]) => {
      let body = points.map((point) => encodeLine(point)).join("\n");
      for (const [at, kind, c] of edits) {
        const i = body.length === 0 ? 0 : at % body.length;
        body = kind === 0 ? body.slice(0, i) + c + body.slice(i) : kind === 1 ? body.slice(0, i) + body.slice(i + 1) : body.slice(0, i) + c + body.slice(i + 1);
      }
      return body;
    });

  it("never throws for any text, and every point it gives is a valid point", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), grammarText, mutatedLines), (body) => {
        expectWellFormed(decodeLines(body, { precision: "ns", defaultTime: 0n }), body);
      }),
      { numRuns: 5000 },
    );
  });

  it("never throws for any bytes, ill-formed UTF-8 included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), precision, defaultTime, (bytes, unit, now) => {
        const results = decodeLines(bytes, { precision: unit, defaultTime: now });
        expectWellFormed(results, new TextDecoder().decode(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it("gives one result for each line that is neither blank nor a comment, when no string value can span lines", () => {
    fc.assert(
      fc.property(fc.oneof(grammarText, mutatedLines).map((body) => body.replaceAll('"', "")), (body) => {
        const results = decodeLines(body, { precision: "ns", defaultTime: 0n });
        const lineOf = (result: LineResult) => ("point" in result ? result.point.line : result.error.line);
        const resultLines = results.map(lineOf);
        expect(new Set(resultLines).size).toBe(resultLines.length);
        body.split("\n").forEach((text, i) => {
          const start = text.replace(/^[ \r]+/, "");
          const hasResult = resultLines.includes(i + 1);
          // A comment is skipped unless it holds a control character, which is an error.
          if (start.startsWith("#")) expect(hasResult).toBe(/[\u0000-\u0008\u000a-\u001f\u007f]/.test(start.replace(/\r$/, "")));
          else expect(hasResult).toBe(start.length > 0);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects any name or string value that is not valid UTF-8, from bytes and from text alike", () => {
    for (const body of ["m\udc80 v=1", "m,k=\ud800 v=1", "m k\udfff=1", 'm s="\ud83d"']) {
      expect(hasLoneSurrogate(body)).toBe(true);
      expect(decodeLines(body, { precision: "ns", defaultTime: 0n })[0]).toHaveProperty("error");
    }
    // "m<ill-formed> v=1": a lone byte, an overlong "/", an encoded surrogate, past U+10FFFF, a cut sequence
    for (const sequence of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      const bytes = new Uint8Array([0x6d, ...sequence, 0x20, 0x76, 0x3d, 0x31]);
      expect(decodeLines(bytes, { precision: "ns", defaultTime: 0n })[0]).toHaveProperty("error");
    }
  });
});
