/**
 * The header's Pause / Resume live button. Pausing freezes what the charts show so a person
 * can read them while data keeps flowing; the socket stays open and the store keeps every
 * frame, so resuming catches up at once instead of refetching.
 */

export class PauseControl {
  #button: HTMLButtonElement;
  #paused = false;
  #onChange: (paused: boolean) => void;

  /** `button` is the (initially hidden) button in dashboard.html; `onChange` hears each toggle. */
  constructor(button: HTMLButtonElement, onChange: (paused: boolean) => void) {
    this.#button = button;
    this.#onChange = onChange;
    this.#button.addEventListener("click", () => this.#set(!this.#paused));
    this.#render();
    this.#button.hidden = false;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Freezes the charts, as pressing "Pause" does (e.g. for a link to a paused page); a no-op while paused. */
  pause(): void {
    if (!this.#paused) this.#set(true);
  }

  /** Unfreezes the charts, as pressing "Resume live" does; a no-op while live. */
  resume(): void {
    if (this.#paused) this.#set(false);
  }

  #set(paused: boolean): void {
    this.#paused = paused;
    this.#render();
    this.#onChange(paused);
  }

  #render(): void {
    // aria-pressed makes it a toggle for screen readers; the label says what a press does.
    this.#button.setAttribute("aria-pressed", String(this.#paused));
    this.#button.dataset.paused = String(this.#paused);
    this.#button.textContent = this.#paused ? "Resume live" : "Pause";
  }
}
