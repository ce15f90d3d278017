/**
 * The units a saved panel's `unit` may name, and how each writes a value: scaled to a readable
 * size where the unit has larger (or smaller) forms (1536 bytes → "1.5 KiB", 0.25 s → "250 ms"),
 * then given the panel's `decimals` (or automatic precision) and the unit's symbol. A `unit`
 * that is no id here is text written after the number as is, as it always was ("17 jobs").
 * English digits throughout, like format-value.ts, so every viewer and test reads the same.
 */
import { formatValue } from "./format-value.ts";

/** One form of a scaled unit: values of at least `from` (in the unit's base) show divided by it. */
interface Step {
  /** Size of this form in the base unit, e.g. 1024 for KiB. */
  from: number;
  /** What follows the number, with its separator, e.g. " KiB" or "%". */
  suffix: string;
}

/** A unit of the vocabulary. */
export interface UnitDefinition {
  /** What a panel's `unit` holds, e.g. `bytes`. */
  id: string;
  /** What the editor's picker shows, e.g. `bytes (IEC: KiB, MiB)`. */
  label: string;
  /** Forms by ascending size; the first is used below all the others. */
  steps: readonly Step[];
  /** Multiplies the value before scaling, e.g. 100 for a 0.0-1.0 percentage. */
  factor?: number;
}

/** The forms of a unit written with SI prefixes, from µ up to P, e.g. " mV", " V", " kV". */
function siSteps(symbol: string, lowest = -2): Step[] {
  const prefixes = ["µ", "m", "", "k", "M", "G", "T", "P"];
  return prefixes.slice(lowest + 2).map((prefix, i) => ({ from: 1000 ** (i + lowest), suffix: ` ${prefix}${symbol}` }));
}

/** 1000-fold counts: K, M, B, T, as thousands, millions, billions and trillions read. */
function countSteps(after = ""): Step[] {
  return ["", "K", "M", "B", "T"].map((prefix, i) => ({ from: 1000 ** i, suffix: `${prefix}${after}` }));
}

const second = 1e9;
/** Durations, in nanoseconds: ns up to days. */
const durationSteps: Step[] = [
  { from: 1, suffix: " ns" },
  { from: 1e3, suffix: " µs" },
  { from: 1e6, suffix: " ms" },
  { from: second, suffix: " s" },
  { from: 60 * second, suffix: " min" },
  { from: 3600 * second, suffix: " h" },
  { from: 86_400 * second, suffix: " d" },
];

/** The vocabulary, by the category the editor groups it under. */
export const UNIT_CATEGORIES: readonly { name: string; units: readonly UnitDefinition[] }[] = [
  {
    name: "Misc",
    units: [
      { id: "none", label: "none (plain number)", steps: [{ from: 1, suffix: "" }] },
      { id: "short", label: "short (1.2K, 3.4M)", steps: countSteps() },
      { id: "percent", label: "percent (0-100)", steps: [{ from: 1, suffix: "%" }] },
      { id: "percentunit", label: "percent (0.0-1.0)", steps: [{ from: 1, suffix: "%" }], factor: 100 },
    ],
  },
  {
    name: "Data",
    units: [
      { id: "bytes", label: "bytes (IEC: KiB, MiB)", steps: ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"].map((s, i) => ({ from: 1024 ** i, suffix: ` ${s}` })) },
      { id: "decbytes", label: "bytes (SI: kB, MB)", steps: ["B", "kB", "MB", "GB", "TB", "PB", "EB"].map((s, i) => ({ from: 1000 ** i, suffix: ` ${s}` })) },
    ],
  },
  {
    name: "Data rate",
    units: [
      { id: "bps", label: "bits/s (SI)", steps: ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s", "Pb/s"].map((s, i) => ({ from: 1000 ** i, suffix: ` ${s}` })) },
      { id: "Bps", label: "bytes/s (SI)", steps: ["B/s", "kB/s", "MB/s", "GB/s", "TB/s", "PB/s"].map((s, i) => ({ from: 1000 ** i, suffix: ` ${s}` })) },
    ],
  },
  {
    name: "Time",
    units: [
      { id: "ns", label: "nanoseconds (ns)", steps: durationSteps },
      { id: "us", label: "microseconds (µs)", steps: durationSteps, factor: 1e3 },
      { id: "ms", label: "milliseconds (ms)", steps: durationSteps, factor: 1e6 },
      { id: "s", label: "seconds (s)", steps: durationSteps, factor: 1e9 },
    ],
  },
  {
    name: "Throughput",
    units: [
      { id: "reqps", label: "requests/s", steps: countSteps(" req/s") },
      { id: "ops", label: "operations/s", steps: countSteps(" ops/s") },
    ],
  },
  {
    name: "Temperature",
    units: [
      { id: "celsius", label: "Celsius (°C)", steps: [{ from: 1, suffix: "°C" }] },
      { id: "fahrenheit", label: "Fahrenheit (°F)", steps: [{ from: 1, suffix: "°F" }] },
    ],
  },
  {
    name: "Energy",
    units: [
      { id: "volt", label: "volts (V)", steps: siSteps("V") },
      { id: "watt", label: "watts (W)", steps: siSteps("W") },
      { id: "hertz", label: "hertz (Hz)", steps: siSteps("Hz", 0) },
    ],
  },
];

const byId = new Map(UNIT_CATEGORIES.flatMap((category) => category.units.map((unit) => [unit.id, unit] as const)));

/** Every unit id, in the editor's order. */
export const UNIT_IDS: readonly string[] = [...byId.keys()];

/** The unit `id` names, or `undefined` when it is free text (or absent). */
export function unitDefinition(id: string | undefined): UnitDefinition | undefined {
  return id === undefined ? undefined : byId.get(id);
}

/** Fixed digits per `decimals` setting, built on first use. */
const fixed = new Map<number, Intl.NumberFormat>();

/** `value` with exactly `decimals` fraction digits, e.g. 1234.5 with 2 → "1,234.50". */
export function withDecimals(value: number, decimals: number): string {
  let format = fixed.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    fixed.set(decimals, format);
  }
  // "-0.00" reads as a sign with nothing behind it.
  const text = format.format(value);
  return /^-[0.]+$/.test(text) ? text.slice(1) : text;
}

/** Automatic precision for a number already scaled to its form: three significant digits below 1. */
const automatic = [
  { below: 1, format: new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 }) },
  { below: 100, format: new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }) },
  { below: Infinity, format: new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }) },
];
/** Every digit a 64-bit float holds that is not noise of its binary form. */
const exactFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 15 });

function automaticNumber(value: number): string {
  const size = Math.abs(value);
  if (size !== 0 && size < 1e-3) return value.toExponential(2);
  return automatic.find(({ below }) => size < below)!.format.format(value);
}

/** How precise a written value is: a panel's decimals, automatic, or every digit (a cursor readout). */
export type Precision = number | "auto" | "exact";

function writeNumber(value: number, precision: Precision): string {
  if (typeof precision === "number") return withDecimals(value, precision);
  return precision === "exact" ? exactFormat.format(value) : automaticNumber(value);
}

/**
 * The form a value of base size `size` shows in; zero shows in the unit's own form, of size
 * `own` ("0 V" rather than "0 µV", "0 s" rather than "0 ns").
 */
function stepFor(steps: readonly Step[], size: number, own = 1): number {
  if (size === 0) return Math.max(0, steps.findIndex((step) => step.from === own));
  let at = 0;
  while (at + 1 < steps.length && size >= steps[at + 1]!.from) at++;
  return at;
}

/** `value` times 10 to the `shift`, in exponent notation, e.g. 1.5e306 shifted by 2 → "1.50e308". */
function shiftExponent(value: number, shift: number): string {
  const [mantissa, exponent] = value.toExponential(2).split("e");
  return `${mantissa}e${Number(exponent) + shift}`;
}

/** Units that typographically hug the number (`%`, `°C`) get no space: "42%", but "17 jobs". */
function withText(number: string, unit: string): string {
  return /^[%°]/.test(unit) ? `${number}${unit}` : `${number} ${unit}`;
}

/**
 * Writes `value` in `unit` (an id of the vocabulary, or free text) at `precision`, e.g.
 * 1536 in `bytes` → "1.5 KiB", 0.884 in `percentunit` with 1 decimal → "88.4%". No unit and
 * `none` write as automatic panels do (format-value.ts) unless decimals or "exact" are asked for.
 */
export function formatInUnit(value: number | null | undefined, unit: string | undefined, precision: Precision = "auto"): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  // -0 would read "-0".
  if (value === 0) value = 0;
  const definition = unitDefinition(unit);
  if (!definition) {
    const number = precision === "auto" ? formatValue(value) : writeNumber(value, precision);
    return unit ? withText(number, unit) : number;
  }
  if (definition.id === "none" && precision === "auto") return formatValue(value);
  const factor = definition.factor ?? 1;
  const base = value * factor;
  // A value near the largest double overflows in the base unit (1e302 ms in ns); it is then
  // divided down by the form's size over the factor instead.
  const inForm = (step: Step) => (Number.isFinite(base) ? base / step.from : value * (factor / step.from));
  const { steps } = definition;
  let at = stepFor(steps, Math.abs(base), factor);
  const scaled = inForm(steps[at]!);
  // Only a 0.0-1.0 percentage of nearly the largest double is too large for one: written in
  // powers of ten instead (the factors are powers of ten).
  if (!Number.isFinite(scaled)) return `${shiftExponent(value, Math.round(Math.log10(factor / steps[at]!.from)))}${steps[at]!.suffix}`;
  let text = writeNumber(scaled, precision);
  // Rounding can carry a value into the next form: 1023.96 KiB at 1 decimal is "1.0 MiB", not "1,024.0 KiB".
  const next = steps[at + 1];
  if (next && Math.abs(Number(text.replaceAll(",", ""))) * steps[at]!.from >= next.from) {
    at += 1;
    text = writeNumber(inForm(next), precision);
  }
  return `${text}${steps[at]!.suffix}`;
}

/**
 * Writes an axis' tick values in `unit`: every tick in the form of the largest, with the
 * panel's decimals or as many as the tick spacing needs, so the labels read as one scale
 * ("0.0 MiB, 0.5 MiB, 1.0 MiB" rather than "0 B, 512 KiB, 1 MiB").
 */
export function formatTicksInUnit(ticks: readonly number[], unit: string | undefined, decimals: number | undefined): string[] {
  const definition = unitDefinition(unit);
  if (!definition || (definition.id === "none" && decimals === undefined)) {
    return ticks.map((tick) => (decimals === undefined ? formatValue(tick) : formatInUnit(tick, unit, decimals)));
  }
  const factor = definition.factor ?? 1;
  // A tick beyond the largest double in the base unit is Infinity here, and so takes the largest form.
  const largest = Math.max(0, ...ticks.map((tick) => Math.abs(tick * factor)).filter((size) => !Number.isNaN(size)));
  const step = definition.steps[stepFor(definition.steps, largest, factor)]!;
  const scaled = ticks.map((tick) => tick * (factor / step.from));
  const digits = decimals ?? tickDigits(scaled);
  return scaled.map((tick) => (Number.isFinite(tick) ? `${withDecimals(tick, digits)}${step.suffix}` : ""));
}

/** The fewest fraction digits that write the tick spacing exactly (0.25 → 2), so no two ticks read alike. */
function tickDigits(scaled: readonly number[]): number {
  const gap = scaled.length > 1 ? Math.abs(scaled[1]! - scaled[0]!) : Math.abs(scaled[0] ?? 1);
  if (!(gap > 0) || !Number.isFinite(gap)) return 0;
  for (let digits = 0; digits < 10; digits++) {
    const shifted = gap * 10 ** digits;
    if (Math.abs(shifted - Math.round(shifted)) < 1e-6 * shifted) return digits;
  }
  return 10;
}
