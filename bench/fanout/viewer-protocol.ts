/**
 * How the load generator reads what a viewer socket receives: Pulseboard's frames, parsed
 * as JSON once per distinct frame, or the peers' broadcasts, each the body of one request as it was sent, read
 * without parsing. Points are booked in the ledger; nothing else is kept.
 */
import type { ServerMessage } from "../../src/common/protocol.ts";
import type { DeliveryLedger } from "./delivery-ledger.ts";

export type ViewerProtocol = "pulseboard" | "broadcast";

/** Where the `type` value starts in `{"type":"...`, as the server serialises every message. */
const TYPE_AT = '{"type":"'.length;
const LETTER_V = "v".charCodeAt(0);
/** Every point of a request carries the request's index as its value; the first one names it. */
const VALUE_KEY = Buffer.from('"value":');
const DIGIT_0 = "0".charCodeAt(0);
const MINUS = "-".charCodeAt(0);

/**
 * Books one message for `viewer`, received at `at`; true when it makes the viewer ready (a
 * Pulseboard viewer is ready once its snapshot has set its position; a peer's on open).
 */
export function readMessage(protocol: ViewerProtocol, ledger: DeliveryLedger, viewer: number, data: Buffer, at: number): boolean {
  if (protocol === "broadcast") {
    readBroadcast(ledger, viewer, data, at);
    return false;
  }
  // `{"type":"viewers","count":n}` goes to every viewer whenever one joins: skip it unparsed.
  if (data[TYPE_AT] === LETTER_V && data.toString("latin1", 0, TYPE_AT + 8) === '{"type":"viewers"') return false;
  const message = parseFrame(data);
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

/**
 * Every viewer of a run receives the same frames, one after another: a frame equal byte for
 * byte to the one parsed last is that one again, so 1,000 viewers cost one JSON parse and
 * 1,000 comparisons instead of 1,000 parses (the client must not be the bottleneck).
 */
let lastFrame: { data: Buffer; message: ServerMessage } | null = null;

function parseFrame(data: Buffer): ServerMessage {
  if (lastFrame !== null && lastFrame.data.equals(data)) return lastFrame.message;
  const message = JSON.parse(data.toString()) as ServerMessage;
  lastFrame = { data, message };
  return message;
}

/**
 * A peer's message is one request's body, forwarded as is: the first point's value names the
 * request and a length equal to the body's proves it whole, so the message brings that
 * request's points. (Parsing 200,000 of these a second as JSON would make this process, not
 * the server, the bottleneck of the firehose.) Anything else is parsed as JSON and booked
 * point by point, so a server that altered what it was sent is still counted honestly.
 */
function readBroadcast(ledger: DeliveryLedger, viewer: number, data: Buffer, at: number): void {
  ledger.frame(viewer);
  const post = firstValue(data);
  if (ledger.known(post) && data.length === ledger.postBytes[post]) {
    for (let i = 0; i < ledger.pointsPerPost; i++) ledger.point(viewer, post, at);
    return;
  }
  if (post === -1) return;
  const points = JSON.parse(data.toString()) as { value: number }[];
  for (const point of points) ledger.point(viewer, point.value, at);
}

/** The integer after the first `"value":`, or NaN. */
function firstValue(data: Buffer): number {
  let i = data.indexOf(VALUE_KEY);
  if (i < 0) return NaN;
  i += VALUE_KEY.length;
  const negative = data[i] === MINUS;
  if (negative) i++;
  let value = 0;
  let digits = 0;
  for (; i < data.length; i++, digits++) {
    const digit = data[i]! - DIGIT_0;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return digits === 0 ? NaN : negative ? -value : value;
}
