import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RememberedAnswers, REMEMBERED_SERIES } from "../../src/dashboard/remembered-answers.ts";
import { seriesMatcher, type SeriesMatcher } from "../../src/common/series-pattern.ts";

const series = (i: number) => ({ key: `cpu{host=h${i}}`, name: "cpu" });

/** A matcher that counts how often it is asked. */
function counting(inner: SeriesMatcher): { matcher: SeriesMatcher; asked: () => number } {
  let asked = 0;
  return {
    matcher: (s) => {
      asked++;
      return inner(s);
    },
    asked: () => asked,
  };
}

describe("RememberedAnswers", () => {
  it("asks a group's matcher once per series however many frames carry it", () => {
    const answers = new RememberedAnswers();
    const globs = counting(seriesMatcher(["*{host=h1?}"]));
    const remembered = answers.remembering(globs.matcher);
    for (let frame = 0; frame < 10; frame++) for (let i = 0; i < 100; i++) remembered(series(i));
    expect(globs.asked()).toBe(100);
  });

  it("answers as the matcher does, for every group, while series come and go past its capacity", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom("*", "?", "1", "2", "h", "{", "}"), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(3 * REMEMBERED_SERIES), { maxLength: 300 }), (patterns, keys) => {
        const answers = new RememberedAnswers();
        const groups = patterns.map((chars) => {
          const plain = seriesMatcher([chars.join("")]);
          return { plain, remembered: answers.remembering(plain) };
        });
        for (const i of keys) for (const group of groups) expect(group.remembered(series(i))).toBe(group.plain(series(i)));
      }),
      { numRuns: 200 },
    );
  });

  it("forgets every answer once more keys than it numbers have been seen, and asks again", () => {
    const answers = new RememberedAnswers();
    const globs = counting(seriesMatcher(["cpu*"]));
    const remembered = answers.remembering(globs.matcher);
    for (let i = 0; i <= REMEMBERED_SERIES; i++) remembered(series(i));
    expect(globs.asked()).toBe(REMEMBERED_SERIES + 1);
    remembered(series(0));
    expect(globs.asked()).toBe(REMEMBERED_SERIES + 2);
  });
});
