import { env, runInDurableObject } from "cloudflare:test";
import { relayName } from "../../src/relay/relay-contract";
import type { Relay } from "../../src/relay/relay-object";

/** Relay `index` of dashboard `id`. */
export function relayOf(id: string, index: number): DurableObjectStub<Relay> {
  return env.RELAY.getByName(relayName({ dashboard: id, index })) as DurableObjectStub<Relay>;
}

/** Open sockets each of dashboard `id`'s first `count` relays holds. */
export function socketsOnRelays(id: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      runInDurableObject(relayOf(id, index), (_relay: Relay, state) => state.getWebSockets().filter((socket) => socket.readyState === WebSocket.OPEN).length),
    ),
  );
}
