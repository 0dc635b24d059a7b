import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const UNAVAILABLE = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

function refuseUpgrade(_req: unknown, socket: Duplex): void {
  socket.end(UNAVAILABLE, () => socket.destroy());
}

/**
 * The first step of shutdown, before any socket is closed: no new connections, and a websocket
 * upgrade that still arrives (on a connection accepted earlier) is answered 503 and its socket
 * destroyed. Left to the router, the closing server's 503 went out on a socket the websocket
 * plugin had taken over, nothing destroyed it, and `server.close` waited for it until the
 * hard kill. Fastify's own `server.close` later still waits for the open connections to end.
 */
export function stopAccepting(server: Server): void {
  server.close();
  server.removeAllListeners('upgrade');
  server.on('upgrade', refuseUpgrade);
}
