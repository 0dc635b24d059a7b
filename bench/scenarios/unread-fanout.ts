import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { loadConfig } from '../../fastify.config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { createPasswordHasher } from '../../src/modules/auth/passwords.js';
import { createUserRepository } from '../../src/modules/users/repository.js';
import { WebClient } from '../../test/support/http.js';
import { open } from '../lib/targets.js';
import { startHihi, type Scenario } from './common.js';

const ORIGIN = 'http://hihi-bench.localhost';
const PASSWORD = 'member-password-1';

/**
 * A message in a room of N members (1,000), each with a socket on the room list only: every
 * message becomes N `unread` frames (docs/architecture.md, Unread counts). Measured against a
 * reference in the same run and on the same target: the same N members' sockets joined to the
 * room, where every message becomes N `message` frames (the chat's own fan-out). Reported:
 * frames a second either way and their ratio, and whether every frame arrived once.
 */
export const unreadFanout: Scenario = async (opts) => {
  const members = opts.clients ?? (opts.quick ? 50 : 1000);
  const messages = opts.quick ? 20 : 200;
  const hihi = await startHihi(1, opts, 'redis');
  const sockets: WebSocket[] = [];
  try {
    const room = hihi.rooms[0]!;
    const url = hihi.urls[0]!;
    // Members straight into the database, one hash for all (the bench measures fan-out, not sign-up).
    const db = connectDatabase(loadConfig(hihi.env).database);
    const hash = await createPasswordHasher({ maxConcurrent: 1 }).hash(PASSWORD);
    const users = createUserRepository(db);
    for (let i = 0; i < members; i++) await users.create({ username: `m${i}`, displayName: `m${i}`, passwordHash: hash, permissions: [], createdAt: Date.now() });
    await db.destroy();
    const cookies: string[] = [];
    for (let i = 0; i < members; i += 8) {
      const batch = Array.from({ length: Math.min(8, members - i) }, async (_, j) => {
        const web = new WebClient(url);
        const res = await web.login(`m${i + j}`, PASSWORD);
        if (res.status !== 303) throw new Error(`member sign-in failed: ${res.status}`);
        return web.cookieHeader;
      });
      cookies.push(...(await Promise.all(batch)));
    }
    const ws = (cookie: string) => open(`${url.replace('http', 'ws')}/ws`, { cookie, origin: ORIGIN });
    // Each member joins once (membership), then leaves the socket.
    for (const cookie of cookies) {
      const s = await ws(cookie);
      await new Promise<void>((resolve) => {
        s.on('message', (d) => {
          if (d.toString().startsWith('{"type":"joined"')) resolve();
        });
        s.send(JSON.stringify({ type: 'join', room }));
      });
      s.close();
    }
    const sender = await ws(hihi.web.cookieHeader);
    await new Promise<void>((resolve) => {
      sender.on('message', (d) => d.toString().startsWith('{"type":"joined"') && resolve());
      sender.send(JSON.stringify({ type: 'join', room }));
    });

    let seq = 0;
    /** Opens one socket per member (joined to the room or not), sends, and times until every frame arrived. */
    async function run(kind: 'unread' | 'message'): Promise<{ framesPerSec: number; received: number; expected: number }> {
      const opened: WebSocket[] = [];
      let received = 0;
      const expected = members * messages;
      let done: () => void = () => {};
      const all = new Promise<void>((r) => (done = r));
      const prefix = `{"type":"${kind}"`;
      for (const cookie of cookies) {
        const s = await ws(cookie);
        opened.push(s);
        if (kind === 'message') {
          await new Promise<void>((resolve) => {
            s.once('message', () => resolve());
            s.send(JSON.stringify({ type: 'join', room }));
          });
        }
        s.on('message', (d: Buffer) => {
          if (d.toString('latin1', 0, prefix.length) === prefix && ++received === expected) done();
        });
      }
      // The room-list sockets' first counts (`unread` right after opening) are not part of the run.
      await new Promise((r) => setTimeout(r, 1000));
      received = 0;
      const t0 = performance.now();
      for (let i = 0; i < messages; i++) sender.send(JSON.stringify({ type: 'send', room, clientId: `u${++seq}`, body: `fan-out ${seq}` }));
      await Promise.race([all, new Promise((r) => setTimeout(r, 60_000))]);
      const seconds = (performance.now() - t0) / 1000;
      for (const s of opened) s.close();
      return { framesPerSec: Math.round(received / seconds), received, expected };
    }
    const message = await run('message');
    const unread = await run('unread');
    sockets.push(sender);
    const row = {
      target: hihi.name,
      members,
      messages,
      'message frames/s (reference)': message.framesPerSec,
      'unread frames/s': unread.framesPerSec,
      'unread vs message': +(unread.framesPerSec / message.framesPerSec).toFixed(2),
      'unread received': `${unread.received}/${unread.expected}`,
    };
    const broken = [message, unread].filter((r) => r.received !== r.expected).map((r, i) => `${hihi.name} ${i ? 'unread' : 'message'}: ${r.received}/${r.expected}`);
    return { json: [row], table: [row], broken };
  } finally {
    for (const s of sockets) s.close();
    await hihi.stop();
  }
};
