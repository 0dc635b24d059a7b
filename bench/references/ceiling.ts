/**
 * The `ceiling` reference: a bare `ws` server that broadcasts every text frame it receives to
 * every connected client, sender included, doing nothing else. No chat server on `ws` can
 * beat it. Writes are corked per event-loop turn, as hihi's are, so the comparison is fair.
 *   PORT=… node --import tsx bench/references/ceiling.ts
 */
import { WebSocketServer, type WebSocket } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', perMessageDeflate: false });
const corked = new Set<WebSocket & { _socket: { cork(): void; uncork(): void } }>();
let scheduled = false;
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const bytes = data as Buffer;
    for (const c of wss.clients) {
      const s = c as WebSocket & { _socket: { cork(): void; uncork(): void } };
      if (!corked.has(s)) {
        s._socket.cork();
        corked.add(s);
      }
      c.send(bytes, { binary: isBinary });
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        for (const s of corked) s._socket.uncork();
        corked.clear();
      });
    }
  });
});
wss.on('listening', () => console.log(`ceiling listening on ${(wss.address() as { port: number }).port}`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
