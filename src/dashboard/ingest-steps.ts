import { limits } from "../common/limits";
import type { DashboardSettings } from "./dashboard-settings";
import type { DashboardStore } from "./dashboard-store";
import type { IdempotencyStore } from "./idempotency-store";
import { pointCount, type IngestAnswer, type IngestRequest } from "./ingest-contract";
import { allRejections, refusedSeriesBits, rejectionDigest, replayAnswer, storeRejections } from "./ingest-replay";
import { TokenBucket } from "./rate-limiter";
import type { PointRun } from "./stream-source";
import { admitSeries } from "./series-cap";

/**
 * A write to a dashboard once its caller is known to be allowed: the answer remembered for
 * its `Idempotency-Key`, the ingest rate limits, the series cap, the points stored, and the
 * record a retry is answered from.
 */
export class IngestSteps {
  /** Ingest rate limits of this dashboard (its token): requests and points per second. */
  private readonly requestRate: TokenBucket;
  private readonly pointRate: TokenBucket;

  /** `stored` hears of every batch stored; `written` of every write that leaves something for maintenance. */
  constructor(
    private readonly store: DashboardStore,
    private readonly idempotency: IdempotencyStore,
    settings: DashboardSettings,
    private readonly stored: (batch: PointRun) => void,
    private readonly written: () => void,
  ) {
    // Two seconds' worth of burst: a sensor catching up after a short outage is not refused.
    this.requestRate = new TokenBucket(settings.requestsPerSecond, 2 * settings.requestsPerSecond, Date.now());
    this.pointRate = new TokenBucket(settings.pointsPerSecond, 2 * settings.pointsPerSecond, Date.now());
  }

  /**
   * Stores the points; viewers get them in the next frame. The answer is final: a retry with
   * the same `Idempotency-Key` gets it again, storing nothing.
   */
  run(request: IngestRequest, now: number): IngestAnswer {
    if (request.idempotency) {
      const earlier = this.idempotency.lookup(request.idempotency.key, now);
      if (earlier && earlier.bodyHash !== request.idempotency.bodyHash) return { status: "idempotency_mismatch" };
      if (earlier) return replayAnswer(earlier, request, limits.maxSeriesPerDashboard);
    }
    // Every item counts, stored or refused: refusing costs the object work and answer bytes too.
    const items = Math.max(request.total, pointCount(request.series) + request.rejected.length);
    const wait = Math.max(this.requestRate.wait(1, now), this.pointRate.wait(items, now));
    if (wait > 0) return { status: "rate_limited", cause: "ingest_rate", retryAfterSeconds: Math.ceil(wait) };
    this.requestRate.take(1, now);
    this.pointRate.take(items, now);

    const { admitted, rejected } = admitSeries(request.series, request.unit, (key) => this.store.hasSeries(key), this.store.seriesCount(), limits.maxSeriesPerDashboard);
    let seq: { from: number; to: number } | null = null;
    let replaced = 0;
    let refusedPoints: Uint32Array | null = null;
    if (admitted.length > 0) {
      const stored = this.store.append(admitted);
      replaced = stored.replaced;
      if (stored.refused.length > 0) refusedPoints = Uint32Array.from(stored.refused.flatMap((point) => [point.batch, point.index]));
      if (stored.run) {
        seq = { from: stored.run.from, to: stored.run.to };
        this.stored(stored.run);
        this.written();
      }
    }
    const refusedHere = storeRejections(request.unit, admitted, refusedPoints);
    const all = allRejections(request.rejected, [...rejected, ...refusedHere]);
    const accepted = pointCount(admitted) - refusedHere.length;
    // Written in the same event as the points, so both are committed together. Only what a
    // replay cannot rebuild from the retried body is kept (see ingest-replay.ts).
    if (request.idempotency) {
      const record = { accepted, seq, total: request.total, rejectedDigest: rejectionDigest(all), refusedSeries: refusedSeriesBits(request.series, admitted), replaced, refusedPoints };
      this.idempotency.remember(request.idempotency.key, request.idempotency.bodyHash, record, now);
      this.written();
    }
    const answer: IngestAnswer = { status: "stored", accepted, seq, rejected: all, total: request.total, replayed: false };
    return replaced > 0 ? { ...answer, replaced } : answer;
  }
}
