/**
 * The Arrange button, with the arranging code (arrange-control.ts, and gridstack under it)
 * loaded on first press rather than with the page: viewing places the panels with CSS alone,
 * and most viewers never arrange. Once loaded, the control takes the button over.
 */
import type { ArrangeControl, ArrangeOptions } from "./arrange-control.ts";
import type { SavedPanelLayout } from "../panels/saved-panel-layout.ts";

export class LazyArrange {
  #control: ArrangeControl | undefined;
  #loading = false;
  readonly #first = () => void this.#load();

  constructor(
    private readonly toggle: HTMLButtonElement,
    private readonly bar: HTMLElement,
    private readonly layout: SavedPanelLayout,
    private readonly options: ArrangeOptions,
  ) {
    toggle.hidden = false;
    toggle.addEventListener("click", this.#first);
    // A pointer on the button or the focus on it says arranging may be coming: start the download.
    const prefetch = () => void import("./arrange-control.ts").catch(() => undefined);
    toggle.addEventListener("pointerenter", prefetch, { once: true });
    toggle.addEventListener("focus", prefetch, { once: true });
  }

  async #load(): Promise<void> {
    if (this.#loading || this.#control) return;
    this.#loading = true;
    this.toggle.setAttribute("aria-busy", "true");
    try {
      const { ArrangeControl } = await import("./arrange-control.ts");
      this.toggle.removeEventListener("click", this.#first);
      this.#control = new ArrangeControl(this.toggle, this.bar, this.layout, this.options);
      this.#control.open();
    } catch (err) {
      // A dropped connection, say: the next press tries again.
      const message = document.createElement("p");
      message.className = "field-error";
      message.setAttribute("role", "alert");
      message.textContent = `Arranging could not be loaded (${(err as Error).message}); press Arrange to try again.`;
      this.bar.replaceChildren(message);
      this.bar.hidden = false;
    } finally {
      this.#loading = false;
      this.toggle.removeAttribute("aria-busy");
    }
  }
}
