import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Glob, literalPattern, seriesMatcher, splitPatterns } from "../../src/common/series-pattern.ts";
import { seriesKey } from "../../src/common/series-key.ts";

/**
 * What a glob means, written the slow obvious way: a regular expression over code points
 * (`u`) where `.` also takes line breaks (`s`). Fine for the short inputs drawn below; it is
 * exactly the construction that backtracks on long ones.
 */
function reference(pattern: string, text: string): boolean {
  const chars = Array.from(pattern);
  let body = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    const escaped = char === "\\" && (chars[i + 1] === "*" || chars[i + 1] === "?");
    const literal = escaped ? chars[++i]! : char;
    body += !escaped && char === "*" ? ".*" : !escaped && char === "?" ? "." : literal.replace(/[.+^${}()|[\]\\*?\-/]/g, "\\$&");
  }
  return new RegExp(`^${body}$`, "su").test(text);
}

const series = (key: string, name = key) => ({ key, name });

describe("Glob", () => {
  it.each([
    ["cpu.*", "cpu.load", true],
    ["cpu.*", "cpu.", true],
    ["cpu.*", "mem.used", false],
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["?", "", false],
    ["?", "é", true],
    ["?", "😀", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["*.load", "cpu.load", true],
    ["c*l*d", "cpu.load", true],
    ["c*l*d", "cpu.loads", false],
    ["**a**", "bab", true],
    ["*{host=a}", "cpu{host=a}", true],
    ["*{host=?}", "cpu{host=ab}", false],
    ["a*b*c", "abcbc", true],
    ["a*b*c", "acb", false],
    ["a\\*", "a*", true],
    ["a\\*", "ab", false],
    ["a\\?", "a?", true],
    ["a\\?", "ab", false],
    ["*\\,*", "m{t=x\\,y}", true],
    ["used percent*", "used percent{host=a}", true],
    ["temp*", "température", true],
  ])("matches %j against %j: %s", (pattern, text, expected) => {
    expect(new Glob(pattern).test(text)).toBe(expected);
  });

  it("agrees with the regular-expression meaning of a glob on any short pattern and text", () => {
    const alphabet = fc.constantFrom("a", "b", "*", "?", "é", "😀", ".", "\n", "\\");
    const text = fc.array(fc.constantFrom("a", "b", "é", "😀", ".", "*", "?", "\n", "\\"), { maxLength: 12 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 10 }).map((chars) => chars.join("")), text, (pattern, subject) => {
        expect(new Glob(pattern).test(subject)).toBe(reference(pattern, subject));
      }),
      { numRuns: 5000 },
    );
  });

  it("agrees on patterns longer than one 32-state word", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "*", "?"), { minLength: 30, maxLength: 90 }), fc.array(fc.constantFrom("a", "b"), { maxLength: 120 }), (chars, subject) => {
        const pattern = chars.join("");
        expect(new Glob(pattern).test(subject.join(""))).toBe(reference(pattern, subject.join("")));
      }),
      { numRuns: 500 },
    );
  });

  it("answers at once for stars that make a backtracking matcher search for seconds", () => {
    // `^.*.*.*.*.*.*.*.*.*.*!$` took over a second on this 25-character key; each star more, ~4x.
    const started = performance.now();
    expect(new Glob(`${"*".repeat(10)}!`).test("a".repeat(25))).toBe(false);
    expect(seriesMatcher([`${"*?".repeat(10)}!`])(series("a".repeat(25)))).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("takes time in proportion to the text whatever the pattern: 100 stars and a `!` against 1,000 keys of 4,000 characters", () => {
    // A backtracking matcher needs longer than the age of the universe for one of these keys;
    // the automaton reads each character once per 32 pattern states (7 words here).
    const glob = new Glob(`${"*a".repeat(100)}!`);
    const key = "a".repeat(4000);
    const started = performance.now();
    let matched = 0;
    for (let i = 0; i < 1000; i++) if (glob.test(key)) matched++;
    const elapsed = performance.now() - started;
    expect(matched).toBe(0);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe("seriesMatcher", () => {
  it("matches a series by its exact key or name", () => {
    const matcher = seriesMatcher(["cpu{host=a}", "mem"]);
    expect(matcher(series("cpu{host=a}", "cpu"))).toBe(true);
    expect(matcher(series("cpu{host=b}", "cpu"))).toBe(false);
    expect(matcher(series("mem{host=b}", "mem"))).toBe(true);
  });

  it("matches a glob against the name or the key", () => {
    const matcher = seriesMatcher(["cpu.*"]);
    expect(matcher(series("cpu.load{host=a}", "cpu.load"))).toBe(true);
    expect(seriesMatcher(["*{host=a}"])(series("cpu{host=a}", "cpu"))).toBe(true);
    expect(seriesMatcher(["*{host=a}"])(series("cpu{host=b}", "cpu"))).toBe(false);
  });

  it("takes everything for `*`, and nothing for no pattern", () => {
    expect(seriesMatcher(["x", "*"])(series("anything"))).toBe(true);
    expect(seriesMatcher([])(series("anything"))).toBe(false);
  });

  it("matches a name holding commas as sent or as a key writes it", () => {
    const tagged = { key: seriesKey("a,b", { t: "1" }), name: "a,b" };
    expect(seriesMatcher(["a,b"])(tagged)).toBe(true);
    expect(seriesMatcher(splitPatterns("a\\,b"))(tagged)).toBe(true);
    expect(seriesMatcher(["a"])(tagged)).toBe(false);
  });

  it("reads a pattern's regular-expression characters as themselves", () => {
    expect(seriesMatcher(["a.c*"])(series("abc"))).toBe(false);
    expect(seriesMatcher(["(a|b)*"])(series("(a|b)x"))).toBe(true);
    expect(seriesMatcher(["[ab]?"])(series("a1"))).toBe(false);
  });
});

describe("literalPattern", () => {
  it("makes a glob that matches exactly the text, stars, question marks and backslashes included", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "*", "?", "\\", "{", ","), maxLength: 10 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(new Glob(literalPattern(a)).test(b)).toBe(a === b);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("splitPatterns", () => {
  it("splits at commas outside keys' braces and escapes, trimming", () => {
    expect(splitPatterns("cpu.*, mem{host=a,region=eu},,a\\,b")).toEqual(["cpu.*", "mem{host=a,region=eu}", "a\\,b"]);
  });

  it("gives back any list of series keys joined with commas", () => {
    const part = fc.string({ unit: fc.constantFrom(..."a\\{}=, *".split("")), minLength: 1, maxLength: 6 }).filter((text) => text.trim() === text);
    const key = fc.tuple(part, fc.dictionary(part, part, { maxKeys: 3 })).map(([name, tags]) => seriesKey(name, tags));
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 4 }), (keys) => {
        expect(splitPatterns(keys.join(","))).toEqual(keys);
      }),
      { numRuns: 3000 },
    );
  });
});
