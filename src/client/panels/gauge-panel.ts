/**
 * A `gauge` panel: a 240° SVG arc from the panel's `min` (default 0) to `max` (default 100)
 * filled up to the latest value, with the value in the middle, coloured by the thresholds.
 * Like a stat, it shows the first matching series in key order.
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { formatPanelValue } from "./panel-value.ts";
import { savedPanelFrame, type PanelSource, type SavedPanelView, type SeriesRef } from "./saved-panel.ts";
import { thresholdColor } from "./threshold-color.ts";

const SVG = "http://www.w3.org/2000/svg";
/** Arc geometry in the SVG's own units (viewBox 0 0 120 100). */
const CX = 60;
const CY = 56;
const R = 44;
/** The width the value may take inside the arc, and its largest font size, in the SVG's units. */
const VALUE_WIDTH = 70;
const VALUE_SIZE = 18;
/** A bold digit's width for its font size, about: what sizes a value to fit `VALUE_WIDTH`. */
const CHAR_WIDTH = 0.68;
/** The arc opens downwards: it runs from 150° to 390° (clockwise, 0° pointing right). */
const START_DEG = 150;
const SWEEP_DEG = 240;

function pointAt(deg: number): string {
  const rad = (deg * Math.PI) / 180;
  return `${(CX + R * Math.cos(rad)).toFixed(3)} ${(CY + R * Math.sin(rad)).toFixed(3)}`;
}

/** The track as one path; its `pathLength` of 100 lets the fill be a dash of `percent`. */
const arcPath = `M ${pointAt(START_DEG)} A ${R} ${R} 0 1 1 ${pointAt(START_DEG + SWEEP_DEG)}`;

export class GaugePanel implements SavedPanelView {
  readonly element: HTMLElement;
  #panel: Panel;
  #shown: SeriesRef | undefined;
  #svg: SVGSVGElement;
  #fill: SVGPathElement;
  #value: SVGTextElement;
  #source: HTMLElement;

  constructor(panel: Panel) {
    this.#panel = panel;
    const { element, body } = savedPanelFrame(panel);
    this.element = element;

    const svg = (this.#svg = document.createElementNS(SVG, "svg"));
    svg.setAttribute("class", "gauge");
    svg.setAttribute("viewBox", "0 0 120 100");
    svg.setAttribute("role", "img");
    const track = this.#arc("gauge-track");
    this.#fill = this.#arc("gauge-fill");
    this.#fill.setAttribute("stroke-dasharray", "0 100");
    this.#value = document.createElementNS(SVG, "text");
    this.#value.setAttribute("class", "gauge-value");
    this.#value.setAttribute("x", String(CX));
    this.#value.setAttribute("y", String(CY + 6));
    this.#value.setAttribute("text-anchor", "middle");
    this.#value.dataset.testid = "gauge-value";
    this.#value.dataset.color = "";
    this.#value.textContent = "–";
    // The scale's ends in the panel's unit too: 1073741824 in `bytes` reads "1 GiB".
    const low = this.#label(pointAt(START_DEG), formatPanelValue(this.#min, panel));
    const high = this.#label(pointAt(START_DEG + SWEEP_DEG), formatPanelValue(this.#max, panel));
    svg.append(track, this.#fill, this.#value, low, high);

    this.#source = document.createElement("p");
    this.#source.className = "gauge-source";
    body.append(svg, this.#source);
  }

  get #min(): number {
    return this.#panel.min ?? 0;
  }

  get #max(): number {
    return this.#panel.max ?? 100;
  }

  setSeries(series: readonly SeriesRef[]): void {
    this.#shown = series[0];
    this.#source.textContent = this.#shown?.key ?? "no matching series yet";
  }

  draw(source: PanelSource): void {
    const latest = this.#shown && source.latest(this.#shown.key);
    const text = formatPanelValue(latest, this.#panel);
    if (this.#value.textContent !== text) {
      this.#value.textContent = text;
      // A value with a unit ("512 MiB") is longer than a bare number: it shrinks to stay inside the arc.
      const size = Math.min(VALUE_SIZE, VALUE_WIDTH / (CHAR_WIDTH * text.length));
      this.#value.style.fontSize = size < VALUE_SIZE ? `${size.toFixed(1)}px` : "";
    }
    this.#svg.setAttribute("aria-label", `${text} on a scale of ${formatPanelValue(this.#min, this.#panel)} to ${formatPanelValue(this.#max, this.#panel)}`);
    // A value outside the scale pins the arc at an end rather than overrunning it.
    const share = latest === undefined ? 0 : Math.min(1, Math.max(0, (latest - this.#min) / (this.#max - this.#min)));
    this.#fill.setAttribute("stroke-dasharray", `${(share * 100).toFixed(2)} 100`);
    const color = thresholdColor(this.#panel.thresholds, latest);
    this.#value.dataset.color = color ?? "";
    // Unset falls back to the accent colour in styles.css.
    this.#fill.style.stroke = color ?? "";
  }

  restyle(): void {
    // SVG follows the palette through CSS.
  }

  destroy(): void {
    this.element.remove();
  }

  #arc(className: string): SVGPathElement {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("class", className);
    path.setAttribute("d", arcPath);
    path.setAttribute("pathLength", "100");
    return path;
  }

  #label(at: string, text: string): SVGTextElement {
    const [x, y] = at.split(" ").map(Number) as [number, number];
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("class", "gauge-scale");
    label.dataset.testid = "gauge-scale";
    label.setAttribute("x", String(x));
    label.setAttribute("y", String(y + 12));
    label.setAttribute("text-anchor", "middle");
    label.textContent = text;
    return label;
  }
}
