import { describe, expect, it } from "vitest";
import { readVariableChoices, withVariableChoices } from "../../../src/client/dashboard/variable-url.ts";

describe("variable choices in a link", () => {
  it("reads each var- parameter, repeated ones as several values, and nothing else", () => {
    expect(readVariableChoices("?var-host=a&range=1h&var-host=b&var-region=%24__all&var-=x&kiosk")).toEqual(
      new Map([
        ["host", ["a", "b"]],
        ["region", ["$__all"]],
      ]),
    );
    expect(readVariableChoices("")).toEqual(new Map());
  });

  it("writes them beside what the link holds already, the kiosk flag and a key in the fragment included, and reads back the same", () => {
    const choices = new Map([
      ["host", ["a", "b c"]],
      ["region", ["$__all"]],
    ]);
    const written = withVariableChoices("http://h/d/boiler?kiosk&range=6h&var-old=x#key=pbv_x", choices);
    expect(written).toBe("/d/boiler?kiosk&range=6h&var-host=a&var-host=b+c&var-region=%24__all#key=pbv_x");
    expect(readVariableChoices(written.slice(written.indexOf("?"), written.indexOf("#")))).toEqual(choices);
    expect(withVariableChoices("http://h/d/boiler?var-host=a", new Map())).toBe("/d/boiler");
  });
});
