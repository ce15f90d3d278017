/**
 * "Jump to now", floating over the page: shown whenever the charts do not follow now
 * (zoomed into a stretch of time, or paused), with a line saying what they show instead.
 * Pressing it (or double-clicking a chart) sends every chart back to now with the range picked.
 */
import { clockMoment } from "../charts/clock-format.ts";
import { absoluteRangeText } from "./absolute-range.ts";
import type { Zoom } from "./time-window.ts";

/** What the charts show instead of following now, if anything. */
export interface FollowState {
  /** The stretch zoomed into, if any. */
  zoom: Zoom | undefined;
  /** Whether the charts are frozen by Pause. */
  paused: boolean;
  /** Whether the stretch held is an absolute range picked (or a zoom inside one), not a zoom of a relative range. */
  absolute?: boolean;
}

/**
 * A zoomed stretch as people read it, on the page's clock, with the day only when it is not
 * today, and milliseconds when the stretch is too short for whole seconds to tell its ends apart.
 */
export function zoomText(zoom: Zoom, now = Date.now()): string {
  const precision = zoom.max - zoom.min < 10_000 ? "milliseconds" : "seconds";
  return `Zoomed: ${clockMoment(zoom.min, precision, now)} – ${clockMoment(zoom.max, precision, now)}`;
}

/** Where the button and its status line are, and what pressing it does. */
export interface JumpToNowParts {
  /** The (initially hidden) button of dashboard.html. */
  button: HTMLButtonElement;
  /** The line beside it saying what is zoomed into; a polite live region, so it is announced. */
  state: HTMLElement;
  /** Takes the focus when the button goes away under it (the header's range picker). */
  focusAfter: HTMLElement;
  /** Sends the charts back to now. */
  onJump(): void;
}

export class JumpToNow {
  #button: HTMLButtonElement;
  #state: HTMLElement;

  constructor(parts: JumpToNowParts) {
    this.#button = parts.button;
    this.#state = parts.state;
    this.#button.addEventListener("click", () => {
      const focused = document.activeElement === this.#button;
      parts.onJump();
      // A hidden button drops the focus to <body>; keyboard users keep their place instead.
      if (focused && this.#button.hidden) parts.focusAfter.focus();
    });
  }

  /** Shows the button while the charts do not follow now, and what they show instead. */
  show(state: FollowState): void {
    const following = state.zoom === undefined && !state.paused;
    this.#button.hidden = following;
    const held = state.zoom && (state.absolute ? `Range: ${absoluteRangeText(state.zoom)}` : zoomText(state.zoom));
    this.#state.textContent = held ? held : state.paused ? "Paused" : "";
    const bar = this.#button.parentElement;
    if (bar) bar.dataset.following = String(following);
  }
}
