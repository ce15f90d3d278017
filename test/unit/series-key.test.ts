import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyNameEnd, parseSeriesKey, seriesKey } from "../../src/common/series-key";

// Text rich in the characters that structure a key, mixed with ordinary and non-ASCII ones.
const part = fc.string({ unit: fc.oneof(fc.constantFrom(..."\\{}=, a.é*?".split("")), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 10 });
const name = part.filter((text) => text.length > 0);
const tags = fc.dictionary(name, part, { maxKeys: 5 });

describe("series keys", () => {
  it("are the name and sorted tags as before for plain names", () => {
    expect(seriesKey("cpu.load", {})).toBe("cpu.load");
    expect(seriesKey("cpu.load", { region: "eu", host: "a" })).toBe("cpu.load{host=a,region=eu}");
    expect(seriesKey("disk:io/s-x_1", { "mount.point": "/var/lib" })).toBe("disk:io/s-x_1{mount.point=/var/lib}");
  });

  it("escape only what would be misread, so exotic names stay readable", () => {
    expect(seriesKey("used percent", { host: "web 1" })).toBe("used percent{host=web 1}");
    expect(seriesKey("température", { pièce: "salon" })).toBe("température{pièce=salon}");
    expect(seriesKey("a{b}", { "k=,}": "v=,}" })).toBe("a\\{b}{k\\=\\,\\}=v=\\,\\}}");
    expect(seriesKey("back\\slash", { t: "\\" })).toBe("back\\\\slash{t=\\\\}");
    expect(seriesKey("a,b", { c: "d,e" })).toBe("a\\,b{c=d\\,e}");
  });

  it("read back to exactly the name and tags they were built from", () => {
    fc.assert(
      fc.property(name, tags, (n, t) => {
        const parsed = parseSeriesKey(seriesKey(n, t));
        expect(parsed).toEqual({ name: n, tags: t });
        expect(keyNameEnd(seriesKey(n, t))).toBe(seriesKey(n, {}).length);
      }),
      { numRuns: 5_000 },
    );
  });

  it("differ for different series", () => {
    fc.assert(
      fc.property(name, tags, name, tags, (n1, t1, n2, t2) => {
        const same = n1 === n2 && JSON.stringify(Object.entries(t1).sort()) === JSON.stringify(Object.entries(t2).sort());
        expect(seriesKey(n1, t1) === seriesKey(n2, t2)).toBe(same);
      }),
      { numRuns: 5_000 },
    );
  });

  it("are told apart from text no series has", () => {
    for (const text of ["a{", "a{b}", "a{=1}", "a{b=1", "a{b=1}x", "a{b=1,b=2}"]) expect(parseSeriesKey(text)).toBeNull();
  });
});
