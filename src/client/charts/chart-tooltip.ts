/**
 * The values under the cursor, at the cursor: a box beside it with the time and, for every
 * shown series in its colour, the value of its nearest point, written in the panel's unit
 * and decimals. With a mouse it follows the pointer over the plot; on a touch screen a tap
 * (or a sideways drag) on the plot puts the cursor there, and a touch anywhere else, or a
 * scroll, takes it away. Vertical swipes stay the page's (styles.css: `touch-action`).
 *
 * The work happens only when uPlot moves its cursor (a pointer move, or new data while the
 * cursor is on the plot); off the plot each call returns at once. The box lives in <body>,
 * above every panel: a panel clips what it holds (`contain: paint`), and a box of many
 * series may be taller than the plot. It repeats what the legend and the chart's label say,
 * so it is hidden from screen readers.
 */
import type uPlot from "uplot";
import { clockMoment } from "./clock-format.ts";
import { formatCursorValue, type ValueStyle } from "../panels/panel-value.ts";
import { annotationsNear, type AnnotationSource } from "./annotation-marks.ts";

/** Gap between the cursor and the box, in CSS pixels. */
const OFFSET = 14;

/** uPlot's nearest-point search, wide enough to reach any point of a series with gaps. */
export const nearestPoint: uPlot.Cursor["hover"] = {
  // Aligned data holds null where a series has no point at a time: skip those to the nearest point.
  skip: [null, undefined],
  // The nearest by distance on the plot (in px), however far; an infinite value would count indices instead.
  prox: Number.MAX_SAFE_INTEGER,
};

class ChartTooltip {
  #style: ValueStyle;
  #box: HTMLElement | undefined;
  #time: HTMLElement | undefined;
  /** The annotations at the cursor, under the values. */
  #notes: HTMLElement | undefined;
  /** Value cells by series index (0 is time and has none). */
  #rows: { row: HTMLElement; value: HTMLElement }[] = [];
  #shown = false;
  /** A touch put the cursor here: it stays until a touch elsewhere or a scroll. */
  #touched = false;
  #chart: uPlot | undefined;
  readonly #away = (event: Event) => {
    if (this.#chart && event.target instanceof Node && this.#chart.over.contains(event.target)) return;
    this.#chart?.setCursor({ left: -10, top: -10 });
  };

  constructor(
    style: ValueStyle,
    private readonly annotations: AnnotationSource | undefined,
  ) {
    this.#style = style;
  }

  /** Listens for touches on `chart`'s plot; called once the chart is built. */
  attach(chart: uPlot): void {
    this.#chart = chart;
    const over = chart.over;
    const touch = (event: TouchEvent) => {
      const point = event.touches[0];
      if (!point || event.touches.length > 1) return;
      const rect = over.getBoundingClientRect();
      if (!this.#touched) {
        this.#touched = true;
        document.addEventListener("touchstart", this.#away, { passive: true, capture: true });
        addEventListener("scroll", this.#away, { passive: true, capture: true });
      }
      chart.setCursor({ left: point.clientX - rect.left, top: point.clientY - rect.top });
    };
    // Passive: the page scrolls on a vertical swipe as it would anywhere else.
    over.addEventListener("touchstart", touch, { passive: true });
    over.addEventListener("touchmove", touch, { passive: true });
  }

  /** uPlot's `setCursor` hook. */
  update(chart: uPlot): void {
    const index = chart.cursor.idx;
    if (index === null || index === undefined || chart.cursor.left === undefined || chart.cursor.left < 0) {
      this.#hide();
      return;
    }
    const box = this.#box ?? this.#build(chart);
    const time = chart.data[0][index];
    this.#time!.textContent = time === undefined ? "" : clockMoment(time, "milliseconds");
    const idxs = chart.cursor.idxs ?? [];
    for (let i = 1; i < chart.series.length; i++) {
      const cells = this.#rows[i]!;
      const at = idxs[i];
      const value = at === null || at === undefined ? null : chart.data[i]?.[at];
      cells.row.hidden = chart.series[i]!.show === false;
      cells.value.textContent = formatCursorValue(value, this.#style);
    }
    const near = this.annotations ? annotationsNear(chart, this.annotations, chart.cursor.left) : [];
    this.#notes!.hidden = near.length === 0;
    this.#notes!.replaceChildren(
      ...near.map((annotation) => {
        const note = document.createElement("div");
        note.className = "chart-tooltip-note";
        note.textContent = `${clockMoment(annotation.ts)} ${annotation.text}`;
        return note;
      }),
    );
    if (!this.#shown) {
      this.#shown = true;
      box.hidden = false;
    }
    this.#place(chart, box);
  }

  /** Removes the box with the chart. */
  destroy(): void {
    this.#hide();
    this.#box?.remove();
    this.#chart = undefined;
  }

  #hide(): void {
    if (this.#shown) {
      this.#shown = false;
      if (this.#box) this.#box.hidden = true;
    }
    if (this.#touched) {
      this.#touched = false;
      document.removeEventListener("touchstart", this.#away, { capture: true });
      removeEventListener("scroll", this.#away, { capture: true });
    }
  }

  /** Makes the box on first use: the series of a chart are fixed until it is rebuilt. */
  #build(chart: uPlot): HTMLElement {
    const box = document.createElement("div");
    box.className = "chart-tooltip";
    box.dataset.testid = "chart-tooltip";
    box.setAttribute("aria-hidden", "true");
    box.hidden = true;
    this.#time = document.createElement("div");
    this.#time.className = "chart-tooltip-time";
    this.#time.dataset.testid = "tooltip-time";
    box.append(this.#time);
    for (let i = 1; i < chart.series.length; i++) {
      const series = chart.series[i]!;
      const row = document.createElement("div");
      row.className = "chart-tooltip-row";
      row.dataset.testid = "tooltip-row";
      row.dataset.series = String(series.label ?? "");
      const swatch = document.createElement("span");
      swatch.className = "chart-tooltip-swatch";
      // uPlot keeps a series' stroke as a function of the chart and the series' index once built.
      const stroke = typeof series.stroke === "function" ? series.stroke(chart, i) : series.stroke;
      swatch.style.background = typeof stroke === "string" ? stroke : "currentColor";
      const label = document.createElement("span");
      label.className = "chart-tooltip-label";
      label.textContent = String(series.label ?? "");
      const value = document.createElement("span");
      value.className = "chart-tooltip-value";
      value.dataset.testid = "tooltip-value";
      row.append(swatch, label, value);
      box.append(row);
      this.#rows[i] = { row, value };
    }
    this.#notes = document.createElement("div");
    this.#notes.className = "chart-tooltip-notes";
    this.#notes.dataset.testid = "tooltip-annotations";
    this.#notes.hidden = true;
    box.append(this.#notes);
    document.body.append(box);
    return (this.#box = box);
  }

  /**
   * Beside the cursor, flipped to its other side where the window would cut the box off; above
   * a finger, centred on it, so that the finger does not hide it.
   */
  #place(chart: uPlot, box: HTMLElement): void {
    const plot = chart.over.getBoundingClientRect();
    const x = plot.left + (chart.cursor.left ?? 0);
    const y = plot.top + (chart.cursor.top ?? 0);
    const { offsetWidth: width, offsetHeight: height } = box;
    let left: number;
    let top: number;
    if (this.#touched) {
      left = Math.min(Math.max(0, x - width / 2), Math.max(0, innerWidth - width));
      top = y - 2 * OFFSET - height;
      if (top < 0) top = y + 2 * OFFSET;
    } else {
      left = x + OFFSET;
      if (left + width > innerWidth) left = Math.max(0, x - OFFSET - width);
      top = y + OFFSET;
      if (top + height > innerHeight) top = Math.max(0, y - OFFSET - height);
    }
    box.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }
}

/**
 * uPlot hooks that give a chart the tooltip, values written in `style` (a saved panel's unit
 * and decimals; none on an automatic chart), and the `annotations` at the cursor's time. The
 * chart's cursor needs `hover: nearestPoint`.
 */
export function chartTooltip(style: ValueStyle, annotations?: AnnotationSource): uPlot.Hooks.Arrays {
  const tooltip = new ChartTooltip(style, annotations);
  return {
    ready: [(chart) => tooltip.attach(chart)],
    setCursor: [(chart) => tooltip.update(chart)],
    destroy: [() => tooltip.destroy()],
  };
}
