import { keyName, keyTagValue } from "./series-key.ts";
import { literalPattern } from "./series-pattern.ts";

/**
 * Template variables in a saved panel's series patterns and title: `$host` or `${host}` is
 * replaced by what the page has chosen for the variable `host`. In a pattern one value gives
 * one pattern, several give one pattern each (the panel matches any of them), and All gives
 * `*` (any value). A value is written as a series key writes it where it stands (inside a
 * key's braces as a tag value, outside them as a name) and its `*` and `?` are escaped, so
 * it matches itself only. A reference to a name that is not a variable of the dashboard
 * stays as written. Shared by the page (which substitutes) and the schema (which refuses
 * patterns naming no variable), so it imports no validation library: the page loads none.
 */

/** The choice that stands for every value of a variable, in a link (`var-host=$__all`) and in a default. */
export const ALL_VALUE = "$__all";

/** What is chosen for one variable: every value (All), or some values (none: the patterns using it match nothing). */
export type VariableChoice = { all: true } | { all: false; values: readonly string[] };

/** Choices by variable name; a name missing here is not a variable (its references stay as written). */
export type VariableChoices = ReadonlyMap<string, VariableChoice>;

/**
 * Most patterns one panel pattern may become: several values of several variables multiply.
 * Past it, the variables chosen several times match any value instead (a broader panel rather
 * than a page that stalls matching).
 */
export const MAX_EXPANDED_PATTERNS = 1000;

/** A part of a pattern or title: text as written, or a reference to a variable. */
type Part = string | { name: string; raw: string; inTags: boolean };

/** `$name` or `${name}`: a name starts with a letter or `_`, then letters, digits and `_`. */
const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/y;

/**
 * Splits `text` into text and references, noting whether each reference stands inside a
 * key's braces. A backslash keeps the character after it as text (a key's own escapes, and
 * `\$`, which is then no reference).
 */
function parts(text: string): Part[] {
  const found: Part[] = [];
  let literal = "";
  let inTags = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "\\") {
      literal += text.slice(i, i + 2);
      i++;
      continue;
    }
    if (char === "$") {
      REFERENCE.lastIndex = i;
      const match = REFERENCE.exec(text);
      if (match) {
        if (literal !== "") found.push(literal);
        literal = "";
        found.push({ name: (match[1] ?? match[2])!, raw: match[0], inTags });
        i += match[0].length - 1;
        continue;
      }
    }
    if (char === "{") inTags = true;
    else if (char === "}") inTags = false;
    literal += char;
  }
  if (literal !== "") found.push(literal);
  return found;
}

/** The variable names `text` refers to, in order, each once. */
export function variableReferences(text: string): string[] {
  const names = parts(text).flatMap((part) => (typeof part === "string" ? [] : [part.name]));
  return [...new Set(names)];
}

/** A value as a pattern matching exactly it, where the reference stood. */
function valuePattern(value: string, inTags: boolean): string {
  return literalPattern(inTags ? keyTagValue(value) : keyName(value));
}

/** The patterns one pattern becomes under `choices`: none when a variable it uses has no value chosen. */
export function substitutePattern(pattern: string, choices: VariableChoices): string[] {
  const split = parts(pattern);
  const valuesOf = (part: Part) => {
    const choice = typeof part === "string" ? undefined : choices.get(part.name);
    return choice && !choice.all ? choice.values.length : 1;
  };
  const broaden = split.reduce((count, part) => count * Math.max(1, valuesOf(part)), 1) > MAX_EXPANDED_PATTERNS;
  let expanded = [""];
  for (const part of split) {
    if (typeof part === "string") {
      expanded = expanded.map((prefix) => prefix + part);
      continue;
    }
    const choice = choices.get(part.name);
    if (!choice) {
      expanded = expanded.map((prefix) => prefix + part.raw);
    } else if (choice.all || (broaden && valuesOf(part) > 1)) {
      expanded = expanded.map((prefix) => `${prefix}*`);
    } else {
      expanded = expanded.flatMap((prefix) => choice.values.map((value) => prefix + valuePattern(value, part.inTags)));
    }
  }
  return expanded;
}

/** The patterns a panel's patterns become under `choices`, each once, in order. */
export function substitutePatterns(patterns: readonly string[], choices: VariableChoices): string[] {
  return [...new Set(patterns.flatMap((pattern) => substitutePattern(pattern, choices)))];
}

/**
 * The patterns with every variable taken as All: the series a panel shows for some choice.
 * The page gives those no automatic panel of their own, so a choice narrows what is shown
 * rather than moving the other values' series to panels below.
 */
export function claimedPatterns(patterns: readonly string[], names: Iterable<string>): string[] {
  const all = new Map<string, VariableChoice>([...names].map((name) => [name, { all: true }]));
  return substitutePatterns(patterns, all);
}

/** `title` with each variable's choice written in: its values joined by `, `, or `All`. */
export function substituteTitle(title: string, choices: VariableChoices): string {
  return parts(title)
    .map((part) => {
      if (typeof part === "string") return part;
      const choice = choices.get(part.name);
      if (!choice) return part.raw;
      return choice.all ? "All" : choice.values.join(", ");
    })
    .join("");
}
