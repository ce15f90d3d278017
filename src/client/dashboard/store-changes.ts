/**
 * Who else hears what each frame changed in the page's series store, besides the grid: the
 * editor's preview, while it is shown. With nobody listening (the editor closed) a frame
 * costs one check of an empty set.
 */
import type { StoreChange } from "./series-store.ts";

export class StoreChanges {
  #listeners = new Set<(change: StoreChange) => void>();

  /** Calls `listener` with every change from now on; returns how to stop. */
  listen(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Passes `change` on to every listener; returns it, so a call can wrap the store's. */
  emit(change: StoreChange): StoreChange {
    for (const listener of this.#listeners) listener(change);
    return change;
  }
}
