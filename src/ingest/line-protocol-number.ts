/**
 * The numeric literals of line protocol: float, `i` integer and `u` unsigned field values, and
 * timestamps. Each reader takes the literal in place, as `text[start..end)` without its `i`/`u`
 * suffix, and checks its syntax itself, because the language's own conversions accept more than
 * line protocol does (`Number` takes "0x10", "Infinity" and "", `BigInt` takes "" and "0b1").
 * They read in place because they run once per field of every line of a batch.
 */

/** Smallest value of a signed 64-bit integer (`i` fields, timestamps). */
export const INT64_MIN = -(2n ** 63n);
/** Largest value of a signed 64-bit integer (`i` fields, timestamps). */
export const INT64_MAX = 2n ** 63n - 1n;
/** Largest value of an unsigned 64-bit integer (`u` fields). */
export const UINT64_MAX = 2n ** 64n - 1n;

/** Most decimal digits whose value is surely below 2^53, so double arithmetic on them is exact. */
const EXACT_DIGITS = 15;

/** 10^0..10^22: the powers of ten a double holds exactly. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;

/**
 * Reads a decimal integer `-?[0-9]+` (the sign only when `signed`), as the InfluxDB reference
 * defines integer (`i`), unsigned (`u`) and timestamp literals: leading zeros are allowed, a
 * `+` sign, underscores and base prefixes are not. Returns undefined when the syntax is wrong;
 * the range is the caller's to check, since it differs between the three uses.
 */
export function readInteger(text: string, start: number, end: number, signed: boolean): bigint | undefined {
  const negative = signed && text.charCodeAt(start) === MINUS;
  let i = negative ? start + 1 : start;
  const count = end - i;
  if (count <= 0) return undefined;
  if (count <= EXACT_DIGITS) {
    let value = 0;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return undefined;
      value = value * 10 + d;
    }
    return BigInt(negative ? -value : value);
  }
  if (count <= EXACT_DIGITS + 9) {
    // Nanosecond timestamps have 19 digits: read them as two exact halves, which is about
    // twice as fast as BigInt(string).
    const split = end - 9;
    let high = 0;
    for (; i < split; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return undefined;
      high = high * 10 + d;
    }
    let low = 0;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return undefined;
      low = low * 10 + d;
    }
    const value = BigInt(high) * 1_000_000_000n + BigInt(low);
    return negative ? -value : value;
  }
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
  }
  return BigInt(text.slice(start, end));
}

/**
 * Reads a float literal. The grammar is the decimal one of the InfluxDB line protocol reference
 * ("IEEE-754 64-bit floating-point numbers; scientific notation is supported"):
 *
 *   float    = ["-"] mantissa [exponent]
 *   mantissa = digits ["." [digits]] | "." digits
 *   exponent = ("e" | "E") ["+" | "-"] digits
 *
 * so `1.`, `.5`, `-1.0e-4` and `1E4` are floats, and `NaN`, `Inf`, `0x1p3` and `1_000` are not
 * (InfluxDB's own parser refuses them too). Returns NaN for a syntax error (a well-formed
 * literal never reads as NaN) and ±Infinity when the value rounds beyond the largest double,
 * which the caller reports as out of range; below the smallest subnormal it rounds to ±0, as
 * IEEE-754 round-to-nearest does. The sign of zero is kept (`-0` reads as -0).
 */
export function readFloat(text: string, start: number, end: number): number {
  const negative = text.charCodeAt(start) === MINUS;
  let i = negative ? start + 1 : start;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
  }
  if (i < end && text.charCodeAt(i) === DOT) {
    for (i++; i < end; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      digits++;
      fractionDigits++;
    }
  }
  if (digits === 0) return Number.NaN;
  let exponent = 0;
  if (i < end && (text.charCodeAt(i) | 0x20) === 0x65 /* e or E */) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    const exponentStart = i;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      exponent = exponent * 10 + d;
    }
    if (i === exponentStart) return Number.NaN;
    if (sign === MINUS) exponent = -exponent;
  }
  if (i !== end) return Number.NaN;
  // Clinger's fast path: an exact mantissa times or divided by an exact power of ten is one
  // correctly rounded operation, so the result is the correctly rounded value of the literal.
  const scale = exponent - fractionDigits;
  if (digits <= EXACT_DIGITS && scale >= -22 && scale <= 22) {
    const value = scale < 0 ? mantissa / EXACT_POWERS_OF_TEN[-scale]! : mantissa * EXACT_POWERS_OF_TEN[scale]!;
    return negative ? -value : value;
  }
  // The literal is also a StrDecimalLiteral, which `Number` rounds correctly to nearest.
  return Number(text.slice(start, end));
}
