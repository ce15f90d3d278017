import type { DashboardSettings } from "./dashboard-settings";
import type { DashboardStore } from "./dashboard-store";
import type { IdempotencyStore } from "./idempotency-store";
import type { AnnotationStore } from "./annotation-store";
import { nextMaintenance, prune, PRUNE_SLICE_ROWS, rollUp, type MaintenanceReport } from "./maintenance";

/** New points are rolled up and merged at most this long after they arrive. */
export const MAINTENANCE_DELAY_MS = 60_000;
/** A maintenance pass due while a history read is under way runs this much later instead. */
const HISTORY_READ_WAIT_MS = 1_000;
/**
 * Most points one maintenance pass rolls up and merges (about 0.1 s of the object's time
 * for one-point requests); a busier minute takes several passes, with frames going out
 * between them.
 */
export const MAINTENANCE_SLICE_POINTS = 10_000;

const NOTHING_DONE = { rolledUp: 0, pending: 0, prunedPoints: 0, prunedRollups: 0, prunedSeries: 0 };

/**
 * When a dashboard's maintenance runs, on the object's one alarm: within a minute of new
 * points, at once while a pass leaves work behind, at the next expiry of old rows otherwise,
 * and never left unarmed, whatever a pass does.
 */
export class MaintenanceSchedule {
  /**
   * When the alarm is set for, as this instance last set or read it (`null`: none), so that
   * ingest need not ask storage each time; `undefined` until known.
   */
  private alarmAt: number | null | undefined;
  /** A read of the alarm under way, so a burst of requests makes one. */
  private alarmCheck: Promise<void> | null = null;

  /** `readsUnderWay` says whether a history read is between two slices (see `HistoryRead`). */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: DashboardStore,
    private readonly idempotency: IdempotencyStore,
    private readonly annotations: AnnotationStore,
    private readonly settings: DashboardSettings,
    private readonly readsUnderWay: () => boolean,
  ) {}

  /**
   * Runs a maintenance pass and always leaves the next one armed. A handler that throws is
   * retried by the runtime only a few times, with backoff, and then dropped
   * (https://developers.cloudflare.com/durable-objects/api/alarms/), which would stop
   * maintenance for good; so a failed pass is logged and re-armed here, and the handler returns.
   */
  async alarm(): Promise<void> {
    try {
      this.maintain(Date.now());
    } catch (err) {
      console.error("maintenance pass failed; retrying in a minute", err);
      this.alarmAt = Date.now() + MAINTENANCE_DELAY_MS;
      await this.storage.setAlarm(this.alarmAt);
    }
  }

  /**
   * Rolls up and merges a slice of new points, then prunes a slice of what retention no
   * longer keeps; schedules the next pass (at once while work is left). Pruning does not wait
   * for the roll-up to catch up: under sustained ingest points are always pending, and only
   * rows already rolled up are deleted anyway. Waits while a history read is under way:
   * merging, rolling up or pruning would move rows under it. What the alarm runs, at a given time.
   */
  maintain(now: number): MaintenanceReport {
    if (!this.store.meta()) return { ...NOTHING_DONE, more: false };
    if (this.readsUnderWay()) {
      this.arm(now + HISTORY_READ_WAIT_MS);
      return { ...NOTHING_DONE, more: true };
    }
    const rolledUp = rollUp(this.store, MAINTENANCE_SLICE_POINTS);
    const meta = this.store.meta()!;
    const pending = meta.seq - meta.rollupSeq;
    const { more: morePruning, ...pruned } = prune(this.store, now, this.settings, PRUNE_SLICE_ROWS);
    const moreKeys = this.idempotency.prune(now, PRUNE_SLICE_ROWS) >= PRUNE_SLICE_ROWS;
    // Annotations are kept as long as the rollups they are drawn over.
    const moreNotes = this.annotations.prune(now - this.settings.rollupRetentionMs, PRUNE_SLICE_ROWS) >= PRUNE_SLICE_ROWS;
    const more = pending > 0 || morePruning || moreKeys || moreNotes;
    let next: number | null = now;
    if (!more) {
      const dataDue = nextMaintenance(this.store, now, this.settings);
      const keysDue = this.idempotency.nextExpiry();
      next = dataDue === null ? keysDue : keysDue === null ? dataDue : Math.min(dataDue, Math.max(keysDue, now + 1000));
    }
    this.arm(next);
    return { rolledUp, pending, ...pruned, more };
  }

  /**
   * Makes sure maintenance runs within a minute of new points (or keys): an alarm set further
   * out, for the expiry of old rows, is brought forward.
   */
  soon(): void {
    const within = (at: number | null | undefined): at is number => typeof at === "number" && at <= Date.now() + MAINTENANCE_DELAY_MS;
    // A time already past proves nothing: that alarm may have run, or run out of retries and
    // been dropped by the runtime; storage says whether one is still set.
    if ((within(this.alarmAt) && this.alarmAt >= Date.now()) || this.alarmCheck) return;
    this.alarmCheck = this.storage
      .getAlarm()
      .then(async (at) => {
        if (within(at)) {
          this.alarmAt = at;
          return;
        }
        const due = Date.now() + MAINTENANCE_DELAY_MS;
        await this.storage.setAlarm(due);
        this.alarmAt = due;
      })
      .finally(() => (this.alarmCheck = null));
  }

  /** Sets the alarm for `at` (`null`: none). */
  private arm(at: number | null): void {
    this.alarmAt = at;
    if (at === null) void this.storage.deleteAlarm();
    else void this.storage.setAlarm(at);
  }
}
