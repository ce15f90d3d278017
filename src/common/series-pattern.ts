import { keyName } from "./series-key.ts";

/**
 * Series selection by name, key or glob: `*` matches any run of characters, `?` one
 * character, and `\*`, `\?` a star or question mark itself (a backslash before anything
 * else is itself, so a key's own escapes, `a\,b`, match as written). A pattern matches a
 * series when it matches its name or its full key, so `cpu.*` takes every `cpu.` metric with
 * any tags and `cpu{host=a}` takes just that one.
 *
 * Any reader of a public dashboard sends patterns (the history route's `names=`, a socket's
 * `series=`, `subscribe`, `history`), and a saved panel's patterns run in every viewer's
 * browser, so matching must not depend on how a pattern is built. A regular expression with
 * one `.*` per star backtracks: 12 stars and a `!` took seconds on one 25-character key. Here
 * a glob is a small automaton whose states are run side by side as bits, one step per
 * character of the text: time is length of text x (pattern length / 32), whatever the pattern.
 */
export type SeriesMatcher = (series: { key: string; name: string }) => boolean;

/**
 * How many patterns one selection (a subscription, a history query) may hold. The total
 * keeps a subscription inside a socket attachment (at most 16 KiB in workerd; patterns are
 * kept there so they survive hibernation) and inside one 4 KiB client message, and bounds
 * what matching one series against a selection can cost.
 */
export const patternLimits = {
  /** Patterns in one selection. */
  maxPatterns: 100,
  /** Characters in one pattern. */
  maxPatternLength: 200,
  /** Characters of all a selection's patterns together. */
  maxTotalLength: 4000,
} as const;

/** Why `patterns` cannot be a selection, or null when it can. */
export function patternsProblem(patterns: readonly string[]): string | null {
  const { maxPatterns, maxPatternLength, maxTotalLength } = patternLimits;
  if (patterns.length === 0) return "at least one pattern is needed";
  if (patterns.length > maxPatterns) return `at most ${maxPatterns} patterns`;
  if (patterns.some((pattern) => pattern.length === 0)) return "a pattern must not be empty";
  if (patterns.some((pattern) => pattern.length > maxPatternLength)) return `a pattern is at most ${maxPatternLength} characters`;
  const total = patterns.reduce((sum, pattern) => sum + pattern.length, 0);
  if (total > maxTotalLength) return `the patterns are at most ${maxTotalLength} characters together (these have ${total})`;
  return null;
}

const STAR = 0x2a; // "*"
const ANY = 0x3f; // "?"
const BACKSLASH = 0x5c; // "\\"
/** A pattern position holding a wildcard rather than a character (code points are never negative). */
const WILD_STAR = -1;
const WILD_ANY = -2;

/**
 * A compiled glob. State `i` means "the first `i` pattern characters are matched"; after each
 * text character every state moves on at once: over a character equal to (or `?` for) the
 * pattern's next one, or stays put on a `*`, which also lets the next state start (it may
 * match nothing). Consecutive stars are one star, so that closure is a single shift.
 */
export class Glob {
  /** Pattern positions: a character's code point, or a wildcard; consecutive stars folded into one. */
  private readonly chars: number[];
  /** 32-bit words per state set: states 0..chars.length. */
  private readonly words: number;
  /** States sitting on a `*`. */
  private readonly stars: Uint32Array;
  /** States that move on over any character (`?`). */
  private readonly anyChar: Uint32Array;
  /** States that move on over a given character: its own positions plus every `?`. */
  private readonly byChar = new Map<number, Uint32Array>();
  /** The state set before any text is read. */
  private readonly start: Uint32Array;

  constructor(pattern: string) {
    const chars: number[] = [];
    const codes = Array.from(pattern, (char) => char.codePointAt(0)!);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code === BACKSLASH && (codes[i + 1] === STAR || codes[i + 1] === ANY)) {
        chars.push(codes[++i]!);
      } else if (code === STAR) {
        if (chars[chars.length - 1] !== WILD_STAR) chars.push(WILD_STAR);
      } else {
        chars.push(code === ANY ? WILD_ANY : code);
      }
    }
    this.chars = chars;
    this.words = Math.ceil((chars.length + 1) / 32);
    this.stars = new Uint32Array(this.words);
    this.anyChar = new Uint32Array(this.words);
    chars.forEach((code, state) => {
      if (code === WILD_STAR) setBit(this.stars, state);
      else if (code === WILD_ANY) setBit(this.anyChar, state);
    });
    chars.forEach((code, state) => {
      if (code < 0) return;
      let mask = this.byChar.get(code);
      if (!mask) this.byChar.set(code, (mask = this.anyChar.slice()));
      setBit(mask, state);
    });
    this.start = new Uint32Array(this.words);
    setBit(this.start, 0);
    this.closeOverStars(this.start);
  }

  /** Whether the whole of `text` matches the pattern. */
  test(text: string): boolean {
    let states = this.start.slice();
    let next = new Uint32Array(this.words);
    for (const char of text) {
      const movers = this.byChar.get(char.codePointAt(0)!) ?? this.anyChar;
      let carry = 0;
      let alive = 0;
      for (let w = 0; w < this.words; w++) {
        const moved = states[w]! & movers[w]!;
        // Shift the whole set up by one state: bit 31 of a word carries into the next.
        next[w] = ((moved << 1) | carry | (states[w]! & this.stars[w]!)) >>> 0;
        carry = moved >>> 31;
        alive |= next[w]!;
      }
      if (alive === 0) return false;
      this.closeOverStars(next);
      [states, next] = [next, states];
    }
    const final = this.chars.length;
    return (states[final >>> 5]! & (1 << (final & 31))) !== 0;
  }

  /** Adds the state after every active star: a star may match nothing. */
  private closeOverStars(states: Uint32Array): void {
    let carry = 0;
    for (let w = 0; w < this.words; w++) {
      const onStar = states[w]! & this.stars[w]!;
      states[w] = (states[w]! | (onStar << 1) | carry) >>> 0;
      carry = onStar >>> 31;
    }
  }
}

function setBit(set: Uint32Array, state: number): void {
  set[state >>> 5]! |= 1 << (state & 31);
}

/** A glob that matches exactly `text`: its stars and question marks escaped. */
export function literalPattern(text: string): string {
  return text.replace(/[*?]/g, "\\$&");
}

/**
 * The patterns of a comma-separated selection (`?series=`, `names=`, a panel's series field).
 * It splits at each comma that is neither escaped (`\,`) nor inside a key's braces, so any
 * series key is one item as it is: `cpu{host=a,region=eu},mem*` is two patterns. Items are
 * trimmed, empty ones dropped.
 */
export function splitPatterns(text: string): string[] {
  const patterns: string[] = [];
  // A key's tags hold no `}` that no backslash escapes, so the first one closes them.
  let inTags = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") i++;
    else if (char === "{") inTags = true;
    else if (char === "}") inTags = false;
    else if (char === "," && !inTags) {
      patterns.push(text.slice(from, i));
      from = i + 1;
    }
  }
  patterns.push(text.slice(from));
  return patterns.map((pattern) => pattern.trim()).filter((pattern) => pattern !== "");
}

/** Whether a pattern has wildcards (otherwise it names a series exactly). */
export function isGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/** A matcher for any of `patterns`; `["*"]` matches everything. */
export function seriesMatcher(patterns: readonly string[]): SeriesMatcher {
  if (patterns.includes("*")) return () => true;
  const exact = new Set(patterns.filter((p) => !isGlob(p)));
  const globs = patterns.filter(isGlob).map((p) => new Glob(p));
  // A name also matches as a key writes it (`a\,b` for `a,b`), the way a comma-separated list spells it.
  return ({ key, name }) => exact.has(key) || exact.has(name) || exact.has(keyName(name)) || globs.some((glob) => glob.test(key) || glob.test(name));
}
