/**
 * A `stat` panel: one big latest value in the panel's unit and decimals, coloured by its
 * thresholds, over a sparkline of the recent points. A panel shows one number, so when its
 * patterns match several series it shows the first in key order (named under the value).
 */
import type { Panel } from "../../common/dashboard-config.ts";
import { formatPanelValue } from "./panel-value.ts";
import { savedPanelFrame, type PanelSource, type SavedPanelView, type SeriesRef } from "./saved-panel.ts";
import { Sparkline } from "../charts/sparkline.ts";
import { paintThresholdColor, thresholdColor } from "./threshold-color.ts";

export class StatPanel implements SavedPanelView {
  readonly element: HTMLElement;
  #panel: Panel;
  #shown: SeriesRef | undefined;
  #value: HTMLElement;
  #source: HTMLElement;
  #sparkline = new Sparkline();

  constructor(panel: Panel) {
    this.#panel = panel;
    const { element, body } = savedPanelFrame(panel);
    this.element = element;
    this.#value = document.createElement("output");
    this.#value.className = "stat-value";
    this.#value.dataset.testid = "stat-value";
    this.#value.dataset.color = "";
    this.#value.textContent = "–";
    this.#source = document.createElement("p");
    this.#source.className = "stat-source";
    body.append(this.#value, this.#source, this.#sparkline.element);
  }

  setSeries(series: readonly SeriesRef[]): void {
    this.#shown = series[0];
    this.#source.textContent = this.#shown?.key ?? "no matching series yet";
  }

  draw(source: PanelSource): void {
    const series = this.#shown && source.recent(this.#shown.key);
    const latest = this.#shown && source.latest(this.#shown.key);
    this.#value.textContent = formatPanelValue(latest, this.#panel);
    const color = thresholdColor(this.#panel.thresholds, latest);
    paintThresholdColor(this.#value, color);
    this.#sparkline.element.style.color = color ?? "";
    this.#sparkline.draw(series?.ts ?? [], series?.values ?? []);
  }

  restyle(): void {
    // HTML and SVG follow the palette through CSS.
  }

  destroy(): void {
    this.element.remove();
  }
}
