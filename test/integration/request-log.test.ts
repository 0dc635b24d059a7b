import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStorage, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { redactUrl } from '../../src/logger.js';

/** What a real process logs at the default level (issue #20, item 16). */
describe(`request log (${backend})`, () => {
  let storage: Storage;
  let server: ServerProcess;
  before(async () => {
    storage = await createStorage();
    // No ADMIN_PASSWORD: the first admin's password is generated and printed.
    server = await startServerProcess({ ...storage.env, SESSION_SECRET: 'r'.repeat(40), ADMIN_USERNAME: 'admin' });
  });
  after(async () => {
    await server?.stop();
    await storage?.cleanup();
  });

  const lines = () =>
    server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; reqId?: string; url?: string });

  test('the generated admin password stands out in a framed block, and works', async () => {
    const block = lines().find((l) => l.msg.includes('First admin created'));
    assert.ok(block, 'the block is logged');
    assert.match(block.msg, /\n=+\n\| First admin created/);
    const password = block.msg.match(/\|\s+password: (\S+)\s+\|/)![1]!;
    const web = new WebClient(server.url);
    assert.equal((await web.login('admin', password)).status, 303);
  });

  test('a password sent in a query string never reaches the log; one line per request', async () => {
    const web = new WebClient(server.url);
    // Signed out: the redirect carries the URL on in next=, and the login page's line has it too.
    const out = await web.get('/admin/users?username=eve&password=hunter2-secret&token=tok-secret&invite=inv-secret&code=123456');
    assert.equal(out.status, 303);
    await web.get(out.headers.get('location')!);
    const block = lines().find((l) => l.msg.includes('First admin created'))!;
    await web.login('admin', block.msg.match(/\|\s+password: (\S+)\s+\|/)![1]!);
    const res = await web.get('/admin/users?q=&password=hunter2-secret');
    assert.equal(res.status, 400, 'an unknown field is refused, and the refusal is in the same line');
    await new Promise((r) => setTimeout(r, 200));
    const log = server.output();
    for (const secret of ['hunter2-secret', 'tok-secret', 'inv-secret', '123456']) assert.doesNotMatch(log, new RegExp(secret), secret);
    assert.match(log, /password=\[redacted\]/);
    const id = res.headers.get('x-request-id')!;
    const mine = lines().filter((l) => l.reqId === id && l.level >= 30);
    assert.equal(mine.length, 1, JSON.stringify(mine));
    const page = await web.get('/rooms');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lines().filter((l) => l.reqId === page.headers.get('x-request-id') && l.level >= 30).length, 1);
  });
});

test('redactUrl: sensitive values, nested URLs, and everything else untouched', () => {
  assert.equal(redactUrl('/admin/users?q=ann&password=x&PassWord2=y'), '/admin/users?q=ann&password=[redacted]&PassWord2=[redacted]');
  assert.equal(redactUrl('/rooms'), '/rooms');
  assert.equal(redactUrl('/register?invite=abc&_csrf=t'), '/register?invite=[redacted]&_csrf=[redacted]');
  assert.equal(redactUrl(`/login?next=${encodeURIComponent('/admin/users?password=x')}`), `/login?next=${encodeURIComponent('/admin/users?password=[redacted]')}`);
  assert.equal(redactUrl('/x?%70assword=y'), '/x?%70assword=[redacted]');
  // A room invite's sign-in link carries the token in `next`.
  assert.equal(redactUrl('/login?next=%2Finvite%2FzjmiKpJAkuj_sNLQzsVYkBIw5CQEzkiu-EoaDHD2G8M'), `/login?next=${encodeURIComponent('/invite/[redacted]')}`);
  assert.equal(redactUrl('/login?next=%2Frooms%2F3'), '/login?next=%2Frooms%2F3', 'a path with nothing to hide is kept as it came');
  assert.equal(redactUrl('/x?a=%E0%A4%A&b'), '/x?a=%E0%A4%A&b');
});
