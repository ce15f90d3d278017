/**
 * Chart colours, taken from CSS custom properties in styles.css so the canvas follows the
 * same light/dark palette as the page (a canvas cannot use `prefers-color-scheme` itself).
 */

/** Colours one chart is drawn with. */
export interface ChartTheme {
  /** Stroke of the series line. */
  line: string;
  /** Fill under the line. */
  fill: string;
  /** Axis labels and ticks. */
  axis: string;
  /** Grid lines. */
  grid: string;
  /** Annotation marks. */
  annotation: string;
}

const darkScheme = "(prefers-color-scheme: dark)";

/** Reads the current palette from `:root`. */
export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    line: read("--chart-line", "#2563eb"),
    fill: read("--chart-fill", "rgba(37, 99, 235, 0.12)"),
    axis: read("--chart-axis", "#6b7280"),
    grid: read("--chart-grid", "rgba(127, 127, 127, 0.15)"),
    annotation: read("--chart-annotation", "#b45309"),
  };
}

/** Calls `listener` with the new palette whenever the system switches between light and dark. */
export function onChartThemeChange(listener: (theme: ChartTheme) => void): void {
  matchMedia(darkScheme).addEventListener("change", () => listener(readChartTheme()));
}
