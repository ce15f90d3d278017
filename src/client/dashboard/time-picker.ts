/**
 * The custom range dialog: the header's "Custom range…" button opens it with a day (the
 * browser's calendar, `<input type="date">`) and a time typed on the page's 24-hour clock for
 * each end, in the browser's time zone, which it names. Apply checks the fields
 * (absolute-range.ts), shows what is wrong at the field, and hands a valid range to the page;
 * while that range is shown the button reads it, on the page's clock.
 */
import { absoluteRangeText, checkAbsoluteRange, dateFieldValue, timeFieldValue, timeZoneName, type RangeField } from "./absolute-range.ts";
import type { Zoom } from "./time-window.ts";

/** The dialog's parts, from dashboard.html. */
export interface TimePickerElements {
  /** The header's button: a calendar, and the absolute range while one is shown. */
  open: HTMLButtonElement;
  /** The button's text: "Custom range…" for screen readers only, or the range shown. */
  label: HTMLElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  /** Says which time zone the fields are in. */
  zone: HTMLElement;
  fromDate: HTMLInputElement;
  fromTime: HTMLInputElement;
  toDate: HTMLInputElement;
  toTime: HTMLInputElement;
  /** What is wrong with the start, under its fields. */
  fromError: HTMLElement;
  /** What is wrong with the end, under its fields. */
  toError: HTMLElement;
  cancel: HTMLButtonElement;
}

export class TimePicker {
  readonly #parts: TimePickerElements;
  readonly #fields: Record<RangeField, HTMLInputElement>;
  /** The absolute range shown, if any: the dialog opens on it. */
  #shownRange: Zoom | undefined;

  constructor(
    parts: TimePickerElements,
    /** The span the charts show now, ms: the dialog opens on it when no absolute range is shown. */
    private readonly shown: () => { from: number; to: number },
    /** Shows a valid range picked. */
    private readonly onApply: (range: Zoom) => void,
  ) {
    this.#parts = parts;
    this.#fields = { fromDate: parts.fromDate, fromTime: parts.fromTime, toDate: parts.toDate, toTime: parts.toTime };
    parts.open.addEventListener("click", () => this.open());
    parts.cancel.addEventListener("click", () => parts.dialog.close());
    parts.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#apply();
    });
    this.show(undefined);
    parts.open.hidden = false;
  }

  /**
   * Makes the button read `range` (the absolute range shown) beside its calendar, or only show
   * the calendar without one (a header with room for the title), named "Custom range…".
   */
  show(range: Zoom | undefined): void {
    this.#shownRange = range;
    const button = this.#parts.open;
    const name = document.createElement("span");
    name.className = "visually-hidden";
    if (range === undefined) {
      name.textContent = "Custom range…";
      this.#parts.label.replaceChildren(name);
      delete button.dataset.from;
      delete button.dataset.to;
      return;
    }
    // The visible range is the name's end, so a screen reader and a voice command both find it.
    name.textContent = "Custom range: ";
    this.#parts.label.replaceChildren(name, absoluteRangeText(range));
    button.dataset.from = String(range.min);
    button.dataset.to = String(range.max);
  }

  /** Opens the dialog on the range shown, its fields filled, and the focus on the first. */
  open(): void {
    const { from, to } = this.#shownRange ? { from: this.#shownRange.min, to: this.#shownRange.max } : this.shown();
    this.#parts.zone.textContent = `Times are in ${timeZoneName()}, on the 24-hour clock.`;
    this.#parts.fromDate.value = dateFieldValue(from);
    this.#parts.fromTime.value = timeFieldValue(from);
    this.#parts.toDate.value = dateFieldValue(to);
    this.#parts.toTime.value = timeFieldValue(to);
    this.#showErrors({});
    this.#parts.dialog.showModal();
    this.#parts.fromDate.focus();
  }

  #apply(): void {
    const check = checkAbsoluteRange({
      fromDate: this.#parts.fromDate.value,
      fromTime: this.#parts.fromTime.value,
      toDate: this.#parts.toDate.value,
      toTime: this.#parts.toTime.value,
    });
    if (!check.ok) {
      this.#showErrors(check.errors);
      const first = (Object.keys(this.#fields) as RangeField[]).find((field) => check.errors[field] !== undefined);
      if (first) this.#fields[first].focus();
      return;
    }
    this.#parts.dialog.close();
    this.onApply(check.range);
  }

  /** Marks the fields named in `errors` invalid and writes their messages under their end. */
  #showErrors(errors: Partial<Record<RangeField, string>>): void {
    for (const [field, input] of Object.entries(this.#fields) as [RangeField, HTMLInputElement][]) {
      if (errors[field] === undefined) input.removeAttribute("aria-invalid");
      else input.setAttribute("aria-invalid", "true");
    }
    const sentence = (...messages: (string | undefined)[]) => {
      const text = messages.filter((m) => m !== undefined).join("; ");
      return text === "" ? "" : `${text[0]!.toUpperCase()}${text.slice(1)}.`;
    };
    this.#parts.fromError.textContent = sentence(errors.fromDate, errors.fromTime);
    this.#parts.toError.textContent = sentence(errors.toDate, errors.toTime);
  }
}
