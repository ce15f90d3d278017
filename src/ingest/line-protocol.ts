/**
 * Decoder for the InfluxDB line protocol (the format of InfluxDB 2.x `/api/v2/write` and of
 * Telegraf's `influx` serializer), one result per entry so that a body's good lines can be kept
 * while each bad one is named with its line and reason.
 *
 * Grammar, as the reference (InfluxDB's line protocol documentation and the Go decoder of
 * influxdata/line-protocol v2, whose conformance corpus the tests replay) defines it:
 *
 *   body        = line { "\n" line }            (a "\r" before "\n" or at the end is a line end too)
 *   line        = { " " | "\r" } [ comment | entry ]
 *   comment     = "#" { printable | "\t" | non-ASCII }
 *   entry       = measurement { "," tagKey "=" tagValue } " " { " " }
 *                 field { "," field } [ " " { " " } [ timestamp { " " } ] ]
 *   field       = fieldKey "=" fieldValue
 *   fieldValue  = float | integer "i" | unsigned "u" | boolean | '"' string '"'
 *   boolean     = t | T | true | True | TRUE | f | F | false | False | FALSE
 *   timestamp   = [ "-" ] digits, in units of the request's precision
 *
 * Names and values are UTF-8 and hold no control characters (U+0000..U+001F, U+007F), except
 * string field values, which hold anything, newlines included. Escapes are a backslash before
 * one of the characters that would otherwise end the token: "," and " " in a measurement;
 * ",", "=" and " " in tag keys, tag values and field keys; and in string values `\"`, `\\`
 * and the control escapes `\n`, `\r`, `\t`. Any other backslash stands for itself. Tag keys
 * of one entry must differ; field keys may repeat (each is reported, in order).
 */
import { LineProtocolError } from "./line-protocol-error";
import { INT64_MAX, INT64_MIN, readFloat, readInteger, UINT64_MAX } from "./line-protocol-number";
import { decodeUtf8, escapedByte, hasLoneSurrogate } from "./utf8-decode";

export { LineProtocolError } from "./line-protocol-error";

/** A typed field value, its type given by its spelling; 64-bit integers are BigInt so that none loses precision. */
export type FieldValue =
  /** A float (`1`, `-1.5e-3`): finite; -0 keeps its sign. */
  | { float: number }
  /** A signed 64-bit integer (`42i`). */
  | { int: bigint }
  /** An unsigned 64-bit integer (`42u`). */
  | { uint: bigint }
  /** A string (`"text"`), escapes resolved. */
  | { string: string }
  /** A boolean (`t`, `true`, `F`, `FALSE`, ...). */
  | { bool: boolean };

/** One tag of a point: both parts unescaped. */
export interface LineProtocolTag {
  /** Tag key, non-empty. */
  key: string;
  /** Tag value, non-empty. */
  value: string;
}

/** One field of a point. */
export interface LineProtocolField {
  /** Field key, non-empty. */
  key: string;
  /** Field value with the type its spelling gave it. */
  value: FieldValue;
}

/** One decoded entry of a body. */
export interface LineProtocolPoint {
  /** Measurement name, unescaped and non-empty. */
  measurement: string;
  /** Tags in the order written (no key twice). */
  tags: LineProtocolTag[];
  /** Fields in the order written (at least one). */
  fields: LineProtocolField[];
  /** Time in nanoseconds since the Unix epoch, within the signed 64-bit range. */
  time: bigint;
  /** 1-based line of the body on which the entry starts. */
  line: number;
}

/**
 * Unit of the timestamps in a body, as the `precision` parameter names it: `/api/v2/write`
 * takes the first four, InfluxDB 1.x's `/write` minutes and hours too.
 */
export type Precision = "ns" | "us" | "ms" | "s" | "m" | "h";

/** How to read a body. */
export interface DecodeOptions {
  /** Unit of the timestamps written in the body. */
  precision: Precision;
  /** Time (nanoseconds, signed 64-bit) of entries without a timestamp; it is first truncated to `precision`. */
  defaultTime: bigint;
}

/** What became of one entry of a body. */
export type LineResult =
  /** The entry, decoded. */
  | { point: LineProtocolPoint }
  /** Why the entry was rejected, and where. */
  | { error: LineProtocolError };

/** Nanoseconds per unit of each precision. */
export const PRECISION_NANOSECONDS: Readonly<Record<Precision, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// Character codes the grammar names.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

// Classes of ASCII characters, as bits of CLASS[code]; characters >= 0x80 have none.
/** Ends a measurement: "," or " " or a control character. */
const ENDS_MEASUREMENT = 1;
/** Ends a tag key, tag value or field key: ",", "=", " " or a control character. */
const ENDS_KEY = 2;
/** Ends an unquoted field value or a timestamp: ",", " ", "\r", "\n". */
const ENDS_VALUE = 4;
/** Escapable in a measurement: "," and " ". */
const ESCAPES_MEASUREMENT = 8;
/** Escapable in tag keys, tag values and field keys: ",", "=" and " ". */
const ESCAPES_KEY = 16;
/** A control character, not allowed in names (U+0000..U+001F and U+007F). */
const CONTROL = 32;

const CLASS = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) CLASS[c] = ENDS_MEASUREMENT | ENDS_KEY | CONTROL;
CLASS[0x7f] = ENDS_MEASUREMENT | ENDS_KEY | CONTROL;
CLASS[COMMA] = ENDS_MEASUREMENT | ENDS_KEY | ENDS_VALUE | ESCAPES_MEASUREMENT | ESCAPES_KEY;
CLASS[SPACE] = ENDS_MEASUREMENT | ENDS_KEY | ENDS_VALUE | ESCAPES_MEASUREMENT | ESCAPES_KEY;
CLASS[EQUALS] = ENDS_KEY | ESCAPES_KEY;
CLASS[LF] = ENDS_MEASUREMENT | ENDS_KEY | CONTROL | ENDS_VALUE;
CLASS[CR] = ENDS_MEASUREMENT | ENDS_KEY | CONTROL | ENDS_VALUE;

/** The boolean spellings of the reference, and what each means. */
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ["t", true], ["T", true], ["true", true], ["True", true], ["TRUE", true],
  ["f", false], ["F", false], ["false", false], ["False", false], ["FALSE", false],
]);

/** Above this many tags a set finds repeated keys faster than comparing every pair. */
const PAIRWISE_TAG_CHECK = 8;

/**
 * Decodes a whole body. Each entry yields either a point or an error, in body order: one result
 * per line that is neither blank nor a comment (an entry whose string value spans lines counts
 * once). After a bad entry, decoding resumes on the next line.
 *
 * Give the body as bytes to have ill-formed UTF-8 rejected as the reference does; a string is
 * taken as already decoded (a lone surrogate in it counts as ill-formed). Never throws for any
 * body; only a precision outside `Precision` is a RangeError.
 */
export function decodeLines(body: string | Uint8Array, options: DecodeOptions): LineResult[] {
  const text = typeof body === "string" ? body : decodeUtf8(body);
  return new BodyDecoder(text, options).decodeAll();
}

/** The state of one pass over a body. */
class BodyDecoder {
  /** The whole body. */
  private readonly text: string;
  /** Nanoseconds per timestamp unit. */
  private readonly scale: bigint;
  /** Time of entries without a timestamp, already truncated to the precision. */
  private readonly defaultTime: bigint;
  /** Whether the body holds any surrogate, so that tokens need the UTF-8 check at all. */
  private readonly checkUtf8: boolean;
  /** Index of the next character to read. */
  private pos = 0;
  /** 1-based line of `pos`. */
  private line = 1;
  /** Index where the line of `pos` starts, for columns. */
  private lineStart = 0;

  constructor(text: string, options: DecodeOptions) {
    const scale = PRECISION_NANOSECONDS[options.precision];
    if (scale === undefined) throw new RangeError(`unknown precision ${String(options.precision)}`);
    this.text = text;
    this.scale = scale;
    // The reference truncates the default time to the precision (rounding down, also before 1970);
    // at the very bottom of the 64-bit range that would leave it, so there it rounds up.
    const rest = options.defaultTime % scale;
    const truncated = options.defaultTime - (rest < 0n ? rest + scale : rest);
    this.defaultTime = truncated < INT64_MIN ? truncated + scale : truncated;
    this.checkUtf8 = /[\ud800-\udfff]/.test(text);
  }

  decodeAll(): LineResult[] {
    const results: LineResult[] = [];
    const text = this.text;
    const n = text.length;
    for (;;) {
      // blank lines, and the spaces before an entry or a comment
      let c = text.charCodeAt(this.pos);
      while (c === SPACE || c === CR || c === LF) {
        this.pos++;
        if (c === LF) this.newLine();
        c = text.charCodeAt(this.pos);
      }
      if (this.pos >= n) return results;
      try {
        if (c === HASH) {
          this.skipComment();
        } else {
          results.push({ point: this.readEntry() });
        }
      } catch (error) {
        if (!(error instanceof LineProtocolError)) throw error;
        results.push({ error });
        this.skipLine();
      }
    }
  }

  /** Records that `pos` has just passed a "\n". */
  private newLine(): void {
    this.line++;
    this.lineStart = this.pos;
  }

  /** Skips the rest of the line after a bad entry, so that the next line is decoded afresh. */
  private skipLine(): void {
    const end = this.text.indexOf("\n", this.pos);
    if (end < 0) {
      this.pos = this.text.length;
    } else {
      this.pos = end + 1;
      this.newLine();
    }
  }

  /** A comment runs to the end of its line; the reference refuses control characters in it. */
  private skipComment(): void {
    const text = this.text;
    const n = text.length;
    let i = this.pos + 1;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) break;
      const lineEndingCr = c === CR && (i + 1 === n || text.charCodeAt(i + 1) === LF);
      if (c < 0x80 && CLASS[c]! & CONTROL && c !== TAB && !lineEndingCr) {
        throw this.fault(`invalid character ${describeAt(text, i)} in comment`, i);
      }
    }
    this.pos = i;
  }

  private readEntry(): LineProtocolPoint {
    const text = this.text;
    const line = this.line;

    // measurement
    const first = text.charCodeAt(this.pos);
    if (first === COMMA || (first < 0x80 && CLASS[first]! & CONTROL)) {
      throw this.fault(`invalid character ${describeAt(text, this.pos)} at start of measurement`, this.pos);
    }
    const measurement = this.readToken(ENDS_MEASUREMENT, ESCAPES_MEASUREMENT, "measurement");

    // tags
    const tags: LineProtocolTag[] = [];
    let c = text.charCodeAt(this.pos);
    while (c === COMMA) {
      this.pos++;
      const keyAt = this.pos;
      const key = this.readToken(ENDS_KEY, ESCAPES_KEY, "tag key");
      c = text.charCodeAt(this.pos);
      if (key.length === 0) {
        throw this.fault(`expected tag key after ",", found ${describeAt(text, this.pos)}`, this.pos);
      }
      if (c !== EQUALS) {
        throw this.fault(`expected "=" after tag key ${quote(key)}, found ${describeAt(text, this.pos)}`, this.pos);
      }
      this.pos++;
      const value = this.readToken(ENDS_KEY, ESCAPES_KEY, "tag value");
      if (value.length === 0) {
        throw this.fault(`expected value for tag key ${quote(key)}, found ${describeAt(text, this.pos)}`, this.pos);
      }
      if (repeatsKey(tags, key)) throw this.fault(`tag key ${quote(key)} appears twice`, keyAt);
      tags.push({ key, value });
      c = text.charCodeAt(this.pos);
    }
    if (c !== SPACE) {
      const after = tags.length > 0 ? "tag value" : "measurement";
      throw this.fault(`expected "," or " " and fields after ${after}, found ${describeAt(text, this.pos)}`, this.pos);
    }
    if (tags.length > PAIRWISE_TAG_CHECK) this.checkDistinctKeys(tags);

    // fields
    while (text.charCodeAt(this.pos) === SPACE) this.pos++;
    const fields: LineProtocolField[] = [];
    for (;;) {
      const keyAt = this.pos;
      const key = this.readToken(ENDS_KEY, ESCAPES_KEY, "field key");
      c = text.charCodeAt(this.pos);
      if (key.length === 0) {
        throw this.fault(
          atLineEnd(text, keyAt) ? "expected field key, found end of line" : `invalid character ${describeAt(text, keyAt)} at start of field key`,
          keyAt,
        );
      }
      if (c !== EQUALS) {
        throw this.fault(`expected "=" after field key ${quote(key)}, found ${describeAt(text, this.pos)}`, this.pos);
      }
      this.pos++;
      fields.push({ key, value: this.readFieldValue(key) });
      c = text.charCodeAt(this.pos);
      if (c !== COMMA) break;
      this.pos++;
    }

    // timestamp
    let time = this.defaultTime;
    if (c === SPACE) {
      while (text.charCodeAt(this.pos) === SPACE) this.pos++;
      if (!atLineEnd(text, this.pos)) {
        time = this.readTimestamp();
        while (text.charCodeAt(this.pos) === SPACE) this.pos++;
        if (!atLineEnd(text, this.pos)) {
          throw this.fault(`unexpected text after timestamp: ${quote(this.rest())}`, this.pos);
        }
      }
    } else if (!atLineEnd(text, this.pos)) {
      throw this.fault(`unexpected character ${describeAt(text, this.pos)} after field value`, this.pos);
    }
    this.endLine();
    return { measurement, tags, fields, time, line };
  }

  /** Consumes the end of the line at `pos`: "\n", "\r\n", a final "\r", or the end of the body. */
  private endLine(): void {
    const text = this.text;
    if (text.charCodeAt(this.pos) === CR) this.pos++;
    if (text.charCodeAt(this.pos) === LF) {
      this.pos++;
      this.newLine();
    }
  }

  /**
   * Reads a measurement, tag key, tag value or field key at `pos`, up to the first character of
   * class `ends` that no backslash escapes, and returns it unescaped. The backslash escapes only
   * characters of class `escapes`; before anything else it is an ordinary character.
   */
  private readToken(ends: number, escapes: number, what: string): string {
    const text = this.text;
    const n = text.length;
    const start = this.pos;
    let i = start;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (CLASS[c]! & ends) break;
        if (c === BACKSLASH) {
          const next = text.charCodeAt(i + 1);
          if (next < 0x80 && CLASS[next]! & escapes) {
            escaped = true;
            i += 2;
            continue;
          }
        }
      }
      i++;
    }
    this.pos = i;
    const raw = text.slice(start, i);
    if (this.checkUtf8 && hasLoneSurrogate(raw)) {
      throw this.fault(`invalid UTF-8 in ${what} ${quote(raw)}`, start);
    }
    return escaped ? unescape(raw, escapes) : raw;
  }

  /** Reads the value of field `key` at `pos`; its first character decides its type. */
  private readFieldValue(key: string): FieldValue {
    const text = this.text;
    const at = this.pos;
    const c = text.charCodeAt(at);
    if (c === QUOTE) return { string: this.readString(key) };
    if (isDigit(c) || c === MINUS || c === DOT) {
      const end = this.skipValueToken();
      const last = text.charCodeAt(end - 1);
      if (last === 0x69 /* i */) {
        const int = readInteger(text, at, end - 1, true);
        if (int === undefined) throw this.fault(`invalid integer ${quote(text.slice(at, end))} for field ${quote(key)}`, at);
        if (int < INT64_MIN || int > INT64_MAX) {
          throw this.fault(`integer ${quote(text.slice(at, end))} for field ${quote(key)} is out of the signed 64-bit range`, at);
        }
        return { int };
      }
      if (last === 0x75 /* u */) {
        const uint = readInteger(text, at, end - 1, false);
        if (uint === undefined) throw this.fault(`invalid unsigned integer ${quote(text.slice(at, end))} for field ${quote(key)}`, at);
        if (uint > UINT64_MAX) {
          throw this.fault(`unsigned integer ${quote(text.slice(at, end))} for field ${quote(key)} is out of the 64-bit range`, at);
        }
        return { uint };
      }
      const float = readFloat(text, at, end);
      if (Number.isNaN(float)) throw this.fault(`invalid number ${quote(text.slice(at, end))} for field ${quote(key)}`, at);
      if (float === Infinity || float === -Infinity) {
        throw this.fault(`float ${quote(text.slice(at, end))} for field ${quote(key)} is out of the 64-bit range`, at);
      }
      return { float };
    }
    if (c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 /* t T f F */) {
      const literal = text.slice(at, this.skipValueToken());
      const bool = BOOLEANS.get(literal);
      if (bool === undefined) throw this.fault(`invalid boolean ${quote(literal)} for field ${quote(key)}`, at);
      return { bool };
    }
    if (atLineEnd(text, at)) throw this.fault(`expected value for field ${quote(key)}, found end of line`, at);
    throw this.fault(`value of field ${quote(key)} has no known type (it starts with ${describeAt(text, at)})`, at);
  }

  /**
   * Moves `pos` past an unquoted field value or a timestamp (everything up to ",", " " or the
   * line's end) and returns the index where it ends.
   */
  private skipValueToken(): number {
    const text = this.text;
    const n = text.length;
    let i = this.pos;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x80 && CLASS[c]! & ENDS_VALUE) break;
      i++;
    }
    this.pos = i;
    return i;
  }

  /** Reads a quoted string value at `pos` (on its opening quote); it may span lines. */
  private readString(key: string): string {
    const text = this.text;
    const n = text.length;
    const startLine = this.line;
    const startColumn = this.pos - this.lineStart + 1;
    const start = this.pos + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      if (i >= n) {
        // Named where the string opens: that is the line a person has to fix.
        this.pos = n;
        throw new LineProtocolError(`string value of field ${quote(key)} has no closing quote`, startLine, startColumn);
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH && i + 1 < n) {
        escaped = true;
        i++;
        if (text.charCodeAt(i) === LF) {
          this.pos = i + 1;
          this.newLine();
        }
      } else if (c === LF) {
        this.pos = i + 1;
        this.newLine();
      }
      i++;
    }
    this.pos = i + 1;
    const raw = text.slice(start, i);
    if (this.checkUtf8 && hasLoneSurrogate(raw)) {
      throw new LineProtocolError(`invalid UTF-8 in string value of field ${quote(key)}`, startLine, startColumn);
    }
    return escaped ? unescapeString(raw) : raw;
  }

  /** Reads the timestamp at `pos` and scales it to nanoseconds. */
  private readTimestamp(): bigint {
    const text = this.text;
    const at = this.pos;
    const end = this.skipValueToken();
    const count = readInteger(text, at, end, true);
    if (count === undefined) throw this.fault(`invalid timestamp ${quote(text.slice(at, end))}`, at);
    const time = this.scale === 1n ? count : count * this.scale;
    if (time < INT64_MIN || time > INT64_MAX) {
      throw this.fault(`timestamp ${quote(text.slice(at, end))} is out of range (signed 64-bit nanoseconds)`, at);
    }
    return time;
  }

  /** Reports a repeated tag key among many tags (few are checked as they are read). */
  private checkDistinctKeys(tags: LineProtocolTag[]): void {
    const seen = new Set<string>();
    for (const { key } of tags) {
      if (seen.has(key)) throw this.fault(`tag key ${quote(key)} appears twice`, this.pos);
      seen.add(key);
    }
  }

  /** The rest of the current line, for messages. */
  private rest(): string {
    const end = this.text.indexOf("\n", this.pos);
    return this.text.slice(this.pos, end < 0 ? this.text.length : end).replace(/\r$/, "");
  }

  /** An error at index `at` of the current line. */
  private fault(reason: string, at: number): LineProtocolError {
    if (at > this.pos) this.pos = at;
    return new LineProtocolError(reason, this.line, at - this.lineStart + 1);
  }
}

/** Whether the line ends at `i`: at "\n", at "\r\n", at a final "\r", or at the end of the body. */
function atLineEnd(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === LF || Number.isNaN(c)) return true;
  if (c !== CR) return false;
  const next = text.charCodeAt(i + 1);
  return next === LF || Number.isNaN(next);
}

/** Whether `key` is already among the first few `tags` (more are checked with a set). */
function repeatsKey(tags: LineProtocolTag[], key: string): boolean {
  if (tags.length >= PAIRWISE_TAG_CHECK) return false;
  for (const tag of tags) if (tag.key === key) return true;
  return false;
}

/** Drops the backslash before each character of class `escapes` (others keep theirs). */
function unescape(raw: string, escapes: number): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw.charCodeAt(i) !== BACKSLASH) continue;
    const next = raw.charCodeAt(i + 1);
    if (next < 0x80 && CLASS[next]! & escapes) {
      out += raw.slice(from, i);
      from = i + 1;
      i++;
    }
  }
  return out + raw.slice(from);
}

/** Resolves the escapes of a string value: `\"`, `\\`, `\n`, `\r`, `\t`; any other backslash stays. */
function unescapeString(raw: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < raw.length - 1; i++) {
    if (raw.charCodeAt(i) !== BACKSLASH) continue;
    const next = raw.charCodeAt(i + 1);
    let replacement: string;
    if (next === QUOTE) replacement = '"';
    else if (next === BACKSLASH) replacement = "\\";
    else if (next === 0x6e /* n */) replacement = "\n";
    else if (next === 0x72 /* r */) replacement = "\r";
    else if (next === 0x74 /* t */) replacement = "\t";
    else continue;
    out += raw.slice(from, i) + replacement;
    from = i + 2;
    i++;
  }
  return out + raw.slice(from);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Names the character at index `i` of `text` for a message, a line's end included. */
function describeAt(text: string, i: number): string {
  if (i >= text.length) return "end of input";
  if (atLineEnd(text, i)) return "end of line";
  const c = text.codePointAt(i)!;
  return c === SPACE ? "space" : quote(String.fromCodePoint(c));
}

/** Longest part of a token that a message quotes; a bad line can be as long as a body. */
const QUOTED_LENGTH = 64;

/** Quotes a token for a message, showing control characters and ill-formed bytes as `\xHH`. */
function quote(token: string): string {
  let out = '"';
  let shown = Math.min(token.length, QUOTED_LENGTH);
  // Never cut a surrogate pair in two.
  if (shown < token.length && (token.charCodeAt(shown - 1) & 0xfc00) === 0xd800) shown--;
  for (let i = 0; i < shown; i++) {
    const c = token.charCodeAt(i);
    const byte = escapedByte(c);
    if (byte >= 0) out += `\\x${byte.toString(16)}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c === QUOTE || c === BACKSLASH) out += `\\${token[i]!}`;
    else out += token[i]!;
  }
  return token.length > shown ? `${out}…" (${token.length} characters)` : `${out}"`;
}
