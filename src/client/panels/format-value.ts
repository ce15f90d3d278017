/**
 * How a metric value reads on a panel and an axis: short, with precision that fits its size.
 * Fixed to English digits so the text is the same for every viewer and for the tests.
 */

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
const byMagnitude = [
  { below: 1, format: new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 }) },
  { below: 100, format: new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }) },
  { below: 1e6, format: new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }) },
];

/** Formats a value, e.g. 0.4217 → "0.422", 17.25 → "17.25", 12345.6 → "12,345.6", 2.5e9 → "2.5B". */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const size = Math.abs(value);
  if (size !== 0 && size < 1e-3) return value.toExponential(2);
  for (const { below, format } of byMagnitude) {
    if (size < below) return format.format(value);
  }
  return compact.format(value);
}
