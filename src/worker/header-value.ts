/**
 * Header values built from what a client sent (an echoed parameter in an error message).
 * The Fetch standard refuses a value holding CR, LF or NUL, and the runtime's `Headers`
 * throws on any character above U+00FF, so one stray character would turn an answer into
 * a 500; bytes 0x80-0xFF would pass but reach the client as Latin-1 guesswork. So a value is
 * made printable ASCII: every other UTF-16 unit becomes a `\uXXXX` escape, as JSON writes
 * them (readable, and a client can undo them), and it is cut to a bound well under the
 * runtime's header limits.
 */

/** Longest header value built from input, escapes counted. */
export const MAX_HEADER_VALUE_LENGTH = 1_000;

/** `text` as a header value that never raises: printable ASCII, at most {@link MAX_HEADER_VALUE_LENGTH}. */
export function headerValue(text: string): string {
  // Without the `u` flag the class matches UTF-16 units, so a surrogate pair becomes two escapes.
  const escaped = text.replace(/[^\x20-\x7e]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`).trim();
  if (escaped.length <= MAX_HEADER_VALUE_LENGTH) return escaped;
  // Never end in half an escape.
  return `${escaped.slice(0, MAX_HEADER_VALUE_LENGTH - 3).replace(/\\(u[0-9a-f]{0,3})?$/, "")}...`;
}
