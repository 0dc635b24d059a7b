import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, pairSuite, type RunningApp } from '../support/app.js';
import { backend, shared } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { eventually } from '../support/wait.js';
import { WsClient } from '../support/ws.js';

const RATE = 6;

/** The answer to one send: its ack, or the error frame naming its clientId. */
async function outcome(c: WsClient, clientId: string): Promise<'ack' | string> {
  await eventually(() => c.frames.some((f) => (f.type === 'ack' || f.type === 'error') && f.clientId === clientId), 5000, `an answer to ${clientId}`);
  const f = c.frames.find((f) => (f.type === 'ack' || f.type === 'error') && f.clientId === clientId)!;
  return f.type === 'ack' ? 'ack' : (f as { code: string }).code;
}

// The send limit is one per user, shared by the user's sockets, the no-JS form and (on the shared
// backends) every instance: SEND_RATE_PER_10S sends in a 10 s window, then `rate_limited`.
describe(`send limits are per user (${backend})`, () => {
  let one: RunningApp;
  let two: RunningApp;
  const pair = pairSuite({ SEND_RATE_PER_10S: String(RATE) });
  let room: number;
  const sockets: WsClient[] = [];

  before(async () => {
    ({ one, two } = pair);
    const admin = new WebClient(one.url);
    await admin.login(ADMIN.username, ADMIN.password);
    room = await admin.createRoom('limits');
    for (const name of ['sam', 'tia', 'uma', 'vic']) await one.createUser(name, `${name}-password-1`);
  });
  after(async () => {
    for (const s of sockets) s.close();
  });

  async function signedIn(name: string, url = one.url): Promise<WebClient> {
    const web = new WebClient(url);
    assert.equal((await web.login(name, `${name}-password-1`)).status, 303);
    return web;
  }
  async function socketIn(web: WebClient, url = one.url): Promise<WsClient> {
    const c = await WsClient.connect(url, { cookie: web.cookieHeader, origin: url });
    sockets.push(c);
    await c.join(room);
    return c;
  }

  test('five sockets of one user share one budget', async () => {
    const web = await signedIn('sam');
    const socks = [];
    for (let i = 0; i < 5; i++) socks.push(await socketIn(web));
    socks.forEach((c, i) => {
      for (let j = 0; j < 3; j++) c.send({ type: 'send', room, clientId: `s${i}-${j}`, body: `from socket ${i}` });
    });
    const answers = await Promise.all(socks.flatMap((c, i) => [0, 1, 2].map((j) => outcome(c, `s${i}-${j}`))));
    assert.equal(answers.filter((a) => a === 'ack').length, RATE, `acks of 15 sends over 5 sockets: ${answers.join(',')}`);
    assert.equal(answers.filter((a) => a === 'rate_limited').length, 15 - RATE);
    const refused = socks.flatMap((c) => c.frames).find((f) => f.type === 'error' && f.code === 'rate_limited');
    assert.ok(refused?.type === 'error' && refused.until! > Date.now(), 'rate_limited says until when');
  });

  test('the no-JS form counts against the same budget, per user: someone else behind the same address still sends', async () => {
    const tia = await signedIn('tia');
    const ws = await socketIn(tia);
    for (let i = 0; i < RATE; i++) ws.send({ type: 'send', room, clientId: `t${i}`, body: 'ws' });
    for (let i = 0; i < RATE; i++) assert.equal(await outcome(ws, `t${i}`), 'ack');
    const form = await tia.submit(`/rooms/${room}`, `/rooms/${room}/messages`, { body: 'by form', clientId: 'tform' });
    assert.equal(form.status, 429);
    assert.ok(Number(form.headers.get('retry-after')) >= 1);
    assert.match(await form.text(), /Too many/);

    // Same address (127.0.0.1), another user: not blocked by tia's sends, and has a budget of its own.
    const uma = await signedIn('uma');
    // Viewing a room does not join it; sending by form needs membership.
    assert.equal((await uma.submit(`/rooms/${room}`, `/rooms/${room}/join`, {})).status, 303);
    for (let i = 0; i < RATE; i++) {
      const res = await uma.submit(`/rooms/${room}`, `/rooms/${room}/messages`, { body: `form ${i}`, clientId: `u${i}` });
      assert.equal(res.status, 303, `uma's form post ${i}`);
    }
    const over = await uma.submit(`/rooms/${room}`, `/rooms/${room}/messages`, { body: 'one too many', clientId: 'u-over' });
    assert.equal(over.status, 429);
  });

  test('two instances share the budget', { skip: !shared && 'one instance on the embedded default' }, async () => {
    const vicOne = await signedIn('vic');
    const vicTwo = new WebClient(two.url);
    for (const [k, v] of vicOne.cookies) vicTwo.cookies.set(k, v);
    const a = await socketIn(vicOne);
    const b = await socketIn(vicTwo, two.url);
    for (let i = 0; i < RATE; i++) a.send({ type: 'send', room, clientId: `v${i}`, body: 'one' });
    for (let i = 0; i < RATE; i++) assert.equal(await outcome(a, `v${i}`), 'ack');
    b.send({ type: 'send', room, clientId: 'v-two', body: 'two' });
    assert.equal(await outcome(b, 'v-two'), 'rate_limited');
    const form = await vicTwo.submit(`/rooms/${room}`, `/rooms/${room}/messages`, { body: 'form on two', clientId: 'v-form' });
    assert.equal(form.status, 429);
  });
});
