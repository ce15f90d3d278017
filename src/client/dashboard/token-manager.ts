/**
 * The dashboard's tokens, managed from its page by whoever holds its `edit` token or the
 * admin token: the header's Tokens button opens a dialog that asks for that token (kept per
 * tab, as the editor keeps it; the admin token the landing page keeps for the tab is offered), lists the dashboard's tokens (name, scope, made, last used;
 * never a secret), makes one (its secret shown this once, to copy) and revokes one, at once
 * (`POST`, `GET`, `DELETE /api/dashboards/<id>/tokens`).
 */
import { forgetEditToken, storeEditToken, storedEditToken } from "../editor/edit-token.ts";
import { storedAdminToken } from "../landing/admin-token.ts";
import { clockMoment } from "../charts/clock-format.ts";
import { refusalText } from "./dashboard-api.ts";

/** A token as listed. */
interface TokenInfo {
  id: string;
  name: string;
  scope: "write" | "edit" | "read";
  createdAt: number;
  lastUsedAt: number | null;
}

/** The dialog's parts, from dashboard.html. */
export interface TokenManagerElements {
  open: HTMLButtonElement;
  dialog: HTMLDialogElement;
  access: HTMLInputElement;
  load: HTMLButtonElement;
  list: HTMLTableSectionElement;
  form: HTMLFormElement;
  name: HTMLInputElement;
  scope: HTMLSelectElement;
  secret: HTMLElement;
  error: HTMLElement;
  close: HTMLButtonElement;
}

const SCOPE_TEXT: Record<TokenInfo["scope"], string> = {
  write: "write: points and annotations",
  edit: "edit: also title, panels and tokens",
  read: "read: view a private dashboard",
};

export class TokenManager {
  constructor(
    private readonly parts: TokenManagerElements,
    private readonly dashboardId: string,
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {
    parts.open.hidden = false;
    parts.open.addEventListener("click", () => void this.open());
    parts.close.addEventListener("click", () => parts.dialog.close());
    parts.load.addEventListener("click", () => void this.refresh());
    parts.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.make();
    });
  }

  async open(): Promise<void> {
    this.parts.error.textContent = "";
    this.parts.secret.hidden = true;
    // The admin token the landing page keeps for this tab serves too, so it is asked once.
    this.parts.access.value = storedEditToken(this.dashboardId) ?? storedAdminToken() ?? "";
    this.parts.dialog.showModal();
    if (this.parts.access.value) await this.refresh();
    else this.parts.access.focus();
  }

  /** Lists the tokens with the access token given. */
  async refresh(): Promise<void> {
    const body = await this.#call("GET", "");
    if (!body) return;
    const tokens = (body as { tokens: TokenInfo[] }).tokens;
    this.parts.list.replaceChildren(...tokens.map((token) => this.#row(token)));
  }

  /** Makes a token of the name and scope in the form; shows its secret once. */
  async make(): Promise<void> {
    const name = this.parts.name.value.trim();
    if (name === "") return this.#fail("give the token a name, e.g. the sensor it is for", this.parts.name);
    const made = (await this.#call("POST", "", { name, scope: this.parts.scope.value })) as (TokenInfo & { token: string }) | null;
    if (!made) return;
    this.parts.name.value = "";
    this.parts.secret.hidden = false;
    this.parts.secret.replaceChildren(
      `"${made.name}" (${made.scope}): copy it now, it is not shown again: `,
      Object.assign(document.createElement("code"), { textContent: made.token }),
    );
    await this.refresh();
  }

  async revoke(token: TokenInfo): Promise<void> {
    if (!(await this.#call("DELETE", `/${encodeURIComponent(token.id)}`))) return;
    // Revoking the token this page was using leaves it nothing to list with.
    await this.refresh();
  }

  /** One request with the access token; its JSON body (`{}` for none), or null after saying why it failed. */
  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const access = this.parts.access.value.trim();
    if (access === "") {
      this.#fail("the dashboard's edit token (or the admin token) is needed to manage its tokens", this.parts.access);
      return null;
    }
    try {
      const response = await this.send(`/api/dashboards/${encodeURIComponent(this.dashboardId)}/tokens${path}`, {
        method,
        headers: { Authorization: `Bearer ${access}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const answer: unknown = await response.json().catch(() => ({}));
      if (!response.ok) {
        if (response.status === 401 || (response.status === 403 && method === "GET")) {
          forgetEditToken(this.dashboardId);
          this.parts.list.replaceChildren();
        }
        this.#fail(refusalText(answer, response.status), response.status === 401 || response.status === 403 ? this.parts.access : undefined);
        return null;
      }
      storeEditToken(this.dashboardId, access);
      this.parts.error.textContent = "";
      return answer;
    } catch (err) {
      this.#fail(`the server could not be reached: ${(err as Error).message}`);
      return null;
    }
  }

  #row(token: TokenInfo): HTMLTableRowElement {
    const row = document.createElement("tr");
    row.dataset.token = token.id;
    const cell = (text: string) => Object.assign(document.createElement("td"), { textContent: text });
    const revoke = Object.assign(document.createElement("button"), { type: "button", textContent: "Revoke" });
    revoke.setAttribute("aria-label", `Revoke the token "${token.name}"`);
    revoke.addEventListener("click", () => void this.revoke(token));
    const actions = document.createElement("td");
    actions.append(revoke);
    row.append(
      cell(token.name),
      cell(SCOPE_TEXT[token.scope]),
      cell(clockMoment(token.createdAt, "minutes")),
      cell(token.lastUsedAt === null ? "never" : clockMoment(token.lastUsedAt, "minutes")),
      actions,
    );
    return row;
  }

  #fail(message: string, field?: HTMLElement): void {
    this.parts.error.textContent = message;
    field?.focus();
  }
}
