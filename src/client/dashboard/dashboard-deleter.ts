/**
 * Deleting the dashboard from its own page, for whoever holds its `edit` token or the admin
 * token: "Delete dashboard…" in the Tokens dialog (where the same people manage its tokens;
 * the header keeps its room) opens a dialog of its own that asks for that token (prefilled
 * with the one the Tokens dialog was given, else the edit token this tab keeps for the
 * dashboard, else the admin token it keeps from the landing page) and for the dashboard's
 * id, typed, as the confirmation. While the `DELETE
 * /api/dashboards/<id>` is under way the dialog says so and takes no second press; a refusal
 * (a token that may not delete, relays that could not all be reached) keeps it open with the
 * server's reason. Once the server confirms, the page is told (`onDeleted`), and shows the
 * dashboard as gone, with {@link deletedNote} saying who did it.
 */
import { storedAdminToken } from "../landing/admin-token.ts";
import { forgetDashboard } from "../landing/known-dashboards.ts";
import { forgetEditToken, storedEditToken } from "../editor/edit-token.ts";
import { deleteDashboard, refusalOf } from "./dashboard-api.ts";

/** The dialog's parts, from dashboard.html. */
export interface DashboardDeleterElements {
  open: HTMLButtonElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  id: HTMLElement;
  token: HTMLInputElement;
  confirm: HTMLInputElement;
  error: HTMLElement;
  progress: HTMLElement;
  submit: HTMLButtonElement;
  cancel: HTMLButtonElement;
}

/** What the page shows above its not-found notice once this page deleted the dashboard. */
export function deletedNote(id: string): HTMLElement {
  const note = document.createElement("p");
  note.dataset.testid = "deleted";
  note.className = "deleted-note";
  note.tabIndex = -1;
  note.textContent = `You deleted ${id} with all its data; everyone watching it was told.`;
  return note;
}

export class DashboardDeleter {
  #busy = false;

  constructor(
    private readonly parts: DashboardDeleterElements,
    private readonly dashboardId: string,
    /** Runs once the server has deleted the dashboard (or found it gone already). */
    private readonly onDeleted: () => void,
    /** The token the person already gave on the page (the Tokens dialog's), if any. */
    private readonly offered: () => string | undefined = () => undefined,
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {
    parts.id.textContent = dashboardId;
    parts.open.hidden = false;
    parts.open.addEventListener("click", () => {
      const token = this.offered();
      // One modal at a time: the dialog holding the button gives way.
      parts.open.closest("dialog")?.close();
      this.open(token);
    });
    parts.cancel.addEventListener("click", () => parts.dialog.close());
    // Escape would close the dialog with the request under way; its answer would then go unseen.
    parts.dialog.addEventListener("cancel", (event) => {
      if (this.#busy) event.preventDefault();
    });
    parts.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.delete();
    });
  }

  open(token?: string): void {
    this.#say(undefined);
    this.parts.progress.textContent = "";
    this.parts.confirm.value = "";
    this.parts.token.value = token ?? storedEditToken(this.dashboardId) ?? storedAdminToken() ?? "";
    this.parts.dialog.showModal();
    (this.parts.token.value === "" ? this.parts.token : this.parts.confirm).focus();
  }

  /** Deletes the dashboard once its id is typed and a token given; says why not otherwise. */
  async delete(): Promise<void> {
    if (this.#busy) return;
    const id = this.dashboardId;
    if (this.parts.confirm.value.trim() !== id) return this.#say(`Type ${id} exactly to delete it.`, this.parts.confirm);
    const token = this.parts.token.value.trim();
    if (token === "") return this.#say("This dashboard's edit token, or the admin token, is needed to delete it.", this.parts.token);
    this.#say(undefined);
    this.#progress(`Deleting ${id} and all its data…`);
    try {
      const refusal = await deleteDashboard(id, token, this.send);
      if (refusal) {
        const reason = await refusalOf(refusal);
        const refused = refusal.status === 401 || refusal.status === 403;
        if (refused && token === storedEditToken(id)) forgetEditToken(id);
        return this.#say(`${id} was not deleted: ${reason}.`, refused ? this.parts.token : undefined);
      }
    } catch (error) {
      return this.#say(`${id} was not deleted: the server could not be reached (${(error as Error).message}).`);
    } finally {
      this.#progress(undefined);
    }
    forgetEditToken(id);
    forgetDashboard(id);
    this.parts.dialog.close();
    this.parts.open.hidden = true;
    this.onDeleted();
  }

  /** Shows `message` (the field it is about marked invalid and focused), or clears every mark. */
  #say(message: string | undefined, field?: HTMLInputElement): void {
    this.parts.error.textContent = message ?? "";
    for (const input of [this.parts.token, this.parts.confirm]) {
      if (input === field) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    field?.focus();
  }

  /** Shows the request under way (`text`), the submit button taking no second press; or ends it. */
  #progress(text: string | undefined): void {
    this.#busy = text !== undefined;
    this.parts.progress.textContent = text ?? "";
    this.parts.submit.disabled = this.#busy;
    this.parts.submit.textContent = this.#busy ? "Deleting…" : "Delete dashboard";
    if (this.#busy) this.parts.form.setAttribute("aria-busy", "true");
    else this.parts.form.removeAttribute("aria-busy");
  }
}
