/**
 * The header's "updated 3 s ago": how old the newest data the page received is, so a chart
 * that stopped moving reads as "nothing new arrived" rather than "all is calm". It counts from
 * the last data frame (snapshot, points or resume), not from heartbeats, which prove only that
 * the socket is alive.
 */

/** How the age reads, e.g. `updated just now`, `updated 12 s ago`, `updated 3 min ago`. */
export function stalenessText(ageMs: number): string {
  const seconds = Math.max(0, Math.floor(ageMs / 1000));
  if (seconds < 1) return "updated just now";
  if (seconds < 60) return `updated ${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `updated ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `updated ${hours} h ago`;
  return `updated ${Math.floor(hours / 24)} d ago`;
}

export class StalenessLabel {
  #element: HTMLElement;
  #updatedAt: number | undefined;

  constructor(element: HTMLElement) {
    this.#element = element;
    this.#element.textContent = "waiting for data";
    // Once a second is the resolution the text shows; a coarser tick would make it jump.
    setInterval(() => this.#render(), 1000);
  }

  /** Data arrived now. */
  markUpdated(now = Date.now()): void {
    this.#updatedAt = now;
    this.#element.dataset.updatedAt = String(now);
    this.#render();
  }

  #render(): void {
    if (this.#updatedAt === undefined) return;
    this.#element.textContent = stalenessText(Date.now() - this.#updatedAt);
  }
}
