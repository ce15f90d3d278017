/**
 * The editor's token prompt: what pressing Edit shows while this tab holds no token for the
 * dashboard, and what a save refused by the server comes back to. It says which token it
 * wants, checks the one typed with the server (token-check.ts; nothing is changed) while
 * saying so, and either hands it on or says at the field why it was refused.
 */
import { checkEditToken, type TokenVerdict } from "./token-check.ts";

export interface TokenGateOptions {
  dashboardId: string;
  /** Hears a token the server accepted. */
  onAccepted(token: string): void;
  /** Hears the prompt's Cancel. */
  onCancel(): void;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]>, testid?: string): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  if (testid) element.setAttribute("data-testid", testid);
  return element;
}

export class TokenGate {
  /** The prompt, hidden until asked; the editor places it. */
  readonly element = make("form", { className: "editor-gate", hidden: true, noValidate: true }, "token-gate");
  readonly #options: TokenGateOptions;
  readonly #input = make("input", { type: "password", id: "edit-token", autocomplete: "off", spellcheck: false }, "edit-token");
  readonly #error = make("p", { className: "field-error", id: "edit-token-error" }, "token-error");
  readonly #status = make("p", { className: "editor-gate-status", id: "edit-token-status" }, "token-status");
  readonly #submit = make("button", { type: "submit", textContent: "Continue" }, "token-submit");
  /** Bumped by every check and every hide, so an answer that comes too late is dropped. */
  #attempt = 0;

  constructor(options: TokenGateOptions) {
    this.#options = options;
    const help = make("p", {
      className: "editor-gate-help",
      id: "edit-token-help",
      textContent:
        "Editing needs this dashboard's edit token (its ingest token, or another of its tokens of scope edit) or the admin token. " +
        "It is checked before the form opens, then kept for this tab only, never in the address.",
    });
    this.#error.setAttribute("role", "alert");
    this.#status.setAttribute("role", "status");
    this.#input.setAttribute("aria-describedby", `${help.id} ${this.#error.id}`);
    this.#input.required = true;
    const field = make("div", { className: "editor-field editor-gate-field" });
    field.append(make("label", { htmlFor: this.#input.id, textContent: "Edit token or admin token" }), this.#input, this.#error);
    const cancel = make("button", { type: "button", textContent: "Cancel" }, "token-cancel");
    cancel.addEventListener("click", () => this.#options.onCancel());
    const actions = make("div", { className: "editor-actions" });
    actions.append(this.#submit, cancel);
    this.element.setAttribute("aria-label", "Token to edit this dashboard");
    this.element.append(help, field, this.#status, actions);
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#check();
    });
  }

  /**
   * Shows the prompt, empty, with `reason` at the field (why it is asked again, of the kind
   * `kind` as a check would name it), and puts the focus in it.
   */
  ask(reason = "", kind?: string): void {
    this.#attempt += 1;
    this.#input.value = "";
    this.#busy(false);
    this.#show(reason);
    if (kind) this.#error.dataset.kind = kind;
    this.element.hidden = false;
    this.#input.focus();
  }

  hide(): void {
    this.#attempt += 1;
    this.#busy(false);
    this.element.hidden = true;
  }

  async #check(): Promise<void> {
    const token = this.#input.value.trim();
    if (token === "") return this.#refused("Enter the token first.");
    const attempt = ++this.#attempt;
    this.#show("");
    this.#busy(true);
    const verdict: TokenVerdict = await checkEditToken(this.#options.dashboardId, token);
    if (attempt !== this.#attempt) return;
    this.#busy(false);
    if (verdict.kind === "accepted") {
      this.element.hidden = true;
      this.#options.onAccepted(token);
      return;
    }
    this.#refused(verdict.message, verdict.kind);
  }

  #refused(message: string, kind = "empty"): void {
    this.#show(message);
    this.#error.dataset.kind = kind;
    this.#input.focus();
  }

  #show(message: string): void {
    this.#error.textContent = message;
    delete this.#error.dataset.kind;
    if (message) this.#input.setAttribute("aria-invalid", "true");
    else this.#input.removeAttribute("aria-invalid");
  }

  /** While the server checks: says so, and takes no second press. */
  #busy(busy: boolean): void {
    this.#status.textContent = busy ? "Checking the token…" : "";
    this.#submit.disabled = busy;
    this.#input.readOnly = busy;
    if (busy) this.element.setAttribute("aria-busy", "true");
    else this.element.removeAttribute("aria-busy");
  }
}
