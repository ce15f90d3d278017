// Replays the line protocol conformance corpus of influxdata/line-protocol-corpus (MIT,
// InfluxData): thousands of bodies, many found by fuzzing, each with the reference decoder's
// answer. Agreement means: our decoder rejects at least one entry exactly when the reference
// rejects the body (it stops at the first bad line, we go on), and for accepted bodies every
// point matches: measurement, tags, fields in order with their types and values, and time.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeLines, type FieldValue, type LineProtocolPoint, type LineResult, type Precision } from "../../src/ingest/line-protocol";
import { encodeLine } from "../support/line-protocol-encode";
import { hasLoneSurrogate } from "../../src/ingest/utf8-decode";

const CORPUS_PATH =
  process.env.LINE_PROTOCOL_CORPUS ??
  fileURLToPath(new URL("../fixtures/influx-line-protocol/corpus.json", import.meta.url));

/**
 * Corpus keys where we are sure the reference's answer is wrong, each with the reason. A case
 * listed here still runs; only its disagreement is forgiven (and a listed case that agrees fails,
 * so the table cannot go stale).
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  // "u e=-0." and "u e=-0e-4": the reference reads these with Go's strconv.ParseFloat, which keeps
  // the sign of zero (its own tests expect "-0" and "-0e0" to give -0), so it decoded -0, as we
  // do. The corpus records 0 because it is written as JSON by Go ("-0"), imported into CUE, where
  // "-0" is an integer literal and so plain 0, and exported back to JSON from there.
  "16f42a27b1032ab9ffa616e9de6edf2f": "negative zero recorded as 0 by the corpus's JSON-CUE-JSON round trip",
  "579631bbe7f2e5bdbd98a380d381dd0c": "negative zero recorded as 0 by the corpus's JSON-CUE-JSON round trip",
};

/** A point as the corpus writes it (tags sorted by key, as the reference's harness sorts them). */
interface CorpusPoint {
  /** Nanoseconds since the epoch. */
  time: bigint;
  /** Measurement. */
  name: string;
  /** Tags, sorted by key. */
  tags: { key: string; value: string }[];
  /** Fields in the order written. */
  fields: { key: string; value: FieldValue }[];
}

/** One decode case. */
interface DecodeCase {
  /** The body and how to read it. */
  input: {
    /** Case id. */
    key: string;
    /** The body: text, or base64 bytes for bodies that are not UTF-8. */
    text: string | { binary: string };
    /** Time of points without a timestamp, in nanoseconds. */
    defaultTime: bigint;
    /** Precision, spelled as a Go duration. */
    precision: "1ns" | "1µs" | "1ms" | "1s";
  };
  /** The reference's answer: an error, or every point of the body. */
  output: { error: string } | { result: CorpusPoint[] };
}

/** One encode case. */
interface EncodeCase {
  /** The point to write. */
  input: { key: string; point: CorpusPoint; precision: "1ns" | "1µs" | "1ms" | "1s" };
  /** The reference's line, or an error. */
  output: { error: string } | { result: string };
}

/** The corpus file. */
interface Corpus {
  /** Decode cases by key. */
  decode: Record<string, DecodeCase>;
  /** Encode cases by key. */
  encode: Record<string, EncodeCase>;
}

const PRECISIONS: Record<DecodeCase["input"]["precision"], Precision> = { "1ns": "ns", "1µs": "us", "1ms": "ms", "1s": "s" };

/** JSON members whose integers are 64-bit and must stay exact; every other number is a double. */
const BIG_INTEGER_KEYS = new Set(["time", "defaultTime", "int", "uint"]);

let corpus: Corpus | undefined;

/** Reads the corpus once; a missing corpus fails the tests that need it, loudly. */
function loadCorpus(): Corpus {
  if (corpus !== undefined) return corpus;
  if (!existsSync(CORPUS_PATH)) {
    throw new Error(
      `line protocol corpus not found at ${CORPUS_PATH}: it must be present (set LINE_PROTOCOL_CORPUS to its path); these tests never skip`,
    );
  }
  // The corpus holds 64-bit integers beyond 2^53; the reviver's `context.source` (ES2025 JSON
  // parse with source) gives their exact digits.
  const reviver = (key: string, value: unknown, context?: { source?: string }): unknown => {
    if (typeof value === "number" && BIG_INTEGER_KEYS.has(key) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  };
  corpus = JSON.parse(readFileSync(CORPUS_PATH, "utf8"), reviver as (key: string, value: unknown) => unknown) as Corpus;
  return corpus;
}

/** The body as the reference saw it: bytes (a JSON text is UTF-8 encoded, as Go does). */
function bodyBytes(text: DecodeCase["input"]["text"]): Uint8Array {
  return typeof text === "string" ? new TextEncoder().encode(text) : new Uint8Array(Buffer.from(text.binary, "base64"));
}

function byKey(a: { key: string; value: string }, b: { key: string; value: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if ("float" in a) return "float" in b && Object.is(a.float, b.float);
  if ("int" in a) return "int" in b && a.int === b.int;
  if ("uint" in a) return "uint" in b && a.uint === b.uint;
  if ("string" in a) return "string" in b && a.string === b.string;
  return "bool" in b && a.bool === b.bool;
}

function samePoint(ours: LineProtocolPoint, theirs: CorpusPoint): boolean {
  // The reference's harness sorts tags; we keep them as written, so both are sorted the same way here.
  const tags = [...ours.tags].sort(byKey);
  const theirTags = [...theirs.tags].sort(byKey);
  return (
    ours.measurement === theirs.name &&
    ours.time === theirs.time &&
    tags.length === theirTags.length &&
    tags.every((tag, i) => tag.key === theirTags[i]!.key && tag.value === theirTags[i]!.value) &&
    ours.fields.length === theirs.fields.length &&
    ours.fields.every((field, i) => field.key === theirs.fields[i]!.key && sameValue(field.value, theirs.fields[i]!.value))
  );
}

/** Whether our results agree with the reference's answer for one body. */
function agrees(results: LineResult[], output: DecodeCase["output"]): boolean {
  if ("error" in output) return results.some((result) => "error" in result);
  return (
    results.length === output.result.length &&
    results.every((result, i) => "point" in result && samePoint(result.point, output.result[i]!))
  );
}

/** Line of the reference's error, when its message names one ("at line 3:14: ..."). */
function referenceErrorLine(message: string): number | undefined {
  const match = /at line (\d+):\d+/.exec(message);
  return match === null ? undefined : Number(match[1]);
}

const show = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

describe("the line protocol conformance corpus", () => {
  it("has every decode case agree with the reference decoder", () => {
    const cases = Object.values(loadCorpus().decode);
    const disagreements: string[] = [];
    const forgivenThatAgree: string[] = [];
    let agreeing = 0;
    for (const { input, output } of cases) {
      const options = { precision: PRECISIONS[input.precision], defaultTime: input.defaultTime };
      const results = decodeLines(bodyBytes(input.text), options);
      let ok = agrees(results, output);
      // A text body must decode the same from a string as from its bytes.
      if (ok && typeof input.text === "string" && !hasLoneSurrogate(input.text)) {
        ok = show(decodeLines(input.text, options)) === show(results);
      }
      if (ok) agreeing++;
      const known = KNOWN_DIFFERENCES[input.key];
      if (!ok && known === undefined) {
        disagreements.push(`${input.key}: ${show(input.text)} => reference ${show(output)}, ours ${show(results)}`);
      }
      if (ok && known !== undefined) forgivenThatAgree.push(input.key);
    }
    const known = Object.keys(KNOWN_DIFFERENCES).length;
    console.log(`line protocol corpus: ${agreeing}/${cases.length} decode cases agree (${known} known differences, each explained in KNOWN_DIFFERENCES)`);
    expect(cases.length).toBeGreaterThan(6000);
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(forgivenThatAgree).toEqual([]);
  });

  it("differs on the known differences only by keeping the sign of negative zero", () => {
    const { decode } = loadCorpus();
    for (const key of Object.keys(KNOWN_DIFFERENCES)) {
      const { input, output } = decode[key]!;
      const results = decodeLines(bodyBytes(input.text), { precision: PRECISIONS[input.precision], defaultTime: input.defaultTime });
      const floats = results.flatMap((result) => ("point" in result ? result.point.fields.map((field) => field.value) : []));
      expect(floats.some((value) => "float" in value && Object.is(value.float, -0))).toBe(true);
      for (const value of floats) if ("float" in value && Object.is(value.float, -0)) value.float = 0;
      expect(agrees(results, output)).toBe(true);
    }
  });

  it("reports the first bad entry on the line where the reference found it", () => {
    const mismatches: string[] = [];
    for (const { input, output } of Object.values(loadCorpus().decode)) {
      if (!("error" in output) || input.key in KNOWN_DIFFERENCES) continue;
      const expected = referenceErrorLine(output.error);
      if (expected === undefined) continue;
      const options = { precision: PRECISIONS[input.precision], defaultTime: input.defaultTime };
      const first = decodeLines(bodyBytes(input.text), options).find((result) => "error" in result);
      const line = first !== undefined && "error" in first ? first.error.line : undefined;
      if (line !== expected) mismatches.push(`${input.key}: reference line ${expected}, ours ${line}: ${show(input.text)}`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it("has every encode case written as the reference writes it", () => {
    const cases = Object.values(loadCorpus().encode);
    const disagreements: string[] = [];
    for (const { input, output } of cases) {
      const point = { measurement: input.point.name, tags: input.point.tags, fields: input.point.fields, time: input.point.time };
      let ours: string;
      try {
        ours = encodeLine(point, PRECISIONS[input.precision]);
      } catch (error) {
        if (!("error" in output)) disagreements.push(`${input.key}: reference ${show(output)}, ours threw ${String(error)}`);
        continue;
      }
      if (!("result" in output) || output.result !== ours) {
        disagreements.push(`${input.key}: reference ${show(output)}, ours ${show(ours)}`);
      }
    }
    console.log(`line protocol corpus: ${cases.length - disagreements.length}/${cases.length} encode cases agree`);
    expect(cases.length).toBeGreaterThan(100);
    expect(disagreements).toEqual([]);
  });
});
