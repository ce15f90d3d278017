import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatInUnit, formatTicksInUnit, UNIT_CATEGORIES, UNIT_IDS, unitDefinition } from "../../../src/client/panels/units.ts";
import { formatValue } from "../../../src/client/panels/format-value.ts";

/** [unit, value, decimals, written] for every unit of the vocabulary. */
const everyUnit: [string, number, number | undefined, string][] = [
  ["none", 12_345.6, undefined, "12,345.6"],
  ["none", 12_345.6, 2, "12,345.60"],
  ["short", 1_200, undefined, "1.2K"],
  ["short", 3_400_000, undefined, "3.4M"],
  ["short", 2.5e9, 1, "2.5B"],
  ["short", 7e12, undefined, "7T"],
  ["percent", 42.25, 1, "42.3%"],
  ["percentunit", 0.884, 1, "88.4%"],
  ["bytes", 1_536, undefined, "1.5 KiB"],
  ["bytes", 5 * 1024 ** 3, 0, "5 GiB"],
  ["decbytes", 1_536, undefined, "1.54 kB"],
  ["decbytes", 2e12, 1, "2.0 TB"],
  ["bps", 1e6, undefined, "1 Mb/s"],
  ["Bps", 1_500, undefined, "1.5 kB/s"],
  ["ns", 1_500, undefined, "1.5 µs"],
  ["us", 1_500, undefined, "1.5 ms"],
  ["ms", 1_234.5, undefined, "1.23 s"],
  ["s", 90, undefined, "1.5 min"],
  ["s", 7_200, undefined, "2 h"],
  ["s", 3 * 86_400, 1, "3.0 d"],
  ["reqps", 1_500, undefined, "1.5K req/s"],
  ["ops", 12, undefined, "12 ops/s"],
  ["celsius", 21.5, undefined, "21.5°C"],
  ["fahrenheit", 70.25, 1, "70.3°F"],
  ["volt", 0.012, undefined, "12 mV"],
  ["volt", 11_000, undefined, "11 kV"],
  ["watt", 1_500, undefined, "1.5 kW"],
  ["hertz", 2.4e9, undefined, "2.4 GHz"],
];

describe("formatInUnit", () => {
  it("has an example for every unit of the vocabulary", () => {
    expect(new Set(everyUnit.map(([unit]) => unit))).toEqual(new Set(UNIT_IDS));
  });

  it.each(everyUnit)("writes %s %d with decimals %s as %s", (unit, value, decimals, written) => {
    expect(formatInUnit(value, unit, decimals ?? "auto")).toBe(written);
  });

  it("moves to the next form exactly at its size", () => {
    expect(formatInUnit(1023, "bytes")).toBe("1,023 B");
    expect(formatInUnit(1024, "bytes")).toBe("1 KiB");
    expect(formatInUnit(999, "decbytes")).toBe("999 B");
    expect(formatInUnit(1000, "decbytes")).toBe("1 kB");
    expect(formatInUnit(999, "ms")).toBe("999 ms");
    expect(formatInUnit(1000, "ms")).toBe("1 s");
    expect(formatInUnit(59, "s")).toBe("59 s");
    expect(formatInUnit(60, "s")).toBe("1 min");
    expect(formatInUnit(86_000, "s")).toBe("23.89 h");
    expect(formatInUnit(86_400, "s")).toBe("1 d");
    expect(formatInUnit(999, "short")).toBe("999");
    expect(formatInUnit(1000, "short")).toBe("1K");
  });

  it("takes the next form when rounding reaches it, rather than writing 1,024 KiB", () => {
    expect(formatInUnit(1024 ** 2 - 1, "bytes", 1)).toBe("1.0 MiB");
    expect(formatInUnit(999_960, "decbytes", 1)).toBe("1.0 MB");
    expect(formatInUnit(59.999, "s")).toBe("1 min");
    expect(formatInUnit(86_399, "s", 0)).toBe("1 d");
    expect(formatInUnit(999.96, "short", 1)).toBe("1.0K");
  });

  it("scales small values down where the unit has smaller forms", () => {
    expect(formatInUnit(0.0005, "s")).toBe("500 µs");
    expect(formatInUnit(0.25, "s")).toBe("250 ms");
    expect(formatInUnit(0.000002, "volt")).toBe("2 µV");
    expect(formatInUnit(0.5, "hertz")).toBe("0.5 Hz");
    expect(formatInUnit(0.5, "bytes")).toBe("0.5 B");
  });

  it("writes zero in the plain form, never as -0", () => {
    expect(formatInUnit(0, "volt")).toBe("0 V");
    expect(formatInUnit(0, "s")).toBe("0 s");
    expect(formatInUnit(0, "ms")).toBe("0 ms");
    expect(formatTicksInUnit([0, 0], "ms", undefined)).toEqual(["0 ms", "0 ms"]);
    expect(formatInUnit(-0, "bytes")).toBe("0 B");
    expect(formatInUnit(-0.001, "percent", 2)).toBe("0.00%");
    expect(formatInUnit(-0, undefined)).toBe("0");
  });

  it("writes values whose scaled form no double holds in powers of ten", () => {
    expect(formatInUnit(1.5e307, "percentunit")).toBe("1.50e309%");
    expect(formatInUnit(1e302, "ms", 1)).toMatch(/ d$/);
  });

  it("scales negative values by their size and keeps the sign", () => {
    expect(formatInUnit(-2048, "bytes")).toBe("-2 KiB");
    expect(formatInUnit(-5.5, "celsius")).toBe("-5.5°C");
    expect(formatInUnit(-0.5, "percentunit")).toBe("-50%");
    expect(formatInUnit(-1_500, "ms", 2)).toBe("-1.50 s");
    expect(formatInUnit(-3_400_000, "short")).toBe("-3.4M");
  });

  it("gives exactly the panel's decimals, in the scaled form", () => {
    expect(formatInUnit(42, "percent", 2)).toBe("42.00%");
    expect(formatInUnit(1_536, "bytes", 0)).toBe("2 KiB");
    expect(formatInUnit(1_536, "bytes", 3)).toBe("1.500 KiB");
    expect(formatInUnit(0.884, undefined, 2)).toBe("0.88");
    expect(formatInUnit(1_234.5, undefined, 0)).toBe("1,235");
  });

  it("writes every digit of a cursor readout without decimals, and the decimals when set", () => {
    expect(formatInUnit(0.1 + 0.2, undefined, "exact")).toBe("0.3");
    expect(formatInUnit(1_234.56, "%", "exact")).toBe("1,234.56%");
    expect(formatInUnit(1_536, "bytes", "exact")).toBe("1.5 KiB");
    expect(formatInUnit(0.123456789, "percentunit", "exact")).toBe("12.3456789%");
  });

  it("writes text that is no unit id after the value, as before the vocabulary", () => {
    expect(formatInUnit(17, "jobs", 1)).toBe("17.0 jobs");
    expect(formatInUnit(42, "%")).toBe("42%");
    expect(formatInUnit(21.5, "°C")).toBe("21.5°C");
    expect(unitDefinition("jobs")).toBeUndefined();
  });

  it("writes like an automatic panel without a unit, and a dash for no value", () => {
    for (const value of [0.4217, 17.25, 12_345.6, 2.5e9, 0.00001]) expect(formatInUnit(value, undefined)).toBe(formatValue(value));
    for (const value of [null, undefined, Number.NaN, Infinity, -Infinity]) expect(formatInUnit(value, "bytes", 2)).toBe("–");
  });

  it("never throws, and ends in one of the unit's symbols whatever the value and decimals", () => {
    const suffixed = UNIT_CATEGORIES.flatMap((category) => category.units).filter((unit) => unit.steps.every((step) => step.suffix !== ""));
    expect(suffixed.length).toBeGreaterThan(15);
    fc.assert(
      fc.property(
        fc.constantFrom(...suffixed),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        (unit, value, decimals) => {
          const written = formatInUnit(value, unit.id, decimals ?? "auto");
          expect(unit.steps.some((step) => written.endsWith(step.suffix))).toBe(true);
          expect(written).toMatch(/^-?[0-9]/);
          expect(formatInUnit(value, unit.id, "exact")).toMatch(/^-?[0-9]/);
        },
      ),
    );
  });

  it("never throws for units without a symbol either", () => {
    fc.assert(
      fc.property(fc.constantFrom("none", "short", undefined, "jobs"), fc.double(), fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), (unit, value, decimals) => {
        expect(formatInUnit(value, unit, decimals ?? "auto").length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("formatTicksInUnit", () => {
  it("writes every tick in the form of the largest, with the digits the spacing needs", () => {
    expect(formatTicksInUnit([0, 524_288, 1_048_576], "bytes", undefined)).toEqual(["0.0 MiB", "0.5 MiB", "1.0 MiB"]);
    expect(formatTicksInUnit([0, 0.25, 0.5], "percentunit", undefined)).toEqual(["0%", "25%", "50%"]);
    expect(formatTicksInUnit([0, 250, 500, 750], "ms", undefined)).toEqual(["0 ms", "250 ms", "500 ms", "750 ms"]);
    expect(formatTicksInUnit([0, 500, 1000, 1500], "ms", undefined)).toEqual(["0.0 s", "0.5 s", "1.0 s", "1.5 s"]);
    expect(formatTicksInUnit([-2.5, 0, 2.5], "celsius", undefined)).toEqual(["-2.5°C", "0.0°C", "2.5°C"]);
  });

  it("never throws, and labels every finite tick with the unit's symbol", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...UNIT_IDS.filter((id) => id !== "none" && id !== "short")),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), { minLength: 1, maxLength: 8 }),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        (unit, ticks, decimals) => {
          const labels = formatTicksInUnit(ticks, unit, decimals);
          expect(labels).toHaveLength(ticks.length);
          for (const label of labels) expect(unitDefinition(unit)!.steps.some((step) => label.endsWith(step.suffix))).toBe(true);
        },
      ),
    );
  });

  it("uses the panel's decimals when set", () => {
    expect(formatTicksInUnit([0, 1_048_576], "bytes", 2)).toEqual(["0.00 MiB", "1.00 MiB"]);
    expect(formatTicksInUnit([10, 20], "jobs", 1)).toEqual(["10.0 jobs", "20.0 jobs"]);
  });

  it("writes ticks as automatic charts always have without a unit", () => {
    expect(formatTicksInUnit([0, 0.5, 1, 2_000_000], undefined, undefined)).toEqual([0, 0.5, 1, 2_000_000].map(formatValue));
  });
});
