/**
 * The `ceiling` reference: a bare `ws` server that broadcasts every text frame it receives to
 * every client of the sender's room (`/?room=N`), sender included, doing nothing else. No chat
 * server on `ws` can beat it. Writes are corked per event-loop turn, as hihi's are, so the
 * comparison is fair.
 *   PORT=… node --import tsx bench/references/ceiling.ts
 */
import { WebSocketServer, type WebSocket } from 'ws';

type Corkable = WebSocket & { _socket: { cork(): void; uncork(): void } };
const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', perMessageDeflate: false });
const rooms = new Map<string, Set<Corkable>>();
const corked = new Set<Corkable>();
let scheduled = false;

wss.on('connection', (ws: Corkable, req) => {
  const name = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? '0';
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = new Set()));
  room.add(ws);
  ws.on('close', () => room.delete(ws));
  ws.on('message', (data, isBinary) => {
    for (const c of room) {
      if (!corked.has(c)) {
        c._socket.cork();
        corked.add(c);
      }
      c.send(data as Buffer, { binary: isBinary });
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
