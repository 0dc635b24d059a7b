import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { Connection } from '../../src/realtime/connection.js';
import { createWriteBatcher } from '../../src/realtime/write-batcher.js';
import type { User } from '../../src/modules/users/repository.js';

/** A real socket pair on loopback: the server side wrapped in a Connection; `done` ends both. */
export async function connectionPair() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const [socket] = (await once(server, 'connection')) as [WebSocket];
  await once(client, 'open');
  const conn = new Connection(socket, { id: 1 } as User, 'sid', createWriteBatcher(), { maxBufferedBytes: 1 << 20 });
  const done = () => {
    client.terminate();
    server.close();
  };
  return { server, client, socket, conn, done };
}
