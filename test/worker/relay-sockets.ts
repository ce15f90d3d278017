import { env, runInDurableObject, SELF } from "cloudflare:test";
import { relayName } from "../../src/relay/relay-contract";
import type { Relay } from "../../src/relay/relay-object";
import { BASE } from "./api";

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

/** The audience dashboard `id` announces: its own viewers and every relay's. */
export async function audience(id: string): Promise<number> {
  return (await (await SELF.fetch(`${BASE}/api/dashboards/${id}`)).json<{ viewers: number }>()).viewers;
}

/** Waits until `check` holds, failing after `timeoutMs` naming `what`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
