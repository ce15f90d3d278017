/**
 * Turns a text frame from the viewer WebSocket into a `ServerMessage`. The server is trusted
 * to send the shapes in protocol.ts; this only refuses what is not a message at all, so a
 * newer server's unknown message types are ignored rather than breaking the page.
 */
import type { ServerMessage } from "../../common/protocol.ts";

/** Every message type; a Record so that a type added to the protocol fails to compile here. */
const knownTypes: Record<ServerMessage["type"], true> = {
  hello: true,
  config: true,
  snapshot: true,
  points: true,
  resumed: true,
  subscribed: true,
  history: true,
  viewers: true,
  annotations: true,
  error: true,
};

/** Returns the message, or `undefined` for anything that is not a known message. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" && Object.hasOwn(knownTypes, type) ? (value as ServerMessage) : undefined;
}
