/**
 * The landing page's "All dashboards": the admin's view of the directory (`GET
 * /api/dashboards`), a page at a time, searched as the person types, with each dashboard's
 * live facts and two actions: Export (its definition, downloaded as `<id>.pulseboard.json`)
 * and Delete (after typing the id in a dialog, `DELETE /api/dashboards/:id`).
 *
 * It takes the admin token from the page's one field (admin-token-field.ts), which keeps it
 * for the tab once the server has accepted it and forgets it as soon as the server refuses
 * it (401/403), whichever request that was.
 */
import { clockMoment } from "../charts/clock-format.ts";
import { formatInUnit } from "../panels/units.ts";
import type { AdminTokenField } from "./admin-token-field.ts";
import { deleteDashboard, refusalOf } from "../dashboard/dashboard-api.ts";
import type { DirectoryListing, ListedDashboard } from "../../common/directory-listing.ts";

/** The section's parts, from index.html. */
export interface DirectoryElements {
  heading: HTMLElement;
  form: HTMLFormElement;
  search: HTMLInputElement;
  status: HTMLElement;
  tableBox: HTMLElement;
  rows: HTMLTableSectionElement;
  more: HTMLButtonElement;
  dialog: HTMLDialogElement;
  deleteForm: HTMLFormElement;
  deleteId: HTMLElement;
  deleteConfirm: HTMLInputElement;
  deleteError: HTMLElement;
  deleteCancel: HTMLButtonElement;
}

/** How long typing must pause before the search is sent, ms: one request per word, not per key. */
const searchPause = 300;
/** Dashboards per page: the API's default, said here so "More" means the same everywhere. */
const pageSize = 50;


function cell(content: string | Node, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.append(content);
  if (className) td.className = className;
  return td;
}

function timeOf(ms: number, precision: "minutes" | "seconds"): HTMLTimeElement {
  const time = document.createElement("time");
  time.dateTime = new Date(ms).toISOString();
  time.textContent = clockMoment(ms, precision);
  return time;
}

export class DirectoryList {
  /** The next page's cursor; null when the last page is shown. */
  #next: string | null = null;
  /** Counts listings started from the first page, so an older search's late answer is dropped. */
  #generation = 0;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** The dashboard the delete dialog is open for. */
  #deleting: string | undefined;

  constructor(
    private readonly parts: DirectoryElements,
    private readonly adminToken: AdminTokenField,
    /** Runs after the server confirmed deleting dashboard `id`. */
    private readonly onDeleted: (id: string) => void = () => {},
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {
    parts.form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(this.#searchTimer);
      void this.load(true);
    });
    parts.search.addEventListener("input", () => {
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => void this.load(true), searchPause);
    });
    parts.more.addEventListener("click", () => void this.load(false));
    parts.deleteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#confirmDelete();
    });
    parts.deleteCancel.addEventListener("click", () => parts.dialog.close());
    // A tab that was given an accepted token shows the list at once.
    if (adminToken.kept) void this.load(true);
  }

  /** Lists the first page (`fresh`) or the next one, for the search in the field. */
  async load(fresh: boolean): Promise<void> {
    const token = this.adminToken.value();
    if (token === undefined) return;
    const generation = fresh ? ++this.#generation : this.#generation;
    const query = new URLSearchParams({ limit: String(pageSize) });
    const q = this.parts.search.value.trim();
    if (q !== "") query.set("q", q);
    if (!fresh && this.#next !== null) query.set("cursor", this.#next);
    this.#status("Loading dashboards…");
    this.parts.more.disabled = true;
    let page: DirectoryListing;
    try {
      const response = await this.send(`/api/dashboards?${query}`, { headers: { authorization: `Bearer ${token}` } });
      if (generation !== this.#generation) return;
      if (!response.ok) return this.#refused(response, "The dashboards could not be listed");
      page = (await response.json()) as DirectoryListing;
    } catch (error) {
      if (generation === this.#generation) this.#status(`The dashboards could not be listed: ${(error as Error).message}`);
      return;
    } finally {
      this.parts.more.disabled = false;
    }
    if (generation !== this.#generation) return;
    this.adminToken.accepted(token);
    const rows = page.dashboards.map((dashboard) => this.#row(dashboard));
    if (fresh) this.parts.rows.replaceChildren(...rows);
    else this.parts.rows.append(...rows);
    this.#next = page.next;
    this.parts.more.hidden = page.next === null;
    this.#showCount();
  }

  #status(text: string): void {
    this.parts.status.textContent = text;
  }

  /** Says how many dashboards are shown, or that none are, and whether more follow. */
  #showCount(): void {
    const count = this.parts.rows.rows.length;
    const q = this.parts.search.value.trim();
    this.parts.tableBox.hidden = count === 0;
    if (count === 0) {
      this.#status(q === "" ? "No dashboards yet." : `No dashboard's id or title contains "${q}".`);
      return;
    }
    const shown = `${count} dashboard${count === 1 ? "" : "s"} shown`;
    this.#status(this.#next === null ? `${shown}.` : `${shown}; More shows the next ${pageSize}.`);
  }

  /**
   * Says why a request failed, in `where` (the status line unless given). A refused token is
   * forgotten and the list hidden: what it showed was the admin's.
   */
  async #refused(response: Response, what: string, where?: HTMLElement): Promise<void> {
    const message = await refusalOf(response);
    if (response.status === 401 || response.status === 403) {
      this.parts.rows.replaceChildren();
      this.parts.tableBox.hidden = true;
      this.parts.more.hidden = true;
      this.#next = null;
      this.#status("");
      if (this.parts.dialog.open) this.parts.dialog.close();
      this.adminToken.refused(message);
      return;
    }
    const text = `${what}: ${message}.`;
    if (where) where.textContent = text;
    else this.#status(text);
  }

  #row(dashboard: ListedDashboard): HTMLTableRowElement {
    const row = document.createElement("tr");
    row.dataset.dashboardId = dashboard.id;
    const link = document.createElement("a");
    link.href = `/d/${encodeURIComponent(dashboard.id)}`;
    link.textContent = dashboard.id;
    const stats = dashboard.stats;
    // A dashboard that could not be asked this time still lists its entry: say so rather than 0.
    const unknown = () => cell("not known now", "directory-unknown");
    row.append(
      cell(link),
      cell(dashboard.title),
      cell(dashboard.private ? "private" : "public"),
      cell(timeOf(dashboard.createdAt, "minutes")),
      stats ? cell(stats.lastPointAt === null ? "none yet" : timeOf(stats.lastPointAt, "seconds")) : unknown(),
      stats ? cell(String(stats.viewers), "directory-number") : unknown(),
      stats ? cell(String(stats.series), "directory-number") : unknown(),
      stats ? cell(formatInUnit(stats.storageBytes, "bytes"), "directory-number") : unknown(),
      cell(this.#actions(dashboard.id), "directory-actions"),
    );
    return row;
  }

  #actions(id: string): DocumentFragment {
    const exportButton = document.createElement("button");
    exportButton.type = "button";
    exportButton.textContent = "Export";
    exportButton.setAttribute("aria-label", `Export the definition of ${id}`);
    exportButton.addEventListener("click", () => void this.#export(id));
    const deleteButton = document.createElement("button");
    deleteButton.type = "button";
    deleteButton.className = "danger";
    deleteButton.textContent = "Delete";
    deleteButton.setAttribute("aria-label", `Delete ${id}`);
    deleteButton.setAttribute("aria-haspopup", "dialog");
    deleteButton.addEventListener("click", () => this.#askDelete(id));
    const actions = document.createDocumentFragment();
    actions.append(exportButton, " ", deleteButton);
    return actions;
  }

  /** Downloads the definition of `id` as `<id>.pulseboard.json`, read with the admin token (private ones need it). */
  async #export(id: string): Promise<void> {
    const token = this.adminToken.value();
    if (token === undefined) return;
    try {
      const response = await this.send(`/api/dashboards/${encodeURIComponent(id)}/definition`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) return this.#refused(response, `The definition of ${id} could not be exported`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = `${id}.pulseboard.json`;
      link.click();
      // The download reads the blob after this task; revoking it at once can cancel it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.#status(`The definition of ${id} was downloaded as ${link.download}.`);
    } catch (error) {
      this.#status(`The definition of ${id} could not be exported: ${(error as Error).message}`);
    }
  }

  #askDelete(id: string): void {
    this.#deleting = id;
    this.parts.deleteId.textContent = id;
    this.parts.deleteConfirm.value = "";
    this.parts.deleteConfirm.removeAttribute("aria-invalid");
    this.parts.deleteError.textContent = "";
    this.parts.dialog.showModal();
    this.parts.deleteConfirm.focus();
  }

  /** Deletes the dashboard the dialog names once its id is typed; the row goes when the server confirms. */
  async #confirmDelete(): Promise<void> {
    const id = this.#deleting;
    if (id === undefined) return;
    if (this.parts.deleteConfirm.value.trim() !== id) {
      this.parts.deleteError.textContent = `Type ${id} exactly to delete it.`;
      this.parts.deleteConfirm.setAttribute("aria-invalid", "true");
      this.parts.deleteConfirm.focus();
      return;
    }
    const token = this.adminToken.value();
    if (token === undefined) return this.parts.dialog.close();
    const submit = this.parts.deleteForm.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (submit) submit.disabled = true;
    try {
      const refusal = await deleteDashboard(id, token, this.send);
      if (refusal) return this.#refused(refusal, `${id} was not deleted`, this.parts.deleteError);
    } catch (error) {
      this.parts.deleteError.textContent = `${id} was not deleted: ${(error as Error).message}`;
      return;
    } finally {
      if (submit) submit.disabled = false;
    }
    this.#deleting = undefined;
    this.parts.dialog.close();
    this.onDeleted(id);
    for (const row of this.parts.rows.querySelectorAll<HTMLElement>("tr")) if (row.dataset.dashboardId === id) row.remove();
    this.#showCount();
    this.#status(`Deleted ${id} with all its data. ${this.parts.status.textContent ?? ""}`);
    // The button that opened the dialog is gone with its row: the section's heading takes the focus.
    this.parts.heading.focus();
  }
}
