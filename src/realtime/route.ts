import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { CloseCodes } from '../shared/protocol.js';
import { Connection } from './connection.js';
import type { RealtimeContext } from './context.js';
import { dispatch } from './dispatch.js';
import { createTypingGate } from './handlers/typing.js';
import { createReadGate } from './handlers/read.js';
import { createWriteBatcher } from './write-batcher.js';

/**
 * GET /ws. The handshake is refused before the upgrade unless the Origin is ours and the
 * session belongs to an active user; after it, the loop stays thin: parse, authorize, dispatch.
 */
/**
 * Nothing of the upgrade request should outlive the handshake, yet @fastify/websocket keeps the
 * request and reply reachable from its 'error' listener, and the raw response stays attached to
 * the socket: with headers, session object and logger that was over 4 KiB per idle socket
 * (heap snapshots, docs/performance.md). Our own 'error' listener replaces theirs.
 */
function releaseUpgradeRequest(socket: WebSocket, req: FastifyRequest): void {
  socket.removeAllListeners('error');
  const raw = req.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  raw._httpMessage?.detachSocket(raw);
}

export default async function realtimeRoute(app: FastifyInstance) {
  const { config, hub, rooms, messages, now, metrics, events, unread, unreadWatch } = app.deps;
  const ctx: RealtimeContext = { rooms, messages, hub, log: app.log, now, metrics, events, typing: createTypingGate(now), reads: createReadGate(now, config.limits.readPer10s), unread, unreadWatch };
  const batcher = createWriteBatcher();
  const limits = { maxBufferedBytes: config.limits.wsMaxBufferedBytes };

  async function checkOrigin(req: FastifyRequest, reply: FastifyReply) {
    const expected = config.publicUrl?.origin ?? `${req.protocol}://${req.host}`;
    if (req.headers.origin !== expected) {
      req.log.warn({ event: 'ws_origin_refused', origin: req.headers.origin }, 'websocket from a foreign origin refused');
      return reply.code(403).send({ error: { status: 403, message: 'Origin not allowed' } });
    }
  }

  /** A cap per user and instance, so one account cannot hold the server's sockets. */
  async function checkCap(req: FastifyRequest, reply: FastifyReply) {
    if (hub.countForUser(req.user!.id) >= config.limits.wsPerUser) {
      req.log.warn({ event: 'ws_cap', userId: req.user!.id }, 'too many sockets for one user');
      return reply.code(429).send({ error: { status: 429, message: 'Too many open connections' } });
    }
  }

  /**
   * The listeners are shared by all sockets and find the connection here: an idle socket then
   * holds no closures of its own (measured with heap snapshots, docs/performance.md).
   */
  const connections = new WeakMap<WebSocket, Connection>();
  const log = app.log;

  function onPong(this: WebSocket) {
    const conn = connections.get(this);
    if (conn) conn.alive = true;
  }

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
    const conn = connections.get(this);
    if (!conn) return;
    conn.alive = true;
    if (isBinary) {
      // The protocol is JSON text only: a binary frame is a broken or hostile client.
      log.info({ event: 'ws_binary', userId: conn.user.id }, 'binary frame refused');
      conn.close(CloseCodes.unsupportedData, 'frames must be JSON text');
      return;
    }
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8');
    dispatch(ctx, conn, text);
  }

  function onError(this: WebSocket, err: Error) {
    log.info({ err, userId: connections.get(this)?.user.id }, 'websocket error');
  }

  function onClose(this: WebSocket) {
    const conn = connections.get(this);
    if (!conn) return;
    unreadWatch.unwatch(conn);
    hub.remove(conn).catch((err) => log.warn({ err, userId: conn.user.id }, 'socket cleanup failed'));
  }

  app.get('/ws', { websocket: true, preHandler: [checkOrigin, app.requireUser, checkCap] }, (socket, req) => {
    // A flat copy: the id as parsed is a slice of the cookie header, which it would keep alive.
    const sessionId = Buffer.from(req.session.sessionId, 'latin1').toString('latin1');
    const conn = new Connection(socket, req.user!, sessionId, batcher, limits);
    if (req.t) conn.t = req.t;
    releaseUpgradeRequest(socket, req);
    connections.set(socket, conn);
    socket.on('error', onError);
    // Shutting down: the hub closed it with 1001 (docs/operations.md).
    if (!hub.add(conn)) return;
    socket.on('pong', onPong);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    // Counts of the user's other rooms reach every socket of theirs (unread frames).
    unreadWatch.watch(conn).catch((err) => log.warn({ err, userId: conn.user.id }, 'unread counts failed'));
  });
}
