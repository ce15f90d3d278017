import { seriesMatcher } from "../common/series-pattern";
import type { DashboardSettings } from "./dashboard-settings";
import type { DashboardStore } from "./dashboard-store";
import { historyOutcome, historySource, planHistory, readHistory, type HistoryOutcome, type HistoryRead } from "./history-query";
import { rollUp } from "./maintenance";
import { MAINTENANCE_SLICE_POINTS } from "./maintenance-schedule";

/**
 * A dashboard's history reads, over HTTP and sockets: planned within the limits on one
 * answer, read a slice per turn, and counted while under way, so maintenance can wait for
 * them (merging, rolling up or pruning would move rows under a read between two slices).
 */
export class HistoryReads {
  private underWay = 0;

  constructor(
    private readonly store: DashboardStore,
    private readonly settings: DashboardSettings,
  ) {}

  /** Whether a read is between two slices. */
  get busy(): boolean {
    return this.underWay > 0;
  }

  /** Reads to the end, one slice per turn, so that live frames and ingest go on while a long range is read. */
  async answer(patterns: string[], from: number, to: number, step?: number): Promise<HistoryOutcome> {
    const read = this.start(patterns, from, to, step);
    if (!("next" in read)) return read;
    for (;;) {
      const slice = read.next();
      if (slice.done) return historyOutcome(slice.value);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /**
   * Plans a history query within the limits on one answer (`planHistory`) and starts its
   * read. A range read from rollups first folds in one slice of the points not yet rolled up
   * (they lag by up to a minute) unless another read is under way; whatever is left is not in
   * this answer yet, and maintenance adds it within moments.
   */
  start(patterns: string[], from: number, to: number, step?: number): HistoryRead | HistoryOutcome {
    const rawSince = Date.now() - this.settings.rawRetentionMs;
    const series = this.store.matchingSeries(seriesMatcher(patterns));
    const plan = planHistory(step === undefined ? { series, from, to } : { series, from, to, step }, rawSince);
    if ("error" in plan) return { status: "invalid", field: plan.field, message: plan.error };
    if (!historySource(plan, rawSince).raw && !this.busy) rollUp(this.store, MAINTENANCE_SLICE_POINTS);
    return this.counted(readHistory(this.store, plan, rawSince));
  }

  /** A read counted as under way until it ends, however it ends. */
  private *counted(read: HistoryRead): HistoryRead {
    this.underWay++;
    try {
      return yield* read;
    } finally {
      this.underWay--;
    }
  }
}
