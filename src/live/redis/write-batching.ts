import type { Redis } from 'ioredis';
import type { Socket } from 'node:net';

const uncork = (socket: Socket): void => socket.uncork();

/**
 * Commands issued in one event-loop turn leave in one write (many sockets' sends, many pages'
 * session reads): the first one corks the connection's socket and the turn's check phase
 * uncorks it, where ioredis's autopipelining would have flushed its batch.
 *
 * Why not autopipelining: every batch is a `Pipeline`, whose constructor defines an own
 * accessor holding a closure over the pipeline. That gives each pipeline its own hidden class,
 * which V8 keeps in the old generation, so every batch's commands, replies and the values they
 * reach survived each young collection until the next full one (~1-3 MB promoted per young
 * collection, the history reads' p99; docs/performance.md, eighth round). It also keeps one
 * batch in flight per connection and costs two extra promises per command.
 */
export function batchWrites(redis: Redis): void {
  const send = redis.sendCommand;
  redis.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    const socket = this.stream;
    // Before `ready` commands wait in ioredis's offline queue and nothing is written.
    if (this.status === 'ready' && socket.writableCorked === 0) {
      socket.cork();
      setImmediate(uncork, socket);
    }
    return send.apply(this, args);
  };
}
