/**
 * How the load generator reads what a viewer socket receives: Pulseboard's frames, or the
 * peers' broadcasts (each the body of one request). Each message is parsed once, as JSON,
 * and its points booked in the ledger; nothing else is kept.
 */
import type { ServerMessage } from "../../src/shared/protocol.ts";
import type { DeliveryLedger } from "./delivery-ledger.ts";

export type ViewerProtocol = "pulseboard" | "broadcast";

/** Where the `type` value starts in `{"type":"...`, as the server serialises every message. */
const TYPE_AT = '{"type":"'.length;
const LETTER_V = "v".charCodeAt(0);

/**
 * Books one message for `viewer`, received at `at`; true when it makes the viewer ready (a
 * Pulseboard viewer is ready once its snapshot has set its position; a peer's on open).
 */
export function readMessage(protocol: ViewerProtocol, ledger: DeliveryLedger, viewer: number, data: Buffer, at: number): boolean {
  if (protocol === "broadcast") {
    const points = JSON.parse(data.toString()) as { value: number }[];
    ledger.frame(viewer);
    for (const point of points) ledger.point(viewer, point.value, at);
    return false;
  }
  // `{"type":"viewers","count":n}` goes to every viewer whenever one joins: skip it unparsed.
  if (data[TYPE_AT] === LETTER_V && data.toString("latin1", 0, TYPE_AT + 8) === '{"type":"viewers"') return false;
  const message = JSON.parse(data.toString()) as ServerMessage;
  if (message.type === "snapshot") {
    ledger.startAt(viewer, message.seq);
    return true;
  }
  if (message.type === "points") {
    ledger.frame(viewer, message.from, message.to);
    for (const series of message.series) for (const value of series.values) ledger.point(viewer, value, at);
  }
  return false;
}
