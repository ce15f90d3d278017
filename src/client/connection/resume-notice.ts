/**
 * The toast that says what a reconnect did: how many missed points the server replayed, or
 * that the gap was too old to replay and the view was reloaded from a fresh snapshot. Without
 * it a person cannot tell a chart that was filled in from one with a hole in it.
 */

/** How long the toast stays before it goes by itself, in ms. */
const SHOWN_FOR_MS = 20_000;

/** Text after a resume that replayed `points` missed points. */
export function resumedText(points: number): string {
  if (points === 0) return "Back online: nothing was missed";
  return `Back online: ${points} missed ${points === 1 ? "point" : "points"} filled in`;
}

/** Text after a resume the server could not serve (it no longer keeps what was missed). */
export const reloadedText = "Back online: the view was reloaded because the gap was too old to fill in";

export class ResumeNotice {
  #host: HTMLElement;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `host` is a container outside the grid's flow, so the toast never moves the charts. */
  constructor(host: HTMLElement) {
    this.#host = host;
  }

  show(text: string): void {
    clearTimeout(this.#timer);
    const toast = document.createElement("div");
    toast.className = "resume-notice";
    toast.dataset.testid = "resume-notice";
    const message = document.createElement("span");
    message.textContent = text;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "resume-notice-dismiss";
    dismiss.setAttribute("aria-label", "Dismiss");
    dismiss.textContent = "×";
    dismiss.addEventListener("click", () => this.hide());
    toast.append(message, dismiss);
    this.#host.replaceChildren(toast);
    this.#timer = setTimeout(() => this.hide(), SHOWN_FOR_MS);
  }

  hide(): void {
    clearTimeout(this.#timer);
    this.#host.replaceChildren();
  }
}
