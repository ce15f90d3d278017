// The fan-out room built on partyserver, as its README shows: a `Server` whose HTTP POST body
// is broadcast to every connection. Peer of Pulseboard in bench/fanout, on the same runtime.
import { routePartykitRequest, Server } from "partyserver";

export class FanoutRoom extends Server {
  // Hibernation (sockets held by the runtime through `ctx.acceptWebSocket`), as partyserver's
  // README offers and as Pulseboard's dashboards use: the platform's 32,768 sockets per object
  // are hibernatable sockets.
  static override options = { hibernate: true };

  override async onRequest(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("POST a body to broadcast it", { status: 405 });
    this.broadcast(await request.text());
    return new Response(null, { status: 204 });
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // The benchmark's dev-server helper waits for /healthz before it starts.
    if (new URL(request.url).pathname === "/healthz") return new Response("ok");
    return (await routePartykitRequest(request, env)) ?? new Response("Not Found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
