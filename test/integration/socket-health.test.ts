import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { WsClient } from '../support/ws.js';

/** An app with these settings, an admin signed in, and one room. */
function withApp(settings: Record<string, string>) {
  const ctx = {} as { storage: Storage; hihi: RunningApp; web: WebClient; room: number };
  before(async () => {
    ctx.storage = await createStorage();
    ctx.hihi = await startApp(ctx.storage, settings);
    ctx.web = new WebClient(ctx.hihi.url);
    await ctx.web.login(ADMIN.username, ADMIN.password);
    ctx.room = await ctx.web.createRoom('health');
  });
  after(async () => {
    await ctx.hihi?.close();
    await ctx.storage?.cleanup();
  });
  return ctx;
}

describe(`dead sockets (${backend})`, () => {
  const ctx = withApp({ WS_HEARTBEAT_SECONDS: '0.2' });

  test('a socket that stops answering pings is dropped; one that answers stays', async () => {
    const { hihi, web } = ctx;
    const dead = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin, autoPong: false });
    const alive = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    const closed = await dead.waitClosed(3000);
    assert.equal(closed.code, 1006, 'terminated without a close frame');
    assert.equal(alive.closed, undefined);
    alive.close();
  });
});

describe(`slow sockets (${backend})`, () => {
  const ctx = withApp({ WS_MAX_BUFFERED_BYTES: String(256 * 1024), SEND_RATE_PER_10S: '10000' });

  test('a reader that falls behind is dropped; the room stays live for everyone else', async () => {
    const { hihi, web, room } = ctx;
    const sender = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    const reader = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    const slow = await WsClient.connect(hihi.url, { cookie: web.cookieHeader, origin: hihi.origin });
    for (const c of [sender, reader, slow]) {
      await c.join(room);
    }
    // The slow client stops reading from its TCP socket altogether.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const body = '界'.repeat(2000);
    const total = 1500;
    // The healthy reader keeps up: at most `window` messages (~96 KB, well under the server's
    // 256 KiB limit) are ever unread by it. Without this pacing it shares this process's event
    // loop with the server and a 9 MB burst, and can fall behind as far as the slow one.
    const window = 16;
    let sent = 0;
    let got = 0;
    while (got < total) {
      for (; sent < total && sent - got < window; sent++) sender.send({ type: 'send', room, clientId: `f${sent}`, body });
      await reader.next('message', undefined, 20_000);
      got++;
    }
    assert.equal(got, total, 'the healthy reader got every message');
    assert.equal(reader.closed, undefined, 'the healthy reader is still connected');
    assert.equal(sender.closed, undefined, 'the sender is still connected');
    // The server gave up on the slow socket instead of buffering for it without limit.
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.waitClosed(5000);
    assert.equal(closed.code, 1006);
    assert.ok(slow.frames.filter((f) => f.type === 'message').length < total);
    sender.close();
    reader.close();
  });
});
