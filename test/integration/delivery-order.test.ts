import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { onCluster, shared } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { MessageStream, storedIds } from '../support/message-stream.js';
import { WsClient } from '../support/ws.js';

/**
 * Per room, each socket receives messages in id order, each exactly once (docs/protocol.md):
 * senders on every instance at once (two instances on the shared backends, on a cluster in
 * both pub/sub modes), readers on each instance, and readers that join with `since` mid-stream.
 */
const modes: Array<Record<string, string>> = !shared ? [{}] : onCluster ? [{ REDIS_CLUSTER_PUBSUB: 'sharded' }, { REDIS_CLUSTER_PUBSUB: 'global' }] : [{}];

for (const mode of modes) {
  describe(`message order per socket (${shared ? 'two instances' : 'one instance'}${mode.REDIS_CLUSTER_PUBSUB ? `, ${mode.REDIS_CLUSTER_PUBSUB} pub/sub` : ''})`, () => {
    let storage: Storage;
    const apps: RunningApp[] = [];
    before(async () => {
      storage = await createStorage();
      const env = { SEND_RATE_PER_10S: '10000', ...mode };
      apps.push(await startApp(storage, env));
      if (shared) apps.push(await startApp(storage, env));
    });
    after(async () => {
      for (const a of apps) await a.close();
      await storage?.cleanup();
    });

    test('concurrent senders on every instance: each reader gets every id once, in increasing order, also after joining with since mid-stream', async () => {
      const web = new WebClient(apps[0]!.url);
      await web.login(ADMIN.username, ADMIN.password);
      const room = await web.createRoom(`order ${mode.REDIS_CLUSTER_PUBSUB ?? ''}`);
      const connect = (app: RunningApp) => WsClient.connect(app.url, { cookie: web.cookieHeader, origin: app.origin });

      const readers = await Promise.all(apps.map(async (app) => MessageStream.open(await connect(app), room)));
      const senders: WsClient[] = [];
      for (const app of apps) for (let i = 0; i < 4; i++) senders.push(await connect(app));
      for (const s of senders) await s.join(room);

      const perSender = 60;
      const late: MessageStream[] = [];
      for (let i = 0; i < perSender; i++) {
        senders.forEach((s, k) => s.send({ type: 'send', room, clientId: `s${k}-${i}`, body: `sender ${k} message ${i}` }));
        // Readers that join mid-stream with `since`: `missed` and the live frames after it overlap in time.
        if (i % 15 === 7) {
          const app = apps[late.length % apps.length]!;
          late.push(await MessageStream.open(await connect(app), room, Math.max(0, readers[0]!.highest - 20)));
        }
        if (i % 4 === 0) await new Promise((r) => setImmediate(r));
      }
      for (const s of senders) for (let i = 0; i < perSender; i++) await s.next('ack', undefined, 10_000);

      const stored = await storedIds(web, room);
      assert.equal(stored.length, senders.length * perSender);
      for (const r of [...readers, ...late]) {
        await r.until(stored.at(-1)!);
        r.assertInOrderOnce();
        const from = r.since ?? 0;
        assert.deepEqual(r.ids, stored.filter((id) => id > from), 'every stored id after since, nothing else');
      }
      for (const c of [...senders, ...readers.map((r) => r.client), ...late.map((r) => r.client)]) c.close();
    });
  });
}
