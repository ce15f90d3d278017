// The ingest ceiling: the real Worker (routing, auth, decoding, validation, the RPC to the
// dashboard's object), with an object that confirms the dashboard exists and then discards
// the points instead of storing and broadcasting them. Used only by bench/ingest-throughput.ts.
import { Dashboard } from "../../src/dashboard/dashboard-object";
import { pointCount, type IngestAnswer, type IngestRequest } from "../../src/dashboard/ingest-contract";
import { app } from "../../src/worker/app";

export class DiscardingDashboard extends Dashboard {
  override ingest(request: IngestRequest): IngestAnswer {
    const answer = this.describe() ? { status: "stored" as const } : { status: "not_found" as const };
    if (answer.status === "not_found") return answer;
    return { status: "stored", accepted: pointCount(request.series), seq: null, rejected: request.rejected, total: request.total, replayed: false };
  }
}

export default app;
