// The fan-out server many teams write by hand: a Node HTTP server whose POST body is sent, as
// it came, to every WebSocket client. No coalescing, no sequence numbers, no backpressure.
// Peer of Pulseboard in bench/fanout. Usage: node bench/peers/ws-server.ts <port>
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: node bench/peers/ws-server.ts <port>");

const server = createServer((request, response) => {
  if (request.method !== "POST") {
    response.writeHead(405).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);
    for (const client of viewers.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(body, { binary: false });
    }
    response.writeHead(204).end();
  });
});
const viewers = new WebSocketServer({ server });

server.listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
