// The floor under a message flood: the real Worker and dashboard object, except that the
// object ignores every message a viewer sends. What a flood costs here is what carrying the
// messages into the object costs the runtime (and the machine the flood is sent from), which
// no code in the object can save. ClosingDashboard closes the socket at its first message
// instead (as the real object closes an abuser) and ignores the rest: what closing a socket
// with thousands of messages still in flight costs. Used only by bench/socket-floods.ts.
import { Dashboard } from "../../src/dashboard/dashboard-object";
import { app } from "../../src/worker/app";

export class IgnoringDashboard extends Dashboard {
  override webSocketMessage(): void {}
}

export class ClosingDashboard extends Dashboard {
  override webSocketMessage(socket: WebSocket): void {
    if (socket.readyState === WebSocket.OPEN) socket.close(4529, "closed at the first message");
  }
}

/** Ignores every message and closes the socket (4529) a second after its first one. */
export class LateClosingDashboard extends Dashboard {
  private readonly condemned = new WeakSet<WebSocket>();
  override webSocketMessage(socket: WebSocket): void {
    if (this.condemned.has(socket)) return;
    this.condemned.add(socket);
    setTimeout(() => {
      if (socket.readyState === WebSocket.OPEN) socket.close(4529, "closed a second after the first message");
    }, 1000);
  }
}

export default app;
