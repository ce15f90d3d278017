/**
 * The Edit button, with the panel editor (and the validation library its checks use) loaded
 * on first press rather than with the page: most viewers never edit, and the editor's code is
 * most of the page's script. Until then the button holds the latest saved title and panels;
 * once loaded, the editor (panel-editor.ts) takes the button over.
 */
import type { DashboardConfig, PanelEditor, PanelEditorOptions } from "./panel-editor.ts";

export class LazyEditor {
  #saved: DashboardConfig;
  #editor: PanelEditor | undefined;
  #loading = false;
  readonly #first = () => void this.#load();

  constructor(
    private readonly toggle: HTMLButtonElement,
    private readonly root: HTMLElement,
    private readonly options: PanelEditorOptions,
    saved: DashboardConfig,
  ) {
    this.#saved = saved;
    toggle.hidden = false;
    toggle.addEventListener("click", this.#first);
    // A pointer on the button or the focus on it says an edit may be coming: start the download.
    const prefetch = () => void import("./panel-editor.ts").catch(() => undefined);
    toggle.addEventListener("pointerenter", prefetch, { once: true });
    toggle.addEventListener("focus", prefetch, { once: true });
  }

  /** The title and panels as last saved (by anyone). */
  setSaved(config: DashboardConfig): void {
    this.#saved = config;
    this.#editor?.setSaved(config);
  }

  async #load(): Promise<void> {
    if (this.#loading) return;
    this.#loading = true;
    this.toggle.setAttribute("aria-busy", "true");
    try {
      const { PanelEditor } = await import("./panel-editor.ts");
      this.toggle.removeEventListener("click", this.#first);
      this.root.replaceChildren();
      this.#editor = new PanelEditor(this.toggle, this.root, this.options);
      this.#editor.setSaved(this.#saved);
      this.#editor.open();
    } catch (err) {
      // A dropped connection, say: the next press tries again.
      const message = document.createElement("p");
      message.className = "field-error";
      message.dataset.testid = "editor-error";
      message.setAttribute("role", "alert");
      message.textContent = `The editor could not be loaded (${(err as Error).message}); press Edit to try again.`;
      this.root.replaceChildren(message);
      this.root.hidden = false;
    } finally {
      this.#loading = false;
      this.toggle.removeAttribute("aria-busy");
    }
  }
}
