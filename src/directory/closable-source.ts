import type { SeriesInfo } from "../common/dashboard-info";
import type { SeriesPoints } from "../common/protocol";
import type { SeriesMatcher } from "../common/series-pattern";
import type { PointRun, StreamPositions, StreamSource } from "../dashboard/stream-source";

/**
 * A dashboard's store as one live stream sees it, until the dashboard is deleted: from then
 * on, as a dashboard that does not exist. A deletion leaves the object's instance running
 * (resetting it would fail the calls under way), so the stream of the deleted dashboard is
 * replaced, and this keeps its timers (a frame due, a snapshot being sent) from reading or
 * writing the storage a dashboard created again under the same id will have.
 */
export class ClosableSource implements StreamSource {
  private open = true;

  constructor(private readonly source: StreamSource) {}

  /** The dashboard was deleted: nothing is read or written through this any more. */
  close(): void {
    this.open = false;
  }

  positions(): StreamPositions | null {
    return this.open ? this.source.positions() : null;
  }

  markBroadcast(seq: number): void {
    if (this.open) this.source.markBroadcast(seq);
  }

  seriesCount(): number {
    return this.open ? this.source.seriesCount() : 0;
  }

  listSeries(): SeriesInfo[] {
    return this.open ? this.source.listSeries() : [];
  }

  recent(perSeries: number, through: number, series: readonly SeriesInfo[]): SeriesPoints[] {
    return this.open ? this.source.recent(perSeries, through, series) : [];
  }

  /** Closed: an empty run to `through`, so that a reader going on to it stops. */
  range(after: number, through: number, limit: number, matcher: SeriesMatcher): PointRun & { count: number } {
    return this.open ? this.source.range(after, through, limit, matcher) : { from: after + 1, to: Math.max(after, through), series: [], count: 0 };
  }
}
