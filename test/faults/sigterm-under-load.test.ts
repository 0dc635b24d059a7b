import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, type Storage } from '../support/app.js';
import { needsShared } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { replicaEnv, startServerProcess, type ServerProcess } from '../support/process.js';
import { WsClient } from '../support/ws.js';

/**
 * Two app processes; clients on both keep sending. One process gets SIGTERM (or SIGKILL) mid-stream; its
 * client moves to the other instance (rejoin with `since`, resend what was not acked), as the
 * browser client does. Afterwards every message is stored exactly once and every subscriber
 * got every stored message exactly once.
 */
describe('an instance stopped under load', { skip: needsShared }, () => {
  let storage: Storage;
  let env: Record<string, string>;
  let b: ServerProcess;
  const stopped: ServerProcess[] = [];
  before(async () => {
    storage = await createStorage();
    env = replicaEnv(storage, { SEND_RATE_PER_10S: '10000', LOG_LEVEL: 'warn' });
    b = await startServerProcess(env);
  });
  after(async () => {
    await Promise.all([b?.stop(), ...stopped.map((p) => p.stop('SIGKILL'))]);
    await storage?.cleanup();
  });

  /** A sending client that survives its server going away. */
  class Sender {
    sent = new Map<string, string>();
    acked = new Map<string, number>();
    ws!: WsClient;
    constructor(
      readonly name: string,
      readonly web: WebClient,
      readonly room: number,
    ) {}
    async connect(url: string, since?: number) {
      this.ws = await WsClient.connect(url, { cookie: this.web.cookieHeader, origin: url });
      this.ws.socket.on('message', (data) => {
        const f = JSON.parse(data.toString());
        if (f.type === 'ack') this.acked.set(f.clientId, f.id);
      });
      this.ws.send({ type: 'join', room: this.room, ...(since === undefined ? {} : { since }) });
      await this.ws.next('joined');
      // Resend whatever was never acknowledged, with the same clientIds.
      for (const [cid, body] of this.sent) if (!this.acked.has(cid)) this.ws.send({ type: 'send', room: this.room, clientId: cid, body });
    }
    send(i: number) {
      const cid = `${this.name}-${i}`;
      this.sent.set(cid, `${this.name} says ${i}`);
      if (!this.ws.closed) this.ws.send({ type: 'send', room: this.room, clientId: cid, body: this.sent.get(cid)! });
    }
  }

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) test(`${signal}: nothing acknowledged is lost, nothing is stored or delivered twice`, async () => {
    const a = await startServerProcess(env);
    stopped.push(a);
    const webA = new WebClient(a.url);
    await webA.login(ADMIN.username, ADMIN.password);
    const room = await webA.createRoom(`stopped by ${signal}`);
    const webB = new WebClient(b.url);
    for (const [k, v] of webA.cookies) webB.cookies.set(k, v);

    const watcher = await WsClient.connect(b.url, { cookie: webB.cookieHeader, origin: b.url });
    await watcher.join(room);
    const onA = new Sender('a', webA, room);
    const onB = new Sender('b', webB, room);
    await onA.connect(a.url);
    await onB.connect(b.url);

    const perSender = 200;
    let terminated: Promise<number | null> | undefined;
    let moved = false;
    for (let i = 0; i < perSender; i++) {
      onA.send(i);
      onB.send(i);
      if (i === 60) terminated = a.stop(signal);
      if (!moved && onA.ws.closed) {
        // SIGTERM: told the server is going away; SIGKILL: the connection just drops.
        assert.equal(onA.ws.closed.code, signal === 'SIGTERM' ? 1001 : 1006);
        moved = true;
        await onA.connect(b.url, 0); // to the surviving instance, resending what was not acked
      }
      await new Promise((r) => setTimeout(r, 3));
    }
    const code = await terminated;
    if (signal === 'SIGTERM') assert.equal(code, 0, 'the terminated process exits cleanly');
    assert.ok(moved, 'the client on the terminated instance moved over mid-stream');
    // Let the last acks arrive, resending anything still unacked (as the client's watchdog does).
    for (let round = 0; round < 20; round++) {
      const missing = [onA, onB].flatMap((s) => [...s.sent.keys()].filter((c) => !s.acked.has(c)).map((c) => [s, c] as const));
      if (missing.length === 0) break;
      for (const [s, cid] of missing) s.ws.send({ type: 'send', room, clientId: cid, body: s.sent.get(cid)! });
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const s of [onA, onB]) assert.equal(s.acked.size, perSender, `${s.name}: every message acked`);

    // Storage: every clientId exactly once, under the id it was acked with.
    const stored: Array<{ id: number; clientId: string }> = [];
    for (let after = 0; ; ) {
      const { body } = await webB.json<{ messages: Array<{ id: number; clientId: string }>; hasMore: boolean }>(`/rooms/${room}/messages?after=${after}&limit=100`);
      stored.push(...body.messages);
      if (!body.hasMore) break;
      after = body.messages.at(-1)!.id;
    }
    assert.equal(stored.length, 2 * perSender);
    assert.equal(new Set(stored.map((m) => m.clientId)).size, 2 * perSender);
    for (const s of [onA, onB]) for (const [cid, id] of s.acked) assert.equal(stored.find((m) => m.clientId === cid)?.id, id);

    // Delivery: the watcher on the surviving instance saw each stored message exactly once.
    const seen = new Map<number, number>();
    for (const f of watcher.frames) if (f.type === 'message') seen.set(f.id, (seen.get(f.id) ?? 0) + 1);
    for (const m of stored) assert.equal(seen.get(m.id), 1, `message ${m.id} delivered once`);
    watcher.close();
    onA.ws.close();
    onB.ws.close();
  });
});
