import type { Tags } from "./protocol.ts";

/**
 * A series' key: its canonical identity, `name{tag=value,...}` with tags sorted by name, e.g.
 * `cpu.load{host=a,region=eu}`, or just the name without tags. Server and page build and read
 * keys only here.
 *
 * Names, tag names and tag values may hold any character but controls (InfluxDB's line
 * protocol carries `used percent`, `a,b` and `température`), so the characters that structure
 * a key are escaped with a backslash where they would be misread:
 *
 * | part | escaped |
 * | --- | --- |
 * | name | `\`, `{` and `,` |
 * | tag name | `\`, `,`, `=` and `}` |
 * | tag value | `\`, `,` and `}` |
 *
 * Nothing else is escaped, so the key of a plain name (letters, digits, `_ . : / -`) is the
 * name itself, and keys stay readable: `used percent{host=web 1}`, `température`. Reading a
 * key back ({@link parseSeriesKey}) gives exactly the name and tags it was built from, so two
 * different series never share a key. A key never holds a comma outside its braces that no
 * backslash escapes, so any key can be one item of a comma-separated selection as it is
 * (`splitPatterns` in `series-pattern.ts`).
 */

const NAME_SPECIALS = /[\\{,]/g;
const TAG_NAME_SPECIALS = /[\\,=}]/g;
const TAG_VALUE_SPECIALS = /[\\,}]/g;
/** Any character that needs an escape in some part: keys without one take the fast path. */
const ANY_SPECIAL = /[\\{},=]/;

/** The key of the series `name` with `tags`. */
export function seriesKey(name: string, tags: Tags): string {
  return keyName(name) + tagSuffix(tags);
}

/** The name as it starts a key. */
export function keyName(name: string): string {
  return ANY_SPECIAL.test(name) ? name.replace(NAME_SPECIALS, "\\$&") : name;
}

/** A tag value as a key writes it. */
export function keyTagValue(value: string): string {
  return escape(value, TAG_VALUE_SPECIALS);
}

/** The tag part of a series key, `{a=1,b=2}` (empty without tags): shared by a line's fields. */
export function tagSuffix(tags: Tags): string {
  const names = Object.keys(tags);
  if (names.length === 0) return "";
  names.sort();
  return `{${names.map((tag) => `${escape(tag, TAG_NAME_SPECIALS)}=${escape(tags[tag]!, TAG_VALUE_SPECIALS)}`).join(",")}}`;
}

function escape(text: string, specials: RegExp): string {
  return ANY_SPECIAL.test(text) ? text.replace(specials, "\\$&") : text;
}

/** The name and tags a key was built from, or null when `key` is not one {@link seriesKey} makes. */
export function parseSeriesKey(key: string): { name: string; tags: Tags } | null {
  const name = readPart(key, 0, "{");
  const tags: Tags = {};
  if (name.end === key.length) return { name: name.text, tags };
  let at = name.end + 1;
  for (;;) {
    const tag = readPart(key, at, "=,}");
    if (key[tag.end] !== "=" || tag.text === "" || Object.hasOwn(tags, tag.text)) return null;
    const value = readPart(key, tag.end + 1, ",}");
    if (value.end === key.length) return null;
    // Defined, not assigned: a tag may be called `__proto__`.
    Object.defineProperty(tags, tag.text, { value: value.text, enumerable: true, writable: true, configurable: true });
    at = value.end + 1;
    if (key[value.end] === "}") return at === key.length ? { name: name.text, tags } : null;
  }
}

/**
 * Reads one part of a key from `from` up to the first of `ends` that no backslash escapes,
 * unescaped. A backslash escapes whatever follows it, so a key reads back whatever was escaped.
 */
function readPart(key: string, from: number, ends: string): { text: string; end: number } {
  let text = "";
  let i = from;
  for (; i < key.length; i++) {
    const char = key[i]!;
    if (ends.includes(char)) break;
    if (char === "\\" && i + 1 < key.length) i++;
    text += key[i]!;
  }
  return { text, end: i };
}

/** Where the name part of a key ends: the tag part (`{...}`, or empty) starts there. */
export function keyNameEnd(key: string): number {
  return readPart(key, 0, "{").end;
}
