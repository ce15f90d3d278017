import { CloseCode, type ServerMessage } from "../common/protocol";

/**
 * Sends one serialised message to many sockets (serialised once by the caller, whatever the
 * number of sockets); a socket whose `send` throws is closed and skipped, so one broken
 * viewer never stops the others from receiving. Returns how many sockets took it.
 */
export function broadcastText(sockets: Iterable<WebSocket>, text: string): number {
  let delivered = 0;
  for (const socket of sockets) {
    if (sendText(socket, text)) delivered++;
  }
  return delivered;
}

/** Sends to one socket; on failure closes it and returns false instead of throwing. */
export function send(socket: WebSocket, message: ServerMessage): boolean {
  return sendText(socket, JSON.stringify(message));
}

/** {@link send} for an already serialised message. */
export function sendText(socket: WebSocket, text: string): boolean {
  try {
    socket.send(text);
    return true;
  } catch {
    closeQuietly(socket, CloseCode.sendFailed, "send failed");
    return false;
  }
}

/**
 * Closes a socket without throwing. Codes 1005, 1006 and 1015 are reserved for reporting
 * (RFC 6455 §7.4.1) and may not be sent, so a peer's reserved code is answered with 1000.
 */
export function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  const sendable = code === 1005 || code === 1006 || code === 1015 ? CloseCode.normal : code;
  try {
    socket.close(sendable, reason);
  } catch {
    // Already closed or closing: nothing left to do.
  }
}
