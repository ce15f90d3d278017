/**
 * Encoder for the InfluxDB line protocol: the inverse of `decodeLines` for every point that line
 * protocol can carry, and a RangeError for every point it cannot.
 *
 * Escaping follows the grammar described in `line-protocol.ts`: a backslash goes before each
 * character that would end the token ("," and " " in a measurement; ",", "=" and " " in tag
 * keys, tag values and field keys), and other backslashes are written as they are (in those
 * tokens the reference gives `\\` no meaning). In string values `"` and `\` are escaped, and so
 * are newline and carriage return (`\n`, `\r`), so that each point stays on one line.
 */
import { type LineProtocolField, type LineProtocolTag, type Precision, PRECISION_NANOSECONDS } from "../../src/ingest/line-protocol";
import { INT64_MAX, INT64_MIN, UINT64_MAX } from "../../src/ingest/line-protocol-number";
import { hasLoneSurrogate } from "../../src/ingest/utf8-decode";

/** A point to encode; `time` (nanoseconds) is left out of the line when absent. */
export interface EncodablePoint {
  /** Measurement name: non-empty, no control characters, not starting with "#". */
  measurement: string;
  /** Tags in the order to write them: keys and values non-empty, without control characters. */
  tags: readonly LineProtocolTag[];
  /** Fields in the order to write them; at least one. */
  fields: readonly LineProtocolField[];
  /** Time in nanoseconds since the Unix epoch; must be a whole number of `precision` units. */
  time?: bigint;
}

/** Characters a name can never hold: the decoder ends every name at a control character. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Encodes one point as one line (without a line break); throws RangeError if it cannot be written. */
export function encodeLine(point: EncodablePoint, precision: Precision = "ns"): string {
  let line = escapeName(point.measurement, /[, ]/g, "measurement");
  if (point.measurement.startsWith("#")) throw new RangeError("a measurement starting with # would read as a comment");
  for (const { key, value } of point.tags) {
    line += `,${escapeName(key, /[,= ]/g, "tag key")}=${escapeName(value, /[,= ]/g, "tag value")}`;
  }
  if (point.fields.length === 0) throw new RangeError("a point needs at least one field");
  let separator = " ";
  for (const { key, value } of point.fields) {
    line += `${separator}${escapeName(key, /[,= ]/g, "field key")}=${encodeValue(value)}`;
    separator = ",";
  }
  if (point.time !== undefined) {
    const scale = PRECISION_NANOSECONDS[precision];
    if (point.time < INT64_MIN || point.time > INT64_MAX) throw new RangeError(`time ${point.time} is out of the signed 64-bit range`);
    if (point.time % scale !== 0n) throw new RangeError(`time ${point.time} is not a whole number of ${precision}`);
    line += ` ${point.time / scale}`;
  }
  return line;
}

/**
 * Escapes a measurement, key or tag value. A trailing backslash cannot be written: the
 * delimiter after it would read as escaped.
 */
function escapeName(name: string, special: RegExp, what: string): string {
  if (name.length === 0) throw new RangeError(`empty ${what}`);
  if (CONTROL.test(name)) throw new RangeError(`${what} ${JSON.stringify(name)} holds a control character`);
  if (name.endsWith("\\")) throw new RangeError(`${what} ${JSON.stringify(name)} ends with a backslash`);
  if (hasLoneSurrogate(name)) throw new RangeError(`${what} ${JSON.stringify(name)} is not valid Unicode`);
  return name.replace(special, "\\$&");
}

/** Writes a typed field value in the spelling that decodes back to the same type and value. */
function encodeValue(value: LineProtocolField["value"]): string {
  if ("float" in value) {
    if (!Number.isFinite(value.float)) throw new RangeError(`float ${value.float} cannot be written`);
    return formatFloat(value.float);
  }
  if ("int" in value) {
    if (value.int < INT64_MIN || value.int > INT64_MAX) throw new RangeError(`integer ${value.int} is out of range`);
    return `${value.int}i`;
  }
  if ("uint" in value) {
    if (value.uint < 0n || value.uint > UINT64_MAX) throw new RangeError(`unsigned integer ${value.uint} is out of range`);
    return `${value.uint}u`;
  }
  if ("bool" in value) return value.bool ? "true" : "false";
  if (hasLoneSurrogate(value.string)) throw new RangeError(`string ${JSON.stringify(value.string)} is not valid Unicode`);
  return `"${value.string.replace(/["\\\n\r]/g, escapeStringChar)}"`;
}

function escapeStringChar(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  return `\\${c}`;
}

/**
 * Shortest round-trip spelling of a finite float, laid out as InfluxDB's Go writers lay it out
 * (`strconv.FormatFloat(x, 'g', -1, 64)`): exponent form when the decimal exponent is below -4
 * or at least 6 (`1e+06` but `123456`, `1e-05` but `0.0001`), the exponent signed and of at
 * least two digits. Negative zero keeps its sign.
 */
export function formatFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest digits that read back as x.
  const [mantissa = "", exponentText = ""] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return fraction.length > 0 ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
