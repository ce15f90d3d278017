import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { headerValue, MAX_HEADER_VALUE_LENGTH } from "../../src/worker/header-value.ts";

describe("headerValue", () => {
  it("keeps printable ASCII as it is", () => {
    expect(headerValue(`precision must be one of ns, us, ms, s, not "h"`)).toBe(`precision must be one of ns, us, ms, s, not "h"`);
  });

  it("escapes a newline, a carriage return, a NUL and characters outside ASCII as \\uXXXX", () => {
    expect(headerValue("a\nb\r\0c")).toBe("a\\u000ab\\u000d\\u0000c");
    expect(headerValue("µs é")).toBe("\\u00b5s \\u00e9");
    expect(headerValue("😀")).toBe("\\ud83d\\ude00");
  });

  it(`cuts a long value to ${MAX_HEADER_VALUE_LENGTH} characters, never inside an escape`, () => {
    expect(headerValue("x".repeat(5000))).toBe(`${"x".repeat(MAX_HEADER_VALUE_LENGTH - 3)}...`);
    const cut = headerValue("é".repeat(1000));
    expect(cut.length).toBeLessThanOrEqual(MAX_HEADER_VALUE_LENGTH);
    expect(cut).toMatch(/^(\\u00e9)+\.\.\.$/);
  });

  it("gives a value any Headers accepts, for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 3000 }), (text) => {
        const value = headerValue(text);
        expect(value).toMatch(/^[\x20-\x7e]*$/);
        expect(value.length).toBeLessThanOrEqual(MAX_HEADER_VALUE_LENGTH);
        expect(new Headers({ "X-Influxdb-Error": value }).get("X-Influxdb-Error")).toBe(value);
      }),
    );
  });
});
