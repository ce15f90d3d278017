/**
 * UTF-8 bytes to a JavaScript string that remembers which bytes were not UTF-8.
 *
 * Line protocol is UTF-8, and a name or string value holding an ill-formed sequence must be
 * rejected rather than silently repaired (a replacement character would merge distinct series).
 * So every byte that is not part of a well-formed sequence becomes the lone low surrogate
 * U+DC00 + byte (U+DC80..U+DCFF, the "surrogate escape" convention). A lone surrogate can never
 * come out of well-formed UTF-8, so a token is valid UTF-8 exactly when its text holds no lone
 * surrogate; `hasLoneSurrogate` is that test, and `escapedByte` recovers the byte for messages.
 *
 * Written by hand rather than with an encoding API so that the ingest code depends on nothing
 * but the language itself.
 */

/** First code unit used to carry an ill-formed byte 0x80..0xFF (U+DC00 + byte). */
const ESCAPE_BASE = 0xdc00;

/** Most code units turned into a string piece at once; keeps `apply` arguments well below engine limits. */
const CHUNK_UNITS = 4096;

/** Matches a lone surrogate; with the `u` flag a well-formed pair is one code point and does not match. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Decodes `bytes` as UTF-8. Well-formed sequences follow the Unicode table of well-formed byte
 * sequences (Unicode 15, table 3-7: no overlongs, no encoded surrogates, nothing above
 * U+10FFFF); each byte outside one becomes U+DC00 + byte. A byte order mark is kept as U+FEFF,
 * since line protocol gives it no meaning and it would otherwise vanish from a measurement.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const n = bytes.length;
  // A preallocated plain array: `String.fromCharCode.apply` takes one several times faster than
  // a typed array. One slot spare for the second half of a surrogate pair.
  const units = new Array<number>(Math.min(n, CHUNK_UNITS) + 1);
  let text = "";
  let k = 0;
  let i = 0;
  while (i < n) {
    if (k >= CHUNK_UNITS) {
      units.length = k;
      text += String.fromCharCode.apply(null, units);
      k = 0;
    }
    // ASCII, by far the commonest case, in a tight loop.
    const asciiEnd = Math.min(n, i + CHUNK_UNITS - k);
    while (i < asciiEnd) {
      const b = bytes[i]!;
      if (b >= 0x80) break;
      units[k++] = b;
      i++;
    }
    if (i >= n || k >= CHUNK_UNITS) continue;
    // Here bytes[i] >= 0x80: the lead byte of a sequence, or an ill-formed byte.
    const b0 = bytes[i]!;
    const length = sequenceLength(bytes, i, n);
    if (length === 0) {
      units[k++] = ESCAPE_BASE + b0;
      i += 1;
      continue;
    }
    let cp: number;
    if (length === 2) {
      cp = ((b0 & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
    } else if (length === 3) {
      cp = ((b0 & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
    } else {
      cp = ((b0 & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
    }
    if (cp < 0x10000) {
      units[k++] = cp;
    } else {
      cp -= 0x10000;
      units[k++] = 0xd800 + (cp >> 10);
      units[k++] = 0xdc00 + (cp & 0x3ff);
    }
    i += length;
  }
  units.length = k;
  return text + String.fromCharCode.apply(null, units);
}

/**
 * Length (2..4) of the well-formed sequence starting at `bytes[i]` (a byte >= 0x80), or 0 when
 * none starts there. The ranges for the second byte are the ones of Unicode table 3-7.
 */
function sequenceLength(bytes: Uint8Array, i: number, n: number): number {
  const b0 = bytes[i]!;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0; // below would be an overlong form
    if (b0 === 0xed) high = 0x9f; // above would encode a surrogate
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90; // below would be an overlong form
    if (b0 === 0xf4) high = 0x8f; // above would pass U+10FFFF
  } else {
    return 0;
  }
  if (i + length > n) return 0;
  const b1 = bytes[i + 1]!;
  if (b1 < low || b1 > high) return 0;
  for (let j = 2; j < length; j++) {
    const b = bytes[i + j]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}

/** Whether `text` holds a surrogate that is not half of a pair, i.e. is not valid UTF-8 once encoded. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** The byte that the code unit `unit` stands for when it is an escaped ill-formed byte, else -1. */
export function escapedByte(unit: number): number {
  return unit >= ESCAPE_BASE + 0x80 && unit <= ESCAPE_BASE + 0xff ? unit - ESCAPE_BASE : -1;
}
