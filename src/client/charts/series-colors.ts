/**
 * Line colours for charts with several series: distinct hues that stay readable on both the
 * light and the dark surface of styles.css, so one palette serves both schemes.
 */
const palette = ["#3b82f6", "#f97316", "#22c55e", "#e11d48", "#a855f7", "#14b8a6", "#eab308", "#64748b"];

/** The colour of the `index`th series; the palette repeats after eight. */
export function seriesColor(index: number): string {
  return palette[index % palette.length]!;
}
