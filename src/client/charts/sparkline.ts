/**
 * A small line of a series' recent values, drawn as one SVG polyline whose points are
 * rewritten at most once per frame: no axes, no interaction, just the shape.
 */
const SVG = "http://www.w3.org/2000/svg";
/** The drawing's own coordinate space; the SVG stretches it to the box CSS gives it. */
const WIDTH = 100;
const HEIGHT = 30;

export class Sparkline {
  readonly element: SVGSVGElement;
  #line: SVGPolylineElement;

  constructor() {
    this.element = document.createElementNS(SVG, "svg");
    this.element.setAttribute("class", "sparkline");
    this.element.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    // Stretched to the panel's width; the stroke keeps its width thanks to non-scaling-stroke.
    this.element.setAttribute("preserveAspectRatio", "none");
    this.element.setAttribute("aria-hidden", "true");
    this.#line = document.createElementNS(SVG, "polyline");
    this.#line.setAttribute("vector-effect", "non-scaling-stroke");
    this.element.append(this.#line);
  }

  /** Draws `values` against `ts`, each scaled to fill the box. */
  draw(ts: readonly number[], values: readonly number[]): void {
    const count = Math.min(ts.length, values.length);
    if (count === 0) {
      this.#line.setAttribute("points", "");
      return;
    }
    const t0 = ts[0]!;
    const tSpan = ts[count - 1]! - t0 || 1;
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < count; i++) {
      low = Math.min(low, values[i]!);
      high = Math.max(high, values[i]!);
    }
    const vSpan = high - low || 1;
    const points: string[] = [];
    for (let i = 0; i < count; i++) {
      // A lone time or a flat series sits in the middle rather than on an edge.
      const x = ts[count - 1] === t0 ? WIDTH / 2 : ((ts[i]! - t0) / tSpan) * WIDTH;
      const y = high === low ? HEIGHT / 2 : HEIGHT - 1 - ((values[i]! - low) / vSpan) * (HEIGHT - 2);
      points.push(`${x.toFixed(2)},${y.toFixed(2)}`);
    }
    this.#line.setAttribute("points", points.join(" "));
  }
}
