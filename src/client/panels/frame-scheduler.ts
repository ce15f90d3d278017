/**
 * Coalesces redraws into one per animation frame: any number of frames from the socket
 * mark work, and a single requestAnimationFrame callback runs it (uPlot's advice: call
 * `setData` at most once per frame). In a hidden tab the callback waits until it is shown.
 */
export class FrameScheduler {
  #pending = false;
  #run: () => void;

  constructor(run: () => void) {
    this.#run = run;
  }

  /** Asks for `run` to be called before the next paint; repeated calls in a frame are free. */
  request(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.#run();
    });
  }
}
