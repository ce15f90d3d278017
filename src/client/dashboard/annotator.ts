/**
 * Adding and removing annotations from the page: the header's Annotate button opens a dialog
 * with the text, the time (now unless one is written, on the page's 24-hour clock in the
 * browser's time zone: a native date-time field would follow the locale's clock) and the
 * dashboard's token (kept per tab, as the editor keeps it), and lists the annotations of the
 * span shown, each with a Remove button. The server tells every open page (`annotations`
 * message), this one included, so the list and the charts follow from the feed.
 */
import type { Annotation } from "../../common/protocol.ts";
import { limits } from "../../common/limits.ts";
import { forgetEditToken, storeEditToken, storedEditToken } from "../editor/edit-token.ts";
import type { AnnotationFeed } from "./annotation-feed.ts";
import { refusalOf } from "./dashboard-api.ts";
import { clockMoment } from "../charts/clock-format.ts";

/** The dialog's parts, from dashboard.html. */
export interface AnnotatorElements {
  open: HTMLButtonElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  text: HTMLTextAreaElement;
  time: HTMLInputElement;
  token: HTMLInputElement;
  error: HTMLElement;
  list: HTMLUListElement;
  close: HTMLButtonElement;
}

export class Annotator {
  #busy = false;

  constructor(
    private readonly parts: AnnotatorElements,
    private readonly dashboardId: string,
    private readonly feed: AnnotationFeed,
    /** The span the charts show now, ms. */
    private readonly shown: () => { from: number; to: number },
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {
    parts.text.maxLength = limits.maxAnnotationText;
    parts.open.hidden = false;
    parts.open.addEventListener("click", () => this.open());
    parts.close.addEventListener("click", () => parts.dialog.close());
    parts.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.add();
    });
    feed.onChange(() => {
      if (parts.dialog.open) this.#render();
    });
  }

  open(): void {
    this.parts.error.textContent = "";
    this.parts.token.value = storedEditToken(this.dashboardId) ?? "";
    this.#render();
    this.parts.dialog.showModal();
    this.parts.text.focus();
  }

  /** Sends the annotation in the dialog; the feed shows it once the server announces it. */
  async add(): Promise<void> {
    if (this.#busy) return;
    const text = this.parts.text.value.trim();
    if (text === "") return this.#fail("write what happened", this.parts.text);
    const token = this.parts.token.value.trim();
    if (token === "") return this.#fail("the dashboard's token is needed to annotate it", this.parts.token);
    const ts = parseLocalTime(this.parts.time.value);
    if (ts === null) return this.#fail("write the time as YYYY-MM-DD HH:MM:SS (24-hour), or leave it empty for now", this.parts.time);
    this.#busy = true;
    try {
      const response = await this.send(`/api/dashboards/${encodeURIComponent(this.dashboardId)}/annotations`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(ts === undefined ? { text } : { text, ts }),
      });
      if (!response.ok) return this.#refused(response);
      storeEditToken(this.dashboardId, token);
      this.parts.text.value = "";
      this.parts.time.value = "";
      this.parts.error.textContent = "";
      this.parts.text.focus();
    } catch (err) {
      this.#fail(`the annotation was not sent: ${(err as Error).message}`);
    } finally {
      this.#busy = false;
    }
  }

  async remove(annotation: Annotation): Promise<void> {
    const token = this.parts.token.value.trim();
    if (token === "") return this.#fail("the dashboard's token is needed to remove an annotation", this.parts.token);
    try {
      const response = await this.send(`/api/dashboards/${encodeURIComponent(this.dashboardId)}/annotations/${annotation.id}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${token}` },
      });
      // Gone already (another page removed it) is what was asked.
      if (!response.ok && response.status !== 404) return this.#refused(response);
      storeEditToken(this.dashboardId, token);
    } catch (err) {
      this.#fail(`the annotation was not removed: ${(err as Error).message}`);
    }
  }

  async #refused(response: Response): Promise<void> {
    const message = await refusalOf(response);
    if (response.status === 401 || response.status === 403) {
      forgetEditToken(this.dashboardId);
      return this.#fail(message, this.parts.token);
    }
    this.#fail(message);
  }

  #fail(message: string, field?: HTMLElement): void {
    this.parts.error.textContent = message;
    field?.focus();
  }

  /** Lists the annotations of the span shown, newest first. */
  #render(): void {
    const { from, to } = this.shown();
    const items = this.feed
      .within(from, to)
      .reverse()
      .map((annotation) => {
        const item = document.createElement("li");
        item.dataset.annotation = String(annotation.id);
        const when = document.createElement("time");
        when.dateTime = new Date(annotation.ts).toISOString();
        when.textContent = clockMoment(annotation.ts);
        const text = document.createElement("span");
        text.textContent = annotation.text;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", `Remove the annotation "${annotation.text}"`);
        remove.addEventListener("click", () => void this.remove(annotation));
        item.append(when, " ", text, " ", remove);
        return item;
      });
    if (items.length === 0) {
      const none = document.createElement("li");
      none.className = "annotation-none";
      none.textContent = "No annotation in the span shown.";
      items.push(none);
    }
    this.parts.list.replaceChildren(...items);
  }
}

/**
 * A time written `YYYY-MM-DD HH:MM[:SS]` (or with a `T`), in the browser's time zone: ms since
 * the epoch; `undefined` for an empty field (now); `null` for anything else, or a date that
 * does not exist (February 30th).
 */
export function parseLocalTime(text: string): number | undefined | null {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hour, minute, second);
  const same = date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day && date.getHours() === hour && date.getMinutes() === minute;
  return same ? date.getTime() : null;
}
