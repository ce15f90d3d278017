/**
 * Zooming a time chart with the keyboard. The chart's plot takes the focus (Tab reaches it)
 * and then: "+" or "=" halves the span shown around its centre, "-" doubles it, ArrowLeft and
 * ArrowRight move it by a quarter of its width, and Escape or "0" goes back to following now.
 * Like the mouse (chart-zoom.ts), the keys only report to the page's one time window, so
 * every chart moves together and "Jump to now" shows while zoomed.
 */
import type { ZoomTarget } from "./chart-zoom.ts";
import type { ShownRange } from "./time-chart-options.ts";
import { RANGES } from "../dashboard/time-window.ts";

/** The narrowest span the keys zoom into, in ms: the protocol's times are whole milliseconds. */
const MIN_SPAN_MS = 10;
/** The widest span, and how far back the view may go: the longest range the picker offers. */
const MAX_SPAN_MS = Math.max(...RANGES.map((range) => range.ms));

/** What a key asks of the time window. */
export type KeyZoom = { kind: "zoom"; min: number; max: number } | { kind: "follow-now" };

/**
 * What `key` does to a chart showing [min, max] at time `now` (all ms); `undefined` for keys
 * that do nothing. The view never reaches past now, nor starts more than `MAX_SPAN_MS` before it.
 */
export function keyZoom(key: string, min: number, max: number, now: number): KeyZoom | undefined {
  const span = max - min;
  const centre = (min + max) / 2;
  switch (key) {
    case "+":
    case "=": {
      const half = Math.max(span / 2, MIN_SPAN_MS) / 2;
      return { kind: "zoom", min: centre - half, max: centre + half };
    }
    case "-": {
      const wider = Math.min(span * 2, MAX_SPAN_MS);
      return within(centre - wider / 2, centre + wider / 2, now);
    }
    case "ArrowLeft":
      return within(min - span / 4, max - span / 4, now);
    case "ArrowRight":
      return within(min + span / 4, max + span / 4, now);
    case "Escape":
    case "0":
      return { kind: "follow-now" };
    default:
      return undefined;
  }
}

/** [min, max] moved, keeping its width, to lie inside [now − MAX_SPAN_MS, now]. */
function within(min: number, max: number, now: number): KeyZoom {
  const late = Math.max(0, max - now);
  const early = Math.max(0, now - MAX_SPAN_MS - (min - late));
  return { kind: "zoom", min: min - late + early, max: max - late + early };
}

/** The keys as a screen reader describes them; one element for every chart on the page. */
const KEYS_TEXT =
  "Drag across the chart to zoom every chart; double-click to return to now. " +
  "With the chart focused: plus zooms in, minus zooms out, the left and right arrows move back " +
  "and forward in time, and Escape or 0 returns to now.";

function keysDescription(): string {
  const id = "time-chart-keys";
  if (!document.getElementById(id)) {
    // Hidden, yet still read out as the description of every chart that points at it.
    const text = document.createElement("p");
    text.id = id;
    text.hidden = true;
    text.textContent = KEYS_TEXT;
    document.body.append(text);
  }
  return id;
}

/**
 * Makes `host` (the element holding a chart's plot) a focusable, named group whose keys zoom
 * every chart. `shown` gives the chart's x span now (the chart is rebuilt at times, the host
 * stays); `target` is the page's time window.
 */
export function chartKeys(host: HTMLElement, shown: () => ShownRange, target: ZoomTarget): void {
  host.tabIndex = 0;
  host.setAttribute("role", "group");
  host.setAttribute("aria-describedby", keysDescription());
  host.classList.add("time-chart");
  host.addEventListener("keydown", (event) => {
    // Ctrl/Cmd with + and - zoom the browser itself; those stay the browser's.
    if (event.target !== host || event.ctrlKey || event.metaKey || event.altKey) return;
    const { xMin, xMax } = shown();
    if (xMin === undefined || xMax === undefined) return;
    const action = keyZoom(event.key, xMin, xMax, Date.now());
    if (!action) return;
    // Arrow keys would otherwise scroll the page as well.
    event.preventDefault();
    if (action.kind === "follow-now") target.followNow();
    else target.zoomTo(action.min, action.max);
  });
}

