/**
 * The `socketio` reference: the Socket.IO chat most people would write instead of hihi, as the
 * Socket.IO and redis-adapter documentation show it. Every client joins one room; each
 * "chat message" is stored in a Redis list and emitted to the room through the Redis adapter
 * (so several such servers could share rooms, like hihi on Redis).
 *   PORT=… REDIS_URL=… node --import tsx bench/references/socketio.ts
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.REDIS_PREFIX ?? 'sio:';
const pubClient = new Redis(redisUrl);
const subClient = pubClient.duplicate();
const store = new Redis(redisUrl);

const httpServer = createServer();
const io = new Server(httpServer, {
  adapter: createAdapter(pubClient, subClient, { key: `${prefix}socket.io` }),
  transports: ['websocket'],
  perMessageDeflate: false,
});

io.on('connection', (socket) => {
  socket.on('join', async (room: string, ack?: () => void) => {
    await socket.join(room);
    ack?.();
  });
  socket.on('chat message', async (room: string, msg: string) => {
    await store.rpush(`${prefix}messages:${room}`, msg);
    io.to(room).emit('chat message', msg);
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => {
  io.close();
  store.del(`${prefix}messages:bench`).finally(() => process.exit(0));
});
